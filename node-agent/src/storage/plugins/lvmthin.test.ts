import { describe, expect, it } from 'vitest';
import type { LvmThinConfig } from '../storage-config';
import { LVS_ARGS, VGS_ARGS } from './lvm-report';
import { lvmthinPlugin } from './lvmthin';
import { fixture, planContext, planRunner, rejection } from './plan-runner';
import type { Responder } from './plan-runner';

const lvsLine = (vg: string) => ['lvs', ...LVS_ARGS, vg].join(' ');
const VGS = ['vgs', ...VGS_ARGS].join(' ');

/**
 * Captured: VG hdthin with pool data (inactive, as nothing here can activate it): vm-200-disk-0 + its snapshot
 * "before", vm-200-disk-1, base-300-disk-0 and its clone vm-301-disk-0.
 */
const captured: Responder = (command) => {
  if (command === 'vgs') return { stdout: fixture('vgs-two.txt') };
  if (command === 'lvs') return { stdout: fixture('lvs-thin.txt') };
  return undefined;
};

/** Hand-written: the same layout in VG pve as an active pool on a PVE node reports it. */
const active: Responder = (command) => {
  if (command === 'vgs') return { stdout: '  pve:1069547520:792723456:7\n' };
  if (command === 'lvs') return { stdout: fixture('lvs-thin-active.txt') };
  return undefined;
};

const setup = (respond: Responder = captured, vgname = 'hdthin') => {
  const runner = planRunner(respond);
  const ctx = planContext<LvmThinConfig>(
    'local-lvm',
    { vgname, thinpool: 'data', content: ['images', 'rootdir'] },
    runner.run,
  );
  return {
    runner,
    ctx,
    mutations: () => runner.lines().filter((line) => !line.startsWith('lvs ') && !line.startsWith('vgs ')),
  };
};

