// The Resources tab's and the copy commands' calls against the dev fake of window.hyperdesk: usage history, a mount
// point added, grown, removed (its volume kept as unusedN) and deleted, a template and its clones.
import { describe, expect, it } from 'vitest';
import { setUpFakeApp } from '../../dev/flow-testkit';
import { waitForState } from '../../dev/wait-for';
import { appStore } from '../../store/store';
import { chartPointOfGuest } from '../guests/use-guest-metrics';
import { startInventorySync } from '../inventory/actions';
import {
  cloneCt,
  convertCtToTemplate,
  ctConfig,
  ctMetrics,
  ctPending,
  resizeCtVolume,
  runCtPowerAction,
  setCtConfig,
} from './actions';
import { emptyCtClone, toCtCloneParams } from './ct-clone-form';
import { mountSpec, mountSizeGiB, newMount, resizeSize } from './ct-mount-form';
import { ctResourceRows } from './ct-resource-rows';

const app = setUpFakeApp();

const start = async () => {
  app.keep(startInventorySync());
  await waitForState(appStore, (s) => s.loaded);
};
const ended = (upid: string | undefined) =>
  waitForState(appStore, (s) => upid !== undefined && s.tasks[upid]?.status === 'stopped');
const digest = async (vmid: number) => (await ctConfig('lab/n1', vmid)).digest;

describe('CT resources and copies over window.hyperdesk', () => {
  it('draws the usage history of ct.metrics in the node charts’ shape', async () => {
    await start();
    await ended(await runCtPowerAction('lab/n1', 110, 'start'));
    const { points } = await ctMetrics('lab/n1', { vmid: 110, timeframe: 'day', cf: 'max' });
    expect(points.length).toBeGreaterThan(0);
    const point = chartPointOfGuest(points.at(-1)!);
    expect(point.t).toBe(points.at(-1)!.t / 1000);
    expect(point.memTotal).toBe(points.at(-1)!.maxmem);
    expect(point.cpu).toBeGreaterThan(0);
  });

  it('adds a mount point, grows it (never shrinks), removes it as unused0 and deletes that', async () => {
    await start();
    const spec = mountSpec({ ...newMount('local-lvm'), sizeGiB: '2', path: '/srv/data' }, 'mp0');
    await setCtConfig('lab/n1', { vmid: 110, digest: await digest(110), config: { mp0: spec } });
    let rows = ctResourceRows(await ctPending('lab/n1', 110));
    const mp0 = String(rows.find((r) => r.key === 'mp0')?.current);
    expect(mp0).toBe('local-lvm:subvol-110-disk-1,size=2G,mp=/srv/data,backup=1');
    expect(mountSizeGiB(mp0)).toBe(2);

    await ended(
      await resizeCtVolume('lab/n1', { vmid: 110, disk: 'mp0', size: resizeSize({ mode: 'grow', sizeGiB: '3' }) }),
    );
    expect(mountSizeGiB(String((await ctConfig('lab/n1', 110)).config.mp0))).toBe(5);
    expect(await resizeCtVolume('lab/n1', { vmid: 110, disk: 'mp0', size: '4G' })).toBeUndefined();
    expect(appStore.getState().notices.at(-1)).toMatchObject({
      key: 'ct.resizeFailed',
      params: { vmid: 110, disk: 'mp0' },
      error: { code: 'invalid-params' },
    });

    await setCtConfig('lab/n1', { vmid: 110, digest: await digest(110), delete: ['mp0'] });
    rows = ctResourceRows(await ctPending('lab/n1', 110));
    expect(rows.map((r) => r.key)).not.toContain('mp0');
    expect(rows.find((r) => r.key === 'unused0')).toMatchObject({
      kind: 'unused',
      current: 'local-lvm:subvol-110-disk-1',
    });
    await setCtConfig('lab/n1', { vmid: 110, digest: await digest(110), delete: ['unused0'] });
    expect(ctResourceRows(await ctPending('lab/n1', 110)).map((r) => r.key)).not.toContain('unused0');
  });

  it('turns a stopped container into a template, then clones it linked and fully to another storage', async () => {
    await start();
    await ended(await convertCtToTemplate('lab/n1', 110));
    await waitForState(appStore, (s) => s.guests.get('lab/n1/110')?.template === true);
    expect((await ctConfig('lab/n1', 110)).config.rootfs).toMatch(/^local-lvm:basevol-110-disk-0,/);
    // Only a stopped container can become one (102 is frozen).
    expect(await convertCtToTemplate('lab/n1', 102)).toBeUndefined();
    expect(appStore.getState().notices.at(-1)).toMatchObject({
      key: 'ct.templateFailed',
      error: { code: 'invalid-params' },
    });

    const linked = toCtCloneParams(110, { ...emptyCtClone(true), newid: '111', hostname: 'runner2' });
    await ended(await cloneCt('lab/n1', linked));
    await waitForState(appStore, (s) => s.guests.get('lab/n1/111')?.name === 'runner2');
    expect((await ctConfig('lab/n1', 111)).config.rootfs).toMatch(/^local-lvm:basevol-110-disk-0\/subvol-111-disk-0,/);
    expect(appStore.getState().guests.get('lab/n1/111')?.template).toBeUndefined();

    const full = toCtCloneParams(110, { ...emptyCtClone(true), newid: '112', full: true, storage: 'big-btrfs' });
    await ended(await cloneCt('lab/n1', full));
    await waitForState(appStore, (s) => s.guests.has('lab/n1/112'));
    expect((await ctConfig('lab/n1', 112)).config.rootfs).toMatch(/^big-btrfs:subvol-112-disk-0,/);
    // The id is taken now: a second clone to it fails before any task exists.
    expect(await cloneCt('lab/n1', full)).toBeUndefined();
    expect(appStore.getState().notices.at(-1)).toMatchObject({
      key: 'ct.cloneFailed',
      error: { code: 'already-exists' },
    });
  });
});
