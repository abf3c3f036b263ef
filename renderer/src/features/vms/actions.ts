// VM calls: power actions, create, config changes with the digest read, snapshots, clone, template, destroy,
// disks. Task-starting calls open the task panel; failures become notices (callers that show them inline get
// the UiError back from the throwing variants).
import type { Params, Result } from '../../../../node-agent/src/api';
import { agentCall } from '../../api';
import { appStore } from '../../store/store';
import { setGuestConfig, startGuestTask, taskStarted } from '../guests/guest-calls';
import type { PowerAction } from './vm-power';

/** The node and vmid of a guest in the inventory. */
export function vmRef(guestKey: string): { nodeKey: string; vmid: number } | undefined {
  const guest = appStore.getState().guests.get(guestKey);
  return guest === undefined ? undefined : { nodeKey: guest.nodeKey, vmid: guest.vmid };
}

/** Run one power action as a task; a notice on failure. Resolves to the task's UPID, or undefined. */
export const runPowerAction = (nodeKey: string, vmid: number, action: PowerAction): Promise<string | undefined> =>
  startGuestTask(nodeKey, `vm.${action}`, { vmid }, 'vm.actionFailed', { vmid, action });

/** Start, shut down or stop several VMs of one node: one task each, failures reported one by one. */
export async function runBulkAction(
  nodeKey: string,
  vmids: readonly number[],
  action: 'start' | 'shutdown' | 'stop',
): Promise<number> {
  const results = await Promise.all(vmids.map((vmid) => runPowerAction(nodeKey, vmid, action)));
  return results.filter((upid) => upid !== undefined).length;
}

export const nextVmid = async (nodeKey: string): Promise<number> => (await agentCall(nodeKey, 'vm.nextid', {})).vmid;

/** Create a VM (throws for the wizard to show inline); the task panel shows the task. */
export async function createVm(nodeKey: string, params: Params<'vm.create'>): Promise<string> {
  const { upid } = await agentCall(nodeKey, 'vm.create', params);
  taskStarted();
  appStore.getState().pushNotice({ severity: 'info', key: 'vm.createStarted', params: { vmid: params.vmid } });
  return upid;
}

export const vmStatus = (nodeKey: string, vmid: number): Promise<Result<'vm.status'>> =>
  agentCall(nodeKey, 'vm.status', { vmid });
export const vmConfig = (nodeKey: string, vmid: number): Promise<Result<'vm.config'>> =>
  agentCall(nodeKey, 'vm.config', { vmid });
export const vmPending = (nodeKey: string, vmid: number): Promise<Result<'vm.pending'>> =>
  agentCall(nodeKey, 'vm.pending', { vmid });
export const vmSnapshots = (nodeKey: string, vmid: number): Promise<Result<'vm.snapshots'>> =>
  agentCall(nodeKey, 'vm.snapshots', { vmid });
export const vmCloudinit = (nodeKey: string, vmid: number, type: 'user' | 'network' | 'meta') =>
  agentCall(nodeKey, 'vm.cloudinit', { vmid, type });
export const vmMetrics = (nodeKey: string, params: Params<'vm.metrics'>): Promise<Result<'vm.metrics'>> =>
  agentCall(nodeKey, 'vm.metrics', params);

/**
 * Change the config with the digest it was read with. A stale digest gets its own notice (someone else
 * changed the VM: reload and redo); resolves to the new digest, or undefined on failure.
 */
export const setVmConfig = (nodeKey: string, params: Params<'vm.set'>): Promise<Result<'vm.set'> | undefined> =>
  setGuestConfig(nodeKey, 'vm.set', params);

export const takeSnapshot = (nodeKey: string, params: Params<'vm.snapshot'>) =>
  startGuestTask(nodeKey, 'vm.snapshot', params, 'vm.snapshotFailed');
export const rollbackSnapshot = (nodeKey: string, vmid: number, snapname: string) =>
  startGuestTask(nodeKey, 'vm.rollback', { vmid, snapname }, 'vm.snapshotFailed');
export const deleteSnapshot = (nodeKey: string, vmid: number, snapname: string) =>
  startGuestTask(nodeKey, 'vm.delsnapshot', { vmid, snapname }, 'vm.snapshotFailed');
export const convertToTemplate = (nodeKey: string, vmid: number) =>
  startGuestTask(nodeKey, 'vm.template', { vmid }, 'vm.templateFailed');
export const cloneVm = (nodeKey: string, params: Params<'vm.clone'>) =>
  startGuestTask(nodeKey, 'vm.clone', params, 'vm.cloneFailed');
export const resizeDisk = (nodeKey: string, params: Params<'vm.resize'>) =>
  startGuestTask(nodeKey, 'vm.resize', params, 'vm.diskFailed');
export const moveDisk = (nodeKey: string, params: Params<'vm.move'>) =>
  startGuestTask(nodeKey, 'vm.move', params, 'vm.diskFailed');
export const destroyVm = (nodeKey: string, vmid: number) =>
  startGuestTask(nodeKey, 'vm.destroy', { vmid, purge: true }, 'vm.destroyFailed');

/** The node's storages with capabilities (for disk storage and format pickers) and its ISO images. */
export async function loadStorageChoices(
  nodeKey: string,
): Promise<{ storages: Result<'storage.list'>['storages']; isos: string[] }> {
  const { storages } = await agentCall(nodeKey, 'storage.list', {});
  const usable = storages.filter((s) => s.enabled);
  const isoStores = usable.filter((s) => s.content.includes('iso'));
  const lists = await Promise.all(
    isoStores.map((s) => agentCall(nodeKey, 'storage.content.list', { storage: s.id }).catch(() => [])),
  );
  const isos = lists.flat().filter((v) => v.content === 'iso').map((v) => v.volid).sort();
  return { storages: usable, isos };
}
