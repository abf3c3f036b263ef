import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDirForTest } from '../../fs/temp-dir';
import type { ZfsPoolConfig } from '../storage-config';
import { fixture, planContext, planRunner, rejection } from './plan-runner';
import type { Responder } from './plan-runner';
import { createZfsPoolPlugin, zfspoolPlugin } from './zfspool';

const VALUES: Record<string, string> = {
  'available,used rpool/data': fixture('zfs-get-pool.txt'),
  'volsize rpool/data/vm-100-disk-0': '34359738368\n',
  'refquota rpool/data/subvol-300-disk-0': '8589934592\n',
  'refquota rpool/data/basevol-400-disk-0': '4294967296\n',
  'pve-storage:refquota rpool/data/subvol-300-disk-0@first': '8589934592\n',
};

/** Hand-written from the man pages (no ZFS here): pool rpool/data with zvols, subvols, templates and linked clones. */
const pool: Responder = (command, args) => {
  if (command === 'zpool') return args[0] === 'list' ? { stdout: 'rpool\n' } : undefined;
  if (command !== 'zfs') return undefined;
  if (args[0] === 'list' && args.includes('snapshot')) {
    const dataset = args.at(-1) ?? '';
    return { stdout: fixture('zfs-snapshots.txt').replaceAll('rpool/data/vm-100-disk-0', dataset) };
  }
  if (args[0] === 'list') return { stdout: fixture('zfs-list.txt') };
  if (args[0] === 'get') {
    const value = VALUES[`${args[4]} ${args[5]}`];
    return value === undefined
      ? { code: 1, stderr: `cannot open '${args[5]}': dataset does not exist\n` }
      : { stdout: value };
  }
  return undefined;
};

const setup = (config: Partial<ZfsPoolConfig> = {}, respond: Responder = pool) => {
  const runner = planRunner(respond);
  const ctx = planContext<ZfsPoolConfig>(
    'local-zfs',
    { pool: 'rpool/data', content: ['images', 'rootdir'], ...config },
    runner.run,
  );
  return { runner, ctx, mutations: () => runner.lines().filter((line) => !/^zfs (list|get) /.test(line)) };
};

