// The VM UI's actions against the dev fake of window.hyperdesk (fake-vm-calls.ts): create from wizard values,
// power actions as tasks that change the inventory, config changes with digests and pending values, snapshots.
import { describe, expect, it } from 'vitest';
import { setUpFakeApp } from '../../dev/flow-testkit';
import { waitForState } from '../../dev/wait-for';
import { appStore } from '../../store/store';
import { startInventorySync } from '../inventory/actions';
import {
  createVm,
  loadStorageChoices,
  nextVmid,
  runBulkAction,
  runPowerAction,
  setVmConfig,
  takeSnapshot,
  vmConfig,
  vmPending,
  vmSnapshots,
  vmStatus,
} from './actions';
import { emptyWizard, toCreateParams } from './vm-form';
import { hardwareRows } from './hardware-rows';
import { vmTaskUpids } from './use-vm-tasks';
import { bulkCandidates } from './vm-dialogs';

const app = setUpFakeApp();

const start = async () => {
  app.keep(startInventorySync());
  await waitForState(appStore, (s) => s.loaded);
};
const statusOf = (key: string) => appStore.getState().guests.get(key)?.status;

describe('VM flows over window.hyperdesk', () => {
  it('creates a VM from wizard values: next VMID, storages and ISOs of the node, a task, the guest in the tree', async () => {
    await start();
    const vmid = await nextVmid('lab/n1');
    expect(vmid).toBe(103);
    const { storages, isos } = await loadStorageChoices('lab/n1');
    expect(storages.filter((s) => s.content.includes('images')).map((s) => s.id)).toContain('local-lvm');
    expect(isos).toContain('local:iso/debian-12.8.0-amd64-netinst.iso');
    const values = { ...emptyWizard('lab/n1', vmid, 'local-lvm'), name: 'web2', iso: isos[0]!, start: true };
    const upid = await createVm('lab/n1', toCreateParams(values));
    expect(appStore.getState().notices.at(-1)?.key).toBe('vm.createStarted');
    expect(appStore.getState().taskPanel.open).toBe(true);
    await waitForState(appStore, (s) => s.tasks[upid]?.status === 'stopped');
    expect(appStore.getState().tasks[upid]).toMatchObject({ id: '103', exitstatus: 'OK' });
    await waitForState(appStore, (s) => s.guests.get('lab/n1/103')?.status === 'running');
    expect(appStore.getState().guests.get('lab/n1/103')).toMatchObject({ name: 'web2', type: 'qemu', maxcpu: 2 });
    const { config } = await vmConfig('lab/n1', 103);
    expect(config.scsi0).toBe('local-lvm:vm-103-disk-0,size=32G,discard=on,iothread=1');
    expect(config.ide2).toBe(`${isos[0]},media=cdrom`);
    expect(vmTaskUpids(appStore.getState(), 'lab/n1', 103)).toEqual([upid]);
    // The VMID is taken now: a second create fails before any task exists.
    await expect(createVm('lab/n1', toCreateParams(values))).rejects.toMatchObject({ code: 'already-exists' });
  });

  it('runs power actions as tasks: stop, start, pause, resume; refuses one the state does not allow', async () => {
    await start();
    await runPowerAction('lab/n1', 100, 'stop');
    await waitForState(appStore, () => statusOf('lab/n1/100') === 'stopped');
    expect(await runPowerAction('lab/n1', 100, 'shutdown')).toBeUndefined();
    expect(appStore.getState().notices.at(-1)).toMatchObject({ key: 'vm.actionFailed', error: { code: 'invalid-params' } });
    await runPowerAction('lab/n1', 100, 'start');
    await waitForState(appStore, () => statusOf('lab/n1/100') === 'running');
    expect(await vmStatus('lab/n1', 100)).toMatchObject({ status: 'running', accel: 'kvm' });
    await runPowerAction('lab/n1', 100, 'suspend');
    await waitForState(appStore, () => statusOf('lab/n1/100') === 'paused');
    await runPowerAction('lab/n1', 100, 'resume');
    await waitForState(appStore, () => statusOf('lab/n1/100') === 'running');
    expect(await runPowerAction('lab/n1', 101, 'stop')).toBeUndefined(); // locked by backup
    expect(appStore.getState().notices.at(-1)?.error?.code).toBe('locked');
  });

  it('bulk-stops the running VMs of a node, one task each', async () => {
    await start();
    const n1 = (appStore.getState().guestOrder['lab/n1'] ?? []).flatMap((k) => appStore.getState().guests.get(k) ?? []);
    const running = bulkCandidates(n1, 'stop').map((g) => g.vmid);
    expect(running).toEqual([100]); // 101 is locked, 102 is a container, 9000 a template
    expect(await runBulkAction('lab/n1', running, 'stop')).toBe(1);
    await waitForState(appStore, () => statusOf('lab/n1/100') === 'stopped');
  });

  it('changes config with the digest: pending on a running VM, a conflict on a stale digest, revert', async () => {
    await start();
    const { digest } = await vmConfig('lab/n1', 100);
    const result = await setVmConfig('lab/n1', { vmid: 100, digest, config: { memory: 8192, name: 'web01' } });
    expect(result?.pending).toEqual(['memory']);
    expect(await setVmConfig('lab/n1', { vmid: 100, digest, config: { cores: 4 } })).toBeUndefined();
    expect(appStore.getState().notices.at(-1)).toMatchObject({ key: 'vm.conflict', error: { code: 'conflict' } });
    const rows = hardwareRows(await vmPending('lab/n1', 100));
    expect(rows.find((r) => r.id === 'memory')).toMatchObject({ current: { memory: 1024 }, pending: { memory: 8192 } });
    await waitForState(appStore, (s) => s.guests.get('lab/n1/100')?.name === 'web01');
    await setVmConfig('lab/n1', { vmid: 100, digest: result!.digest, revert: ['memory'] });
    expect(hardwareRows(await vmPending('lab/n1', 100)).find((r) => r.id === 'memory')?.pending).toBeUndefined();
  });

  it('takes a snapshot and shows it as the current one', async () => {
    await start();
    const upid = await takeSnapshot('lab/n1', { vmid: 100, snapname: 'before', vmstate: true, description: 'pre-upgrade' });
    await waitForState(appStore, (s) => upid !== undefined && s.tasks[upid]?.status === 'stopped');
    expect(await vmSnapshots('lab/n1', 100)).toEqual({
      current: 'before',
      snapshots: [expect.objectContaining({ name: 'before', vmstate: true, description: 'pre-upgrade' })],
    });
  });
});
