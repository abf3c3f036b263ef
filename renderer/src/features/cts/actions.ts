// Container calls: power actions, create, config changes with the digest read, snapshots, resize, clone, template,
// destroy, usage history, and the node's templates and root-disk storages. Task-starting calls open the task panel; failures become notices
// (the wizard gets the UiError back from createCt to show it inline).
import type { Params, Result, StorageEntry } from '../../../../node-agent/src/api';
import { agentCall } from '../../api';
import { appStore } from '../../store/store';
import { setGuestConfig, startGuestTask, taskStarted } from '../guests/guest-calls';
import type { CtPowerAction } from './ct-power';

/** Run one power action as a task; a notice on failure. Resolves to the task's UPID, or undefined. */
export const runCtPowerAction = (nodeKey: string, vmid: number, action: CtPowerAction): Promise<string | undefined> =>
  startGuestTask(nodeKey, `ct.${action}`, { vmid }, 'ct.actionFailed', { vmid, action });

/** Create a container (throws for the wizard to show inline); the task panel shows the task. */
export async function createCt(nodeKey: string, params: Params<'ct.create'>): Promise<string> {
  const { upid } = await agentCall(nodeKey, 'ct.create', params);
  taskStarted();
  appStore.getState().pushNotice({ severity: 'info', key: 'ct.createStarted', params: { vmid: params.vmid } });
  return upid;
}

export const ctStatus = (nodeKey: string, vmid: number): Promise<Result<'ct.status'>> =>
  agentCall(nodeKey, 'ct.status', { vmid });
export const ctConfig = (nodeKey: string, vmid: number): Promise<Result<'ct.config'>> =>
  agentCall(nodeKey, 'ct.config', { vmid });
export const ctPending = (nodeKey: string, vmid: number): Promise<Result<'ct.pending'>> =>
  agentCall(nodeKey, 'ct.pending', { vmid });
export const ctSnapshots = (nodeKey: string, vmid: number): Promise<Result<'ct.snapshots'>> =>
  agentCall(nodeKey, 'ct.snapshots', { vmid });
export const ctMetrics = (nodeKey: string, params: Params<'ct.metrics'>): Promise<Result<'ct.metrics'>> =>
  agentCall(nodeKey, 'ct.metrics', params);

/**
 * Change the config with the digest it was read with. A stale digest gets its own notice (someone else changed
 * the container: reload and redo); resolves to the new digest and pending keys, or undefined on failure.
 */
export const setCtConfig = (nodeKey: string, params: Params<'ct.set'>): Promise<Result<'ct.set'> | undefined> =>
  setGuestConfig(nodeKey, 'ct.set', params);

export const takeCtSnapshot = (nodeKey: string, params: Params<'ct.snapshot'>) =>
  startGuestTask(nodeKey, 'ct.snapshot', params, 'ct.snapshotFailed');
export const rollbackCtSnapshot = (nodeKey: string, vmid: number, snapname: string) =>
  startGuestTask(nodeKey, 'ct.rollback', { vmid, snapname }, 'ct.snapshotFailed');
export const deleteCtSnapshot = (nodeKey: string, vmid: number, snapname: string) =>
  startGuestTask(nodeKey, 'ct.delsnapshot', { vmid, snapname }, 'ct.snapshotFailed');
export const resizeCtVolume = (nodeKey: string, params: Params<'ct.resize'>) =>
  startGuestTask(nodeKey, 'ct.resize', params, 'ct.resizeFailed', { vmid: params.vmid, disk: params.disk });
export const cloneCt = (nodeKey: string, params: Params<'ct.clone'>) =>
  startGuestTask(nodeKey, 'ct.clone', params, 'ct.cloneFailed');
export const convertCtToTemplate = (nodeKey: string, vmid: number) =>
  startGuestTask(nodeKey, 'ct.template', { vmid }, 'ct.templateFailed');
export const destroyCt = (nodeKey: string, vmid: number) =>
  startGuestTask(nodeKey, 'ct.destroy', { vmid, purge: true }, 'ct.destroyFailed');

export interface CtStorageChoices {
  /** Storages that hold templates (vztmpl content), enabled on the node. */
  templateStores: StorageEntry[];
  /** Storages a root disk or mount point can go on (rootdir or images content). */
  diskStores: StorageEntry[];
  /** Template volids by storage id, sorted. */
  templates: Record<string, string[]>;
}

/** The node's template storages with their templates, and the storages a root disk can go on. */
export async function loadCtStorageChoices(nodeKey: string): Promise<CtStorageChoices> {
  const { storages } = await agentCall(nodeKey, 'storage.list', {});
  const usable = storages.filter((s) => s.enabled);
  const templateStores = usable.filter((s) => s.content.includes('vztmpl'));
  const lists = await Promise.all(
    templateStores.map((s) =>
      agentCall(nodeKey, 'storage.content.list', { storage: s.id, content: 'vztmpl' }).catch(() => []),
    ),
  );
  const templates: Record<string, string[]> = {};
  templateStores.forEach((s, i) => {
    templates[s.id] = (lists[i] ?? [])
      .filter((v) => v.content === 'vztmpl')
      .map((v) => v.volid)
      .sort();
  });
  const diskStores = usable.filter((s) => s.content.includes('rootdir') || s.content.includes('images'));
  return { templateStores, diskStores, templates };
}
