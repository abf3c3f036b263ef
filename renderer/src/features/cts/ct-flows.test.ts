// The container UI's actions against the dev fake of window.hyperdesk (fake-ct-calls.ts): create from wizard values,
// power actions as tasks that change the inventory, config changes with digests and pending values, snapshots.
import { describe, expect, it } from 'vitest';
import { setUpFakeApp } from '../../dev/flow-testkit';
import { waitForState } from '../../dev/wait-for';
import { appStore } from '../../store/store';
import { startInventorySync } from '../inventory/actions';
import { nextVmid } from '../vms/actions';
import { vmTaskUpids } from '../vms/use-vm-tasks';
import { buildSnapshotTree, flattenSnapshotTree } from '../vms/snapshot-tree';
import {
  createCt,
  ctConfig,
  ctPending,
  ctSnapshots,
  ctStatus,
  deleteCtSnapshot,
  destroyCt,
  loadCtStorageChoices,
  rollbackCtSnapshot,
  runCtPowerAction,
  setCtConfig,
  takeCtSnapshot,
} from './actions';
import { emptyCtWizard, toCtCreateParams } from './ct-form';
import { ctResourceRows } from './ct-resource-rows';

const app = setUpFakeApp();

const start = async () => {
  app.keep(startInventorySync());
  await waitForState(appStore, (s) => s.loaded);
};
const statusOf = (key: string) => appStore.getState().guests.get(key)?.status;
const ended = (upid: string | undefined) =>
  waitForState(appStore, (s) => upid !== undefined && s.tasks[upid]?.status === 'stopped');