describe('zfspool plugin (plan: no ZFS here — checks the exact commands and parses zfs output written from the man pages)', () => {
  it('status from zfs get available,used: total is their sum', async () => {
    const { ctx, runner } = setup();
    await expect(zfspoolPlugin.status(ctx)).resolves.toEqual({
      total: 98765432832 + 12345678848,
      used: 12345678848,
      avail: 98765432832,
      active: true,
    });
    expect(runner.calls).toEqual([
      { command: 'zfs', args: ['get', '-o', 'value', '-Hp', 'available,used', 'rpool/data'] },
    ]);
    const gone = setup({}, () => ({ code: 1, stderr: "cannot open 'rpool/data': dataset does not exist" }));
    await expect(zfspoolPlugin.status(gone.ctx)).resolves.toEqual({ total: 0, used: 0, avail: 0, active: false });
  });

  it('activate: an imported pool is only mounted; a missing one is imported by id first', async () => {
    const { ctx, runner } = setup();
    await zfspoolPlugin.activate(ctx);
    expect(runner.lines()).toEqual(['zpool list -o name -H rpool', 'zfs mount -a']);
    let imported = false;
    const later = setup({}, (command, args) => {
      if (command === 'zpool' && args[0] === 'import') imported = true;
      if (command === 'zpool' && args[0] === 'list')
        return imported ? { stdout: 'rpool\n' } : { code: 1, stderr: "cannot open 'rpool': no such pool" };
      return undefined;
    });
    await zfspoolPlugin.activate(later.ctx);
    expect(later.runner.lines()).toEqual([
      'zpool list -o name -H rpool',
      'zpool import -d /dev/disk/by-id/ -o cachefile=none rpool',
      'zpool list -o name -H rpool',
      'zfs mount -a',
    ]);
  });

  it('lists zvols as images and subvols as rootdir, linked clones as base/clone with their parent', async () => {
    const { ctx } = setup();
    const volumes = await zfspoolPlugin.list(ctx);
    expect(volumes.map((v) => [v.volid, v.content, v.format, v.size, v.vmid, v.parent])).toEqual([
      ['local-zfs:base-200-disk-0', 'images', 'raw', 8589934592, 200, undefined],
      ['local-zfs:base-200-disk-0/vm-201-disk-0', 'images', 'raw', 8589934592, 201, 'local-zfs:base-200-disk-0'],
      ['local-zfs:basevol-400-disk-0', 'rootdir', 'subvol', 4294967296, 400, undefined],
      [
        'local-zfs:basevol-400-disk-0/subvol-401-disk-0',
        'rootdir',
        'subvol',
        4294967296,
        401,
        'local-zfs:basevol-400-disk-0',
      ],
      ['local-zfs:subvol-300-disk-0', 'rootdir', 'subvol', 8589934592, 300, undefined],
      ['local-zfs:subvol-301-disk-0', 'rootdir', 'subvol', 0, 301, undefined],
      ['local-zfs:vm-100-disk-0', 'images', 'raw', 34359738368, 100, undefined],
      ['local-zfs:vm-100-disk-1', 'images', 'raw', 1073741824, 100, undefined],
    ]);
    expect((await zfspoolPlugin.list(ctx, { vmid: 100, content: 'rootdir' })).length).toBe(0);
    expect((await zfspoolPlugin.list(ctx, { content: 'rootdir' })).length).toBe(4);
  });

  it('alloc: a sparse zvol with the storage block size, in whole MiB, waiting for its device link', async () => {
    const dev = await tempDirForTest('hd-zfs-dev-');
    const plugin = createZfsPoolPlugin({ devDir: dev });
    const { ctx, mutations } = setup({ sparse: true, blocksize: '16k' }, (command, args) => {
      if (command === 'zfs' && args[0] === 'create') {
        // What udev does on a node: the zvol's link appears.
        const link = join(dev, 'zvol', args.at(-1) ?? '');
        mkdirSync(dirname(link), { recursive: true });
        writeFileSync(link, '');
      }
      return pool(command, args);
    });
    await expect(plugin.alloc(ctx, { vmid: 100, format: 'raw', size: 1000 })).resolves.toBe('vm-100-disk-2');
    expect(mutations()).toEqual(['zfs create -s -o volblocksize=16k -V 1024k rpool/data/vm-100-disk-2']);
  });

  it('alloc: a thick zvol without the options, and a subvol with a refquota (none for size 0)', async () => {
    const dev = await tempDirForTest('hd-zfs-dev-');
    mkdirSync(join(dev, 'zvol', 'rpool', 'data'), { recursive: true });
    writeFileSync(join(dev, 'zvol', 'rpool', 'data', 'vm-102-disk-0'), '');
    const plugin = createZfsPoolPlugin({ devDir: dev });
    const { ctx, mutations } = setup();
    await expect(plugin.alloc(ctx, { vmid: 102, format: 'raw', size: 32 * 1024 ** 3 })).resolves.toBe('vm-102-disk-0');
    await expect(plugin.alloc(ctx, { vmid: 300, format: 'subvol', size: 8 * 1024 ** 3 })).resolves.toBe(
      'subvol-300-disk-1',
    );
    await expect(plugin.alloc(ctx, { vmid: 302, format: 'subvol', size: 0 })).resolves.toBe('subvol-302-disk-0');
    expect(mutations()).toEqual([
      'zfs create -V 33554432k rpool/data/vm-102-disk-0',
      'zfs create -o acltype=posixacl -o xattr=sa -o refquota=8388608k rpool/data/subvol-300-disk-1',
      'zfs create -o acltype=posixacl -o xattr=sa -o refquota=none rpool/data/subvol-302-disk-0',
    ]);
    expect((await rejection(plugin.alloc(ctx, { vmid: 102, format: 'qcow2', size: 1024 }))).code).toBe('not-supported');
    expect(
      (await rejection(plugin.alloc(ctx, { vmid: 100, format: 'raw', size: 1024, name: 'vm-100-disk-0' }))).code,
    ).toBe('already-exists');
  });

  it('path: /dev/zvol for zvols, the mountpoint (or /<pool>) for subvols', async () => {
    const { ctx } = setup();
    await expect(zfspoolPlugin.path(ctx, 'base-200-disk-0/vm-201-disk-0')).resolves.toBe(
      '/dev/zvol/rpool/data/vm-201-disk-0',
    );
    await expect(zfspoolPlugin.path(ctx, 'subvol-300-disk-0')).resolves.toBe('/rpool/data/subvol-300-disk-0');
    const mounted = setup({ mountpoint: '/srv/zfs' });
    await expect(zfspoolPlugin.path(mounted.ctx, 'subvol-300-disk-0')).resolves.toBe('/srv/zfs/subvol-300-disk-0');
  });

  it('snapshots: zfs snapshot (a subvol also records its refquota), listed oldest first', async () => {
    const { ctx, mutations } = setup();
    await zfspoolPlugin.snapshotCreate(ctx, 'vm-100-disk-0', 'third');
    await zfspoolPlugin.snapshotCreate(ctx, 'subvol-300-disk-0', 'third');
    expect(mutations()).toEqual([
      'zfs snapshot rpool/data/vm-100-disk-0@third',
      'zfs snapshot rpool/data/subvol-300-disk-0@third',
      'zfs set pve-storage:refquota=8589934592 rpool/data/subvol-300-disk-0@third',
    ]);
    await expect(zfspoolPlugin.snapshotList(ctx, 'vm-100-disk-0')).resolves.toEqual([
      { name: 'first', ctime: 1795600000 },
      { name: 'second', ctime: 1795680000 },
    ]);
    const taken = setup({}, (command, args) =>
      args[0] === 'snapshot'
        ? { code: 1, stderr: "cannot create snapshot 'rpool/data/vm-100-disk-0@first': dataset already exists\n" }
        : pool(command, args),
    );
    expect((await rejection(zfspoolPlugin.snapshotCreate(taken.ctx, 'vm-100-disk-0', 'first'))).code).toBe(
      'already-exists',
    );
  });

  it('rollback only to the most recent snapshot (as PVE; never -r, which would destroy the newer ones)', async () => {
    const { ctx, mutations } = setup();
    const error = await rejection(zfspoolPlugin.snapshotRollback(ctx, 'vm-100-disk-0', 'first'));
    expect(error.code).toBe('invalid-params');
    expect(error.message).toContain('second');
    expect(error.details).toEqual({ blockers: ['second'] });
    expect((await rejection(zfspoolPlugin.snapshotRollback(ctx, 'vm-100-disk-0', 'third'))).code).toBe('not-found');
    await zfspoolPlugin.snapshotRollback(ctx, 'vm-100-disk-0', 'second');
    expect(mutations()).toEqual(['zfs rollback rpool/data/vm-100-disk-0@second']);
  });

  it('rollback of a subvol restores its refquota and remounts it', async () => {
    const { ctx, mutations } = setup({}, (command, args) => {
      if (args[0] === 'list' && args.includes('snapshot'))
        return { stdout: 'rpool/data/subvol-300-disk-0@first\t1\t1795600000\n' };
      if (args[0] === 'unmount')
        return { code: 1, stderr: "cannot unmount 'rpool/data/subvol-300-disk-0': not currently mounted\n" };
      return pool(command, args);
    });
    await zfspoolPlugin.snapshotRollback(ctx, 'subvol-300-disk-0', 'first');
    expect(mutations()).toEqual([
      'zfs rollback rpool/data/subvol-300-disk-0@first',
      'zfs set refquota=8589934592 rpool/data/subvol-300-disk-0',
      'zfs unmount rpool/data/subvol-300-disk-0',
      'zfs mount rpool/data/subvol-300-disk-0',
    ]);
  });

  it('snapshot delete and free: zfs destroy (free with -r for its snapshots, never -R)', async () => {
    const { ctx, mutations } = setup();
    await zfspoolPlugin.snapshotDelete(ctx, 'vm-100-disk-0', 'first');
    await zfspoolPlugin.free(ctx, 'base-200-disk-0/vm-201-disk-0');
    expect(mutations()).toEqual([
      'zfs destroy rpool/data/vm-100-disk-0@first',
      'zfs destroy -r rpool/data/vm-201-disk-0',
    ]);
    const gone = setup({}, () => ({
      code: 1,
      stderr: "cannot open 'rpool/data/vm-109-disk-0': dataset does not exist\n",
    }));
    expect((await rejection(zfspoolPlugin.free(gone.ctx, 'vm-109-disk-0'))).code).toBe('not-found');
  });

  it('a base with linked clones cannot be freed: command-failed naming storage and volume', async () => {
    const { ctx } = setup({}, () => ({
      code: 1,
      stderr:
        "cannot destroy 'rpool/data/base-200-disk-0': volume has dependent clones\nuse '-R' to destroy the following datasets:\nrpool/data/vm-201-disk-0\n",
    }));
    const error = await rejection(zfspoolPlugin.free(ctx, 'base-200-disk-0'));
    expect(error.code).toBe('command-failed');
    expect(error.message).toContain("volume 'base-200-disk-0' on storage 'local-zfs'");
    expect(error.message).toContain('dependent clones');
    expect(error.details).toMatchObject({
      command: 'zfs',
      args: ['destroy', '-r', 'rpool/data/base-200-disk-0'],
      exitCode: 1,
    });
  });

  it('createBase renames to base-/basevol- and takes @__base__; clones are zfs clones of it', async () => {
    const { ctx, mutations } = setup();
    await expect(zfspoolPlugin.createBase(ctx, 'vm-100-disk-1')).resolves.toBe('base-100-disk-1');
    await expect(zfspoolPlugin.clone(ctx, 'base-200-disk-0', 202)).resolves.toBe('base-200-disk-0/vm-202-disk-0');
    await expect(zfspoolPlugin.clone(ctx, 'basevol-400-disk-0', 402)).resolves.toBe(
      'basevol-400-disk-0/subvol-402-disk-0',
    );
    expect(mutations()).toEqual([
      'zfs rename rpool/data/vm-100-disk-1 rpool/data/base-100-disk-1',
      'zfs snapshot rpool/data/base-100-disk-1@__base__',
      'zfs clone rpool/data/base-200-disk-0@__base__ rpool/data/vm-202-disk-0',
      'zfs clone -o refquota=4294967296 rpool/data/basevol-400-disk-0@__base__ rpool/data/subvol-402-disk-0',
    ]);
  });

  it('a clone of a plain zvol is a full copy; of a snapshot of one, not supported', async () => {
    const dev = await tempDirForTest('hd-zfs-dev-');
    mkdirSync(join(dev, 'zvol', 'rpool', 'data'), { recursive: true });
    writeFileSync(join(dev, 'zvol', 'rpool', 'data', 'vm-103-disk-0'), '');
    const plugin = createZfsPoolPlugin({ devDir: dev });
    const { ctx, mutations } = setup();
    await expect(plugin.clone(ctx, 'vm-100-disk-0', 103)).resolves.toBe('vm-103-disk-0');
    expect(mutations()).toEqual([
      'zfs create -V 33554432k rpool/data/vm-103-disk-0',
      `qemu-img convert -n -f raw -O raw ${dev}/zvol/rpool/data/vm-100-disk-0 ${dev}/zvol/rpool/data/vm-103-disk-0`,
    ]);
    expect((await rejection(plugin.clone(ctx, 'vm-100-disk-0', 103, 'first'))).code).toBe('not-supported');
  });

  it('resize sets volsize (whole MiB) or refquota; never shrinks', async () => {
    const { ctx, mutations } = setup();
    await zfspoolPlugin.resize(ctx, 'vm-100-disk-0', 40 * 1024 ** 3);
    await zfspoolPlugin.resize(ctx, 'subvol-300-disk-0', 10 * 1024 ** 3);
    expect(mutations()).toEqual([
      'zfs set volsize=41943040k rpool/data/vm-100-disk-0',
      'zfs set refquota=10485760k rpool/data/subvol-300-disk-0',
    ]);
    expect((await rejection(zfspoolPlugin.resize(ctx, 'vm-100-disk-0', 1024))).code).toBe('invalid-params');
  });

  it("rename keeps a linked clone's base in its name", async () => {
    const { ctx, mutations } = setup();
    await expect(zfspoolPlugin.rename(ctx, 'base-200-disk-0/vm-201-disk-0', 205)).resolves.toBe(
      'base-200-disk-0/vm-205-disk-0',
    );
    expect(mutations()).toEqual(['zfs rename rpool/data/vm-201-disk-0 rpool/data/vm-205-disk-0']);
  });

  it('refuses hostile and foreign names before any command', async () => {
    const { ctx, runner } = setup();
    for (const volname of [
      '../../etc',
      'vm-100-disk-0@first',
      'vm-100-disk-0 -r',
      'rpool/data/vm-100-disk-0',
      'vm-100-disk-0.qcow2',
      'vm-201-disk-0/base-200-disk-0',
    ]) {
      expect((await rejection(zfspoolPlugin.free(ctx, volname))).code).toBe('invalid-params');
    }
    expect((await rejection(zfspoolPlugin.snapshotCreate(ctx, 'vm-100-disk-0', '__base__'))).code).toBe(
      'invalid-params',
    );
    expect((await rejection(zfspoolPlugin.snapshotCreate(ctx, 'base-200-disk-0', 'mine'))).code).toBe('not-supported');
    expect(runner.calls).toEqual([]);
  });

  it('streams a zvol out and in through its device; a subvol is not a raw stream', async () => {
    const dev = await tempDirForTest('hd-zfs-dev-');
    mkdirSync(join(dev, 'zvol', 'rpool', 'data'), { recursive: true });
    writeFileSync(join(dev, 'zvol', 'rpool', 'data', 'vm-100-disk-0'), Buffer.alloc(4096, 3));
    const plugin = createZfsPoolPlugin({ devDir: dev });
    const { ctx } = setup();
    const chunks: Buffer[] = [];
    await plugin.exportStream(
      ctx,
      'vm-100-disk-0',
      new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          chunks.push(chunk);
          done();
        },
      }),
    );
    expect(Buffer.concat(chunks)).toEqual(Buffer.alloc(4096, 3));
    await plugin.importStream(ctx, 'vm-100-disk-0', Readable.from([Buffer.alloc(10, 9)]));
    expect((await rejection(plugin.exportStream(ctx, 'subvol-300-disk-0', new Writable()))).code).toBe('not-supported');
  });
});
