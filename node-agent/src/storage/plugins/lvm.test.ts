import { writeFile, readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors';
import { tempDirForTest } from '../../fs/temp-dir';
import type { LvmConfig } from '../storage-config';
import { createLvmPlugin, lvmPlugin } from './lvm';
import { LVS_ARGS, VGS_ARGS } from './lvm-report';
import { fixture, planContext, planRunner, rejection } from './plan-runner';
import type { Responder } from './plan-runner';

const LVS = ['lvs', ...LVS_ARGS, 'hdtest'].join(' ');
const VGS = ['vgs', ...VGS_ARGS].join(' ');

/** The captured VG hdtest: vm-100-disk-0 (4 MiB), vm-101-disk-0 (32 MiB), swap, vm-100-disk-1 (12 MiB); 1010827264 bytes free. */
const reports: Responder = (command) => {
  if (command === 'vgs') return { stdout: fixture('vgs.txt') };
  if (command === 'lvs') return { stdout: fixture('lvs-thick.txt') };
  return undefined;
};

const setup = (config: Partial<LvmConfig> = {}, respond: Responder = reports) => {
  const runner = planRunner(respond);
  const ctx = planContext<LvmConfig>(
    'san',
    { vgname: 'hdtest', content: ['images', 'rootdir'], ...config },
    runner.run,
  );
  return { runner, ctx };
};

describe('lvm plugin (plan: no device-mapper here — checks the exact commands and parses captured vgs/lvs output)', () => {
  it('status is the VG: total, used, free in bytes', async () => {
    const { ctx, runner } = setup();
    await expect(lvmPlugin.status(ctx)).resolves.toEqual({
      total: 1069547520,
      used: 1069547520 - 1010827264,
      avail: 1010827264,
      active: true,
    });
    expect(runner.lines()).toEqual([VGS]);
  });

  it('status of a VG that is not there is inactive, and activate scans once then says not-found', async () => {
    const { ctx, runner } = setup({ vgname: 'gone' });
    await expect(lvmPlugin.status(ctx)).resolves.toEqual({ total: 0, used: 0, avail: 0, active: false });
    const error = await rejection(lvmPlugin.activate(ctx));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain("volume group 'gone'");
    expect(error.message).toContain("storage 'san'");
    expect(runner.lines()).toEqual([VGS, VGS, 'vgscan --ignorelockingfailure --mknodes', VGS]);
  });

  it('lists vm- LVs with owner, size and ctime; not foreign LVs; filters by vmid and content', async () => {
    const { ctx, runner } = setup();
    await expect(lvmPlugin.list(ctx)).resolves.toEqual([
      { volid: 'san:vm-100-disk-0', content: 'images', format: 'raw', size: 4194304, vmid: 100, ctime: 1795681073 },
      { volid: 'san:vm-100-disk-1', content: 'images', format: 'raw', size: 12582912, vmid: 100, ctime: 1795681078 },
      { volid: 'san:vm-101-disk-0', content: 'images', format: 'raw', size: 33554432, vmid: 101, ctime: 1795681073 },
    ]);
    expect((await lvmPlugin.list(ctx, { vmid: 101 })).map((v) => v.volid)).toEqual(['san:vm-101-disk-0']);
    await expect(lvmPlugin.list(ctx, { content: 'iso' })).resolves.toEqual([]);
    expect(runner.lines()).toEqual([LVS, LVS]);
  });

  it('tagged_only lists only LVs tagged pve-vm-<vmid>', async () => {
    const respond: Responder = (command) =>
      command === 'lvs'
        ? {
            stdout:
              '  hdtest:vm-100-disk-0:4194304:-wi-a-----:::::u1:pve-vm-100::1\n  hdtest:vm-102-disk-0:4194304:-wi-a-----:::::u2:::1\n',
          }
        : undefined;
    const { ctx } = setup({ tagged_only: true }, respond);
    expect((await lvmPlugin.list(ctx)).map((v) => v.volid)).toEqual(['san:vm-100-disk-0']);
  });

  it('alloc: the next free disk name, tagged with its owner, never auto-activated', async () => {
    const { ctx, runner } = setup();
    await expect(lvmPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: 536870912 })).resolves.toBe('vm-100-disk-2');
    expect(runner.calls.at(-1)).toEqual({
      command: 'lvcreate',
      args: [
        '-aly',
        '-Wy',
        '--yes',
        '--size',
        '536870912b',
        '--name',
        'vm-100-disk-2',
        '--setautoactivation',
        'n',
        '--addtag',
        'pve-vm-100',
        'hdtest',
      ],
    });
    expect(runner.lines().slice(0, 2)).toEqual([VGS, LVS]);
  });

  it("alloc refuses: a taken name, another guest's name, qcow2, more than the VG has free", async () => {
    const { ctx, runner } = setup();
    expect(
      (await rejection(lvmPlugin.alloc(ctx, { vmid: 101, format: 'raw', size: 1024, name: 'vm-101-disk-0' }))).code,
    ).toBe('already-exists');
    expect(
      (await rejection(lvmPlugin.alloc(ctx, { vmid: 101, format: 'raw', size: 1024, name: 'vm-100-disk-9' }))).code,
    ).toBe('invalid-params');
    expect((await rejection(lvmPlugin.alloc(ctx, { vmid: 101, format: 'qcow2', size: 1024 }))).code).toBe(
      'not-supported',
    );
    const full = await rejection(lvmPlugin.alloc(ctx, { vmid: 101, format: 'raw', size: 2 * 1024 ** 3 }));
    expect(full.code).toBe('invalid-params');
    expect(full.message).toContain('1010827264 bytes free');
    expect(runner.calls.some((call) => call.command === 'lvcreate')).toBe(false);
  });

  it('refuses hostile volume names before running anything', async () => {
    const { ctx, runner } = setup();
    for (const volname of [
      '../etc/passwd',
      'vm-100-disk-0;rm -rf /',
      '/dev/sda',
      'base-100-disk-0/vm-101-disk-0',
      'vm-100-disk-0.qcow2',
      'subvol-100-disk-0',
    ]) {
      expect(['invalid-params', 'not-supported']).toContain((await rejection(lvmPlugin.free(ctx, volname))).code);
    }
    expect(runner.calls).toEqual([]);
  });

  it('free: lvremove -f; not-found for a volume that is not there', async () => {
    const { ctx, runner } = setup();
    await lvmPlugin.free(ctx, 'vm-101-disk-0');
    expect(runner.lines()).toEqual([LVS, 'lvremove -f hdtest/vm-101-disk-0']);
    expect((await rejection(lvmPlugin.free(ctx, 'vm-105-disk-0'))).code).toBe('not-found');
  });

  it('free with saferemove: renamed to del-, activated, zeroed with blkdiscard, then removed', async () => {
    const { ctx, runner } = setup({ saferemove: true });
    await lvmPlugin.free(ctx, 'vm-101-disk-0');
    expect(runner.lines()).toEqual([
      LVS,
      'lvrename hdtest vm-101-disk-0 del-vm-101-disk-0',
      'lvchange -aly /dev/hdtest/del-vm-101-disk-0',
      'blkdiscard /dev/hdtest/del-vm-101-disk-0 -v --zeroout --step 33554432',
      'lvremove -f hdtest/del-vm-101-disk-0',
    ]);
  });

  it('saferemove keeps the LV when zeroing fails, and says which storage and volume', async () => {
    const { ctx, runner } = setup({ saferemove: true }, (command, args) =>
      command === 'blkdiscard'
        ? { code: 1, stderr: 'blkdiscard: BLKZEROOUT ioctl failed: Input/output error\n' }
        : reports(command, args),
    );
    const error = await rejection(lvmPlugin.free(ctx, 'vm-101-disk-0'));
    expect(error.code).toBe('command-failed');
    expect(error.message).toContain("volume 'vm-101-disk-0' on storage 'san'");
    expect(error.message).toContain('Input/output error');
    expect(error.details).toMatchObject({
      storage: 'san',
      volume: 'vm-101-disk-0',
      command: 'blkdiscard',
      exitCode: 1,
    });
    expect(runner.calls.some((call) => call.command === 'lvremove')).toBe(false);
  });

  it('resize grows with lvextend, does nothing at the same size, refuses to shrink', async () => {
    const { ctx, runner } = setup();
    await lvmPlugin.resize(ctx, 'vm-101-disk-0', 64 * 1024 ** 2);
    await lvmPlugin.resize(ctx, 'vm-101-disk-0', 33554432);
    expect(runner.lines().filter((line) => !line.startsWith('lvs'))).toEqual([
      'lvextend -L 67108864b /dev/hdtest/vm-101-disk-0',
    ]);
    expect((await rejection(lvmPlugin.resize(ctx, 'vm-101-disk-0', 1024))).code).toBe('invalid-params');
  });

  it('path is the LV device; snapshots are not supported (thick LVM)', async () => {
    const { ctx, runner } = setup();
    await expect(lvmPlugin.path(ctx, 'vm-100-disk-0')).resolves.toBe('/dev/hdtest/vm-100-disk-0');
    const error = await rejection(lvmPlugin.snapshotCreate(ctx, 'vm-100-disk-0', 'before'));
    expect(error.code).toBe('not-supported');
    expect(error.message).toContain('snapshot-as-volume-chain');
    expect((await rejection(lvmPlugin.snapshotRollback(ctx, 'vm-100-disk-0', 'before'))).code).toBe('not-supported');
    expect((await rejection(lvmPlugin.clone(ctx, 'vm-100-disk-0', 102, 'before'))).code).toBe('not-supported');
    expect(runner.calls).toEqual([]);
  });

  it('clone is a full copy into a new LV of the same size with qemu-img convert', async () => {
    const { ctx, runner } = setup();
    await expect(lvmPlugin.clone(ctx, 'vm-101-disk-0', 102)).resolves.toBe('vm-102-disk-0');
    expect(runner.lines().filter((line) => !line.startsWith('lvs') && !line.startsWith('vgs'))).toEqual([
      'lvcreate -aly -Wy --yes --size 33554432b --name vm-102-disk-0 --setautoactivation n --addtag pve-vm-102 hdtest',
      'lvchange -aly /dev/hdtest/vm-101-disk-0',
      'qemu-img convert -n -f raw -O raw /dev/hdtest/vm-101-disk-0 /dev/hdtest/vm-102-disk-0',
    ]);
  });

  it('a failed copy removes the new LV and reports the copy', async () => {
    const { ctx, runner } = setup({}, (command, args) =>
      command === 'qemu-img' ? { code: 1, stderr: 'qemu-img: error while writing' } : reports(command, args),
    );
    const error = await rejection(lvmPlugin.clone(ctx, 'vm-101-disk-0', 102));
    expect(error.message).toContain("volume 'vm-102-disk-0' on storage 'san'");
    expect(runner.lines().at(-1)).toBe('lvremove -f hdtest/vm-102-disk-0');
  });

  it('rename to another guest moves the owner tag', async () => {
    const { ctx, runner } = setup();
    await expect(lvmPlugin.rename(ctx, 'vm-101-disk-0', 105)).resolves.toBe('vm-105-disk-0');
    expect(runner.lines().slice(1)).toEqual([
      'lvrename hdtest vm-101-disk-0 vm-105-disk-0',
      'lvchange --addtag pve-vm-105 --deltag pve-vm-101 hdtest/vm-105-disk-0',
    ]);
    expect((await rejection(lvmPlugin.rename(ctx, 'vm-101-disk-0', 100, 'vm-100-disk-0'))).code).toBe('already-exists');
  });

  it('streams a volume out and in through its device (a file standing in for /dev)', async () => {
    const dev = await tempDirForTest('hd-lvm-dev-');
    await mkdir(join(dev, 'hdtest'));
    await writeFile(join(dev, 'hdtest', 'vm-101-disk-0'), Buffer.alloc(8192, 7));
    const plugin = createLvmPlugin({ devDir: dev });
    const { ctx, runner } = setup();
    const chunks: Buffer[] = [];
    await plugin.exportStream(
      ctx,
      'vm-101-disk-0',
      new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          chunks.push(chunk);
          done();
        },
      }),
    );
    expect(Buffer.concat(chunks)).toEqual(Buffer.alloc(8192, 7));
    await plugin.importStream(ctx, 'vm-101-disk-0', Readable.from([Buffer.alloc(4096, 1)]));
    // r+: written in place, the rest of the device kept (a device cannot be truncated).
    expect(await readFile(join(dev, 'hdtest', 'vm-101-disk-0'))).toEqual(
      Buffer.concat([Buffer.alloc(4096, 1), Buffer.alloc(4096, 7)]),
    );
    expect(runner.lines().filter((line) => line.startsWith('lvchange'))).toEqual([
      'lvchange -aly /dev/hdtest/vm-101-disk-0',
      'lvchange -aly /dev/hdtest/vm-101-disk-0',
    ]);
    // A device node that is not there is not-found, never a new file.
    const missing = await rejection(plugin.importStream(ctx, 'vm-100-disk-0', Readable.from([Buffer.alloc(1)])));
    expect(missing.code).toBe('not-found');
  });

  it('a runner that throws command-failed itself gets the storage and volume added', async () => {
    const ctx = planContext<LvmConfig>('san', { vgname: 'hdtest', content: ['images'] }, (command) =>
      command === 'lvs'
        ? Promise.resolve({ code: 0, stdout: fixture('lvs-thick.txt'), stderr: '' })
        : Promise.reject(new AppError('command-failed', 'lvremove exited with code 5', { exitCode: 5 })),
    );
    const error = await rejection(lvmPlugin.free(ctx, 'vm-100-disk-0'));
    expect(error.message).toBe("volume 'vm-100-disk-0' on storage 'san': lvremove exited with code 5");
    expect(error.details).toMatchObject({ exitCode: 5, storage: 'san', volume: 'vm-100-disk-0' });
  });
});