describe('CT flows over window.hyperdesk', () => {
  it('creates a container from wizard values: next id, templates and root-disk storages of the node, a task, the guest in the tree', async () => {
    await start();
    const vmid = await nextVmid('lab/n1');
    expect(vmid).toBe(103);
    const choices = await loadCtStorageChoices('lab/n1');
    expect(choices.templateStores.map((s) => s.id)).toEqual(['local']); // big-btrfs holds no vztmpl content
    expect(choices.templates.local).toEqual(['local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst']);
    expect(choices.diskStores.map((s) => s.id)).toContain('local-lvm');
    expect(choices.diskStores.map((s) => s.id)).not.toContain('local'); // no rootdir or images content
    const values = {
      ...emptyCtWizard('lab/n1', vmid),
      hostname: 'web2',
      password: 'secret1',
      confirmPassword: 'secret1',
      ostemplate: choices.templates.local![0]!,
      diskStorage: 'local-lvm',
      start: true,
    };
    const upid = await createCt('lab/n1', toCtCreateParams(values));
    expect(appStore.getState().notices.at(-1)?.key).toBe('ct.createStarted');
    expect(appStore.getState().taskPanel.open).toBe(true);
    await ended(upid);
    expect(appStore.getState().tasks[upid]).toMatchObject({ id: '103', type: 'vzcreate', exitstatus: 'OK' });
    await waitForState(appStore, (s) => s.guests.get('lab/n1/103')?.status === 'running');
    expect(appStore.getState().guests.get('lab/n1/103')).toMatchObject({ name: 'web2', type: 'lxc', maxcpu: 1 });
    const { config } = await ctConfig('lab/n1', 103);
    expect(config.rootfs).toBe('local-lvm:subvol-103-disk-0,size=8G');
    expect(config.net0).toBe('name=eth0,bridge=vmbr0,firewall=1,ip=dhcp');
    expect(await ctStatus('lab/n1', 103)).toMatchObject({ status: 'running', unprivileged: true, pending: false });
    expect(vmTaskUpids(appStore.getState(), 'lab/n1', 103)).toEqual([upid]);
    // The id is taken now (by a container or a VM alike): a second create fails before any task exists.
    await expect(createCt('lab/n1', toCtCreateParams(values))).rejects.toMatchObject({ code: 'already-exists' });
    await expect(createCt('lab/n1', { ...toCtCreateParams(values), vmid: 100 })).rejects.toMatchObject({
      code: 'already-exists',
    });
  });

  it('runs power actions as tasks: start, reboot, shutdown, stop; refuses one the state does not allow', async () => {
    await start();
    expect(await runCtPowerAction('lab/n1', 110, 'shutdown')).toBeUndefined();
    expect(appStore.getState().notices.at(-1)).toMatchObject({
      key: 'ct.actionFailed',
      error: { code: 'invalid-params' },
    });
    await ended(await runCtPowerAction('lab/n1', 110, 'start'));
    await waitForState(appStore, () => statusOf('lab/n1/110') === 'running');
    expect((await ctStatus('lab/n1', 110)).pid).toBe(20_110);
    const reboot = await runCtPowerAction('lab/n1', 110, 'reboot');
    await ended(reboot);
    expect(appStore.getState().tasks[reboot!]?.type).toBe('vzreboot');
    await runCtPowerAction('lab/n1', 110, 'shutdown');
    await waitForState(appStore, () => statusOf('lab/n1/110') === 'stopped');
    // The frozen container can be stopped; a VM is not a container.
    await runCtPowerAction('lab/n1', 102, 'stop');
    await waitForState(appStore, () => statusOf('lab/n1/102') === 'stopped');
    expect(await runCtPowerAction('lab/n1', 100, 'stop')).toBeUndefined();
    expect(appStore.getState().notices.at(-1)?.error?.code).toBe('not-found');
  });

  it('changes config with the digest: cgroup keys at once on a running CT, the rest pending; a conflict on a stale digest; revert', async () => {
    await start();
    await ended(await runCtPowerAction('lab/n1', 110, 'start'));
    const { digest } = await ctConfig('lab/n1', 110);
    const result = await setCtConfig('lab/n1', {
      vmid: 110,
      digest,
      config: { memory: 2048, rootfs: 'local-lvm:subvol-110-disk-0,size=16G', net1: 'name=eth1,bridge=vmbr1,ip=dhcp' },
    });
    expect(result?.pending.sort()).toEqual(['net1', 'rootfs']);
    expect(await setCtConfig('lab/n1', { vmid: 110, digest, config: { cores: 4 } })).toBeUndefined();
    expect(appStore.getState().notices.at(-1)).toMatchObject({ key: 'ct.conflict', error: { code: 'conflict' } });
    const rows = ctResourceRows(await ctPending('lab/n1', 110));
    expect(rows.map((r) => r.key)).toEqual(['memory', 'swap', 'cores', 'cpulimit', 'rootfs']);
    expect(rows.find((r) => r.key === 'memory')).toMatchObject({ current: 2048, pending: undefined });
    expect(rows.find((r) => r.key === 'rootfs')?.pending).toBe('local-lvm:subvol-110-disk-0,size=16G');
    expect((await ctStatus('lab/n1', 110)).pending).toBe(true);
    await setCtConfig('lab/n1', { vmid: 110, digest: result!.digest, revert: ['rootfs', 'net1'] });
    expect(ctResourceRows(await ctPending('lab/n1', 110)).find((r) => r.key === 'rootfs')?.pending).toBeUndefined();
    expect((await ctStatus('lab/n1', 110)).pending).toBe(false);
  });

  it('takes snapshots, rolls back, deletes one and destroys the stopped container', async () => {
    await start();
    await ended(await takeCtSnapshot('lab/n1', { vmid: 110, snapname: 'base', description: 'fresh' }));
    await ended(await takeCtSnapshot('lab/n1', { vmid: 110, snapname: 'upgraded' }));
    let list = await ctSnapshots('lab/n1', 110);
    expect(flattenSnapshotTree(buildSnapshotTree(list.snapshots, list.current)).map((n) => [n.name, n.depth])).toEqual([
      ['base', 0],
      ['upgraded', 1],
      ['_now', 2],
    ]);
    await ended(await rollbackCtSnapshot('lab/n1', 110, 'base'));
    expect((await ctSnapshots('lab/n1', 110)).current).toBe('base');
    await ended(await deleteCtSnapshot('lab/n1', 110, 'base'));
    list = await ctSnapshots('lab/n1', 110);
    expect(list.snapshots.map((s) => [s.name, s.parent])).toEqual([['upgraded', undefined]]);
    expect(list.current).toBeUndefined();
    await ended(await destroyCt('lab/n1', 110));
    await waitForState(appStore, (s) => !s.guests.has('lab/n1/110'));
  });
});