describe('lvmthin plugin (plan: no device-mapper here — checks the exact commands and parses captured lvs output)', () => {
  it('status is the thin pool: size, data% of it used, active state', async () => {
    const { ctx } = setup(active, 'pve');
    await expect(lvmthinPlugin.status(ctx)).resolves.toEqual({
      total: 268435456,
      used: 100663296,
      avail: 268435456 - 100663296,
      active: true,
    });
    const inactive = setup();
    await expect(lvmthinPlugin.status(inactive.ctx)).resolves.toEqual({
      total: 268435456,
      used: 0,
      avail: 268435456,
      active: false,
    });
    const missing = setup(() => ({ code: 5, stderr: '  Volume group "pve" not found\n' }), 'pve');
    await expect(lvmthinPlugin.status(missing.ctx)).resolves.toEqual({ total: 0, used: 0, avail: 0, active: false });
  });

  it('activate checks the VG, then activates an inactive pool with -K (and leaves an active one alone)', async () => {
    const { ctx, runner } = setup();
    await lvmthinPlugin.activate(ctx);
    expect(runner.lines()).toEqual([VGS, lvsLine('hdthin'), 'lvchange -ay -K hdthin/data']);
    const on = setup(active, 'pve');
    await lvmthinPlugin.activate(on.ctx);
    expect(on.mutations()).toEqual([]);
  });

  it("lists the pool's thin volumes (vm- and base-) with owners, not snapshots or other LVs", async () => {
    const { ctx } = setup(active, 'pve');
    const volumes = await lvmthinPlugin.list(ctx);
    expect(volumes.map((v) => [v.volid, v.size, v.vmid, v.used])).toEqual([
      ['local-lvm:base-300-disk-0', 67108864, 300, 16777216],
      ['local-lvm:vm-200-disk-0', 33554432, 200, 16777216],
      ['local-lvm:vm-200-disk-1', 8388608, 200, 0],
      ['local-lvm:vm-301-disk-0', 67108864, 301, 16777216],
    ]);
    expect((await lvmthinPlugin.list(ctx, { vmid: 200 })).length).toBe(2);
  });

  it('alloc: a thin volume in the pool, named for its guest, autoactivation off', async () => {
    const { ctx, mutations } = setup();
    await expect(lvmthinPlugin.alloc(ctx, { vmid: 200, format: 'raw', size: 10 * 1024 ** 3 })).resolves.toBe(
      'vm-200-disk-2',
    );
    expect(mutations()).toEqual([
      'lvcreate -aly -V 10737418240b --name vm-200-disk-2 --thinpool hdthin/data',
      'lvchange --setautoactivation n hdthin/vm-200-disk-2',
    ]);
  });

  it('snapshots are read-only thin snapshots snap_<volume>_<snap>; listed from the names, oldest first', async () => {
    const { ctx, mutations } = setup();
    await lvmthinPlugin.snapshotCreate(ctx, 'vm-200-disk-0', 'after');
    expect(mutations()).toEqual(['lvcreate -n snap_vm-200-disk-0_after -pr -s hdthin/vm-200-disk-0']);
    expect((await rejection(lvmthinPlugin.snapshotCreate(ctx, 'vm-200-disk-0', 'before'))).code).toBe('already-exists');
    expect((await rejection(lvmthinPlugin.snapshotCreate(ctx, 'vm-200-disk-0', 'x;reboot'))).code).toBe(
      'invalid-params',
    );
    await expect(lvmthinPlugin.snapshotList(ctx, 'vm-200-disk-0')).resolves.toEqual([
      { name: 'before', ctime: 1795681200 },
    ]);
    await expect(lvmthinPlugin.snapshotList(ctx, 'vm-200-disk-1')).resolves.toEqual([]);
  });

  it('rollback: a new writable thin snapshot of the snapshot replaces the volume (made first, so a failure keeps it)', async () => {
    const { ctx, mutations } = setup();
    await lvmthinPlugin.snapshotRollback(ctx, 'vm-200-disk-0', 'before');
    expect(mutations()).toEqual([
      'lvcreate -kn -prw -n rollback-vm-200-disk-0 -s hdthin/snap_vm-200-disk-0_before',
      'lvchange --setautoactivation n hdthin/rollback-vm-200-disk-0',
      'lvremove -f hdthin/vm-200-disk-0',
      'lvrename hdthin rollback-vm-200-disk-0 vm-200-disk-0',
    ]);
    expect((await rejection(lvmthinPlugin.snapshotRollback(ctx, 'vm-200-disk-0', 'never'))).code).toBe('not-found');

    const failing = setup((command, args) =>
      command === 'lvcreate'
        ? {
            code: 5,
            stderr: '  Cannot create new thin volume, free space in thin pool hdthin/data reached threshold.\n',
          }
        : captured(command, args),
    );
    const error = await rejection(lvmthinPlugin.snapshotRollback(failing.ctx, 'vm-200-disk-0', 'before'));
    expect(error.code).toBe('command-failed');
    expect(error.message).toContain("volume 'vm-200-disk-0' on storage 'local-lvm'");
    expect(error.message).toContain('reached threshold');
    expect(failing.mutations().some((line) => line.startsWith('lvremove'))).toBe(false);
  });

  it('snapshot delete removes the snapshot LV', async () => {
    const { ctx, mutations } = setup();
    await lvmthinPlugin.snapshotDelete(ctx, 'vm-200-disk-0', 'before');
    expect(mutations()).toEqual(['lvremove -f hdthin/snap_vm-200-disk-0_before']);
  });

  it("free removes the volume's snapshots, then the volume", async () => {
    const { ctx, mutations } = setup();
    await lvmthinPlugin.free(ctx, 'vm-200-disk-0');
    expect(mutations()).toEqual(['lvremove -f hdthin/snap_vm-200-disk-0_before', 'lvremove -f hdthin/vm-200-disk-0']);
  });

  it('linked clones: a writable, normally-activated thin snapshot of the base or of a snapshot', async () => {
    const { ctx, mutations } = setup();
    await expect(lvmthinPlugin.clone(ctx, 'base-300-disk-0', 302)).resolves.toBe('vm-302-disk-0');
    await expect(lvmthinPlugin.clone(ctx, 'vm-200-disk-0', 303, 'before')).resolves.toBe('vm-303-disk-0');
    expect(mutations()).toEqual([
      'lvcreate -n vm-302-disk-0 -prw -kn -s hdthin/base-300-disk-0',
      'lvchange --setautoactivation n hdthin/vm-302-disk-0',
      'lvcreate -n vm-303-disk-0 -prw -kn -s hdthin/snap_vm-200-disk-0_before',
      'lvchange --setautoactivation n hdthin/vm-303-disk-0',
    ]);
  });

  it('a clone of a plain volume is a full copy', async () => {
    const { ctx, mutations } = setup();
    await expect(lvmthinPlugin.clone(ctx, 'vm-200-disk-1', 304)).resolves.toBe('vm-304-disk-0');
    expect(mutations()).toEqual([
      'lvcreate -aly -V 8388608b --name vm-304-disk-0 --thinpool hdthin/data',
      'lvchange --setautoactivation n hdthin/vm-304-disk-0',
      'lvchange -ay -K hdthin/vm-200-disk-1',
      'qemu-img convert -n -f raw -O raw /dev/hdthin/vm-200-disk-1 /dev/hdthin/vm-304-disk-0',
    ]);
  });

  it('createBase renames to base-, read-only and activation-skipped; refuses with snapshots', async () => {
    const { ctx, mutations } = setup();
    await expect(lvmthinPlugin.createBase(ctx, 'vm-200-disk-1')).resolves.toBe('base-200-disk-1');
    expect(mutations()).toEqual([
      'lvrename hdthin vm-200-disk-1 base-200-disk-1',
      'lvchange -pr -ky hdthin/base-200-disk-1',
      'lvchange -an hdthin/base-200-disk-1',
    ]);
    const error = await rejection(lvmthinPlugin.createBase(ctx, 'vm-200-disk-0'));
    expect(error.message).toContain('before');
    expect((await rejection(lvmthinPlugin.createBase(ctx, 'base-300-disk-0'))).code).toBe('invalid-params');
  });

  it('resize grows with lvextend; rename gives the volume to another guest', async () => {
    const { ctx, mutations } = setup();
    await lvmthinPlugin.resize(ctx, 'vm-200-disk-1', 16 * 1024 ** 2);
    await expect(lvmthinPlugin.rename(ctx, 'vm-200-disk-1', 305)).resolves.toBe('vm-305-disk-0');
    expect(mutations()).toEqual([
      'lvextend -L 16777216b /dev/hdthin/vm-200-disk-1',
      'lvrename hdthin vm-200-disk-1 vm-305-disk-0',
    ]);
    expect((await rejection(lvmthinPlugin.rename(ctx, 'vm-200-disk-0', 305))).message).toContain('snapshots');
  });

  it('path is the LV device; hostile names are refused before any command', async () => {
    const { ctx, runner } = setup();
    await expect(lvmthinPlugin.path(ctx, 'base-300-disk-0')).resolves.toBe('/dev/hdthin/base-300-disk-0');
    for (const volname of ['..', 'vm-200-disk-0/../../etc', 'vm-200-disk-0`id`', 'base-300-disk-0/vm-301-disk-0']) {
      expect((await rejection(lvmthinPlugin.free(ctx, volname))).code).toBe('invalid-params');
    }
    expect(runner.calls).toEqual([]);
  });
});
