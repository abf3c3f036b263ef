// The btrfs plugin on a real btrfs: a 512 MiB sparse file, mkfs.btrfs, loop-mounted for this file and always
// unmounted afterwards. Every step is checked with `btrfs subvolume list` and the files themselves.
import { mkdir, mkdtemp, open, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import { run, runChecked } from '../../exec/run';
import { tempDirForTest } from '../../fs/temp-dir';
import type { StorageContext } from '../plugin';
import type { BtrfsConfig } from '../storage-config';
import { btrfsPlugin } from './btrfs';
import { recordingRunner, testContext, type RecordingRunner } from './recording-runner';

const MiB = 1024 * 1024;

const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error) ? error.code : error).toBe(code);
  return error as Error;
};

const readAt = async (path: string, offset: number, length: number): Promise<string> => {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, offset);
    return buffer.toString('latin1');
  } finally {
    await handle.close();
  }
};

const writeAt = async (path: string, offset: number, text: string): Promise<void> => {
  const handle = await open(path, 'r+');
  try {
    await handle.write(Buffer.from(text, 'latin1'), 0, text.length, offset);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

describe('btrfs storage (loop-mounted btrfs)', () => {
  let work: string;
  let mnt: string;
  let mounted = false;
  let counter = 0;
  let runner: RecordingRunner;
  let ctx: StorageContext<BtrfsConfig>;
  let store: string;

  /** Subvolume paths below the storage, as `btrfs subvolume list` reports them. */
  const subvolumes = async (): Promise<string[]> => {
    const prefix = `s${counter}/`;
    return (await runChecked('btrfs', ['subvolume', 'list', mnt])).stdout
      .split('\n')
      .map((line) => / path (.*)$/.exec(line)?.[1])
      .filter((path): path is string => path?.startsWith(prefix) === true)
      .map((path) => path.slice(prefix.length))
      .sort();
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hd-btrfs-'));
    mnt = join(work, 'mnt');
    await mkdir(mnt);
    await runChecked('truncate', ['-s', '512M', join(work, 'fs.img')]);
    await runChecked('mkfs.btrfs', ['-q', join(work, 'fs.img')]);
    await runChecked('mount', ['-o', 'loop', join(work, 'fs.img'), mnt]);
    mounted = true;
  });

  afterAll(async () => {
    if (mounted) await run('umount', [mnt]);
    await rm(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    counter += 1;
    runner = recordingRunner();
    ctx = testContext<BtrfsConfig>('data', { path: `/s${counter}`, content: ['images', 'rootdir', 'iso', 'backup'] }, mnt, runner);
    store = join(mnt, `s${counter}`);
    await btrfsPlugin.activate(ctx);
  });

  it('activate checks the file system is btrfs; status comes from statfs', async () => {
    expect((await readdir(store)).sort()).toEqual(['dump', 'images', 'private', 'template']);
    const status = await btrfsPlugin.status(ctx);
    expect(status.active).toBe(true);
    expect(status.total).toBeGreaterThan(400 * MiB);
    expect(status.total).toBeLessThanOrEqual(512 * MiB);
    const plain = await tempDirForTest('hd-not-btrfs-');
    const other = testContext<BtrfsConfig>('plain', { path: '/store', content: ['images'] }, plain, runner);
    const error = await expectCode(btrfsPlugin.activate(other), 'invalid-params');
    expect(error.message).toMatch(/plain.*not on a btrfs file system/);
    expect(await readdir(join(plain, 'store'))).toEqual([]);
  });

  it('alloc makes a subvolume per raw disk (disk.raw inside) and per container volume', async () => {
    const raw = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: 8 * MiB });
    const subvol = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'subvol', size: 0 });
    expect([raw, subvol]).toEqual(['100/vm-100-disk-0.raw', '100/subvol-100-disk-1.subvol']);
    expect(await subvolumes()).toEqual(['images/100/subvol-100-disk-1.subvol', 'images/100/vm-100-disk-0']);
    expect(await btrfsPlugin.path(ctx, raw)).toBe(join(store, 'images/100/vm-100-disk-0/disk.raw'));
    const info = JSON.parse((await runChecked('qemu-img', ['info', '--output=json', await btrfsPlugin.path(ctx, raw)])).stdout) as Record<string, unknown>;
    expect(info).toMatchObject({ format: 'raw', 'virtual-size': 8 * MiB });
    expect(runner.argsOf('btrfs')).toEqual([
      ['subvolume', 'create', '--', join(store, 'images/100/vm-100-disk-0')],
      ['subvolume', 'create', '--', join(store, 'images/100/subvol-100-disk-1.subvol')],
    ]);
    await expectCode(btrfsPlugin.alloc(ctx, { vmid: 100, format: 'subvol', size: MiB }), 'not-supported');
    await expectCode(btrfsPlugin.alloc(ctx, { vmid: 100, format: 'qcow2', size: MiB }), 'not-supported');
    await expectCode(btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: MiB, name: 'vm-100-disk-0.raw' }), 'already-exists');
    await expectCode(btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: -1 }), 'invalid-params');
    const nocow = { ...ctx, config: { ...ctx.config, nocow: true } };
    const plain = await btrfsPlugin.alloc(nocow, { vmid: 105, format: 'raw', size: MiB });
    expect((await runChecked('lsattr', [await btrfsPlugin.path(ctx, plain)])).stdout).toMatch(/^\S*C\S* /);
    expect(runner.argsOf('chattr')).toEqual([['+C', join(store, 'images/105/vm-105-disk-0/disk.raw')]]);
    await btrfsPlugin.free(ctx, plain);
    expect((await btrfsPlugin.list(ctx)).map((v) => [v.volid, v.content, v.format, v.size, v.vmid])).toEqual([
      ['data:100/subvol-100-disk-1.subvol', 'rootdir', 'subvol', 0, 100],
      ['data:100/vm-100-disk-0.raw', 'images', 'raw', 8 * MiB, 100],
    ]);
  });

  it('8 allocations at once all succeed with distinct names', async () => {
    const volnames = await Promise.all(Array.from({ length: 8 }, (_, i) => btrfsPlugin.alloc(ctx, { vmid: 200, format: i % 2 ? 'raw' : 'subvol', size: i % 2 ? MiB : 0 })));
    const disks = volnames.map((v) => /disk-(\d+)\./.exec(v)?.[1]);
    expect([...disks].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect((await subvolumes()).length).toBe(8);
  });

  it('snapshot is a read-only subvolume; rollback restores the data written before it; delete removes it', async () => {
    const volname = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: 4 * MiB });
    const file = await btrfsPlugin.path(ctx, volname);
    await writeAt(file, MiB, 'MARKER-BEFORE');
    await btrfsPlugin.snapshotCreate(ctx, volname, 'snap1');
    expect(await subvolumes()).toEqual(['images/100/vm-100-disk-0', 'images/100/vm-100-disk-0@snap1']);
    expect((await runChecked('btrfs', ['property', 'get', '-ts', join(store, 'images/100/vm-100-disk-0@snap1'), 'ro'])).stdout.trim()).toBe('ro=true');
    await expectCode(btrfsPlugin.snapshotCreate(ctx, volname, 'snap1'), 'already-exists');
    await writeAt(file, MiB, 'MARKER-AFTER!');
    await btrfsPlugin.snapshotRollback(ctx, volname, 'snap1');
    expect(await readAt(file, MiB, 13)).toBe('MARKER-BEFORE');
    expect(await subvolumes()).toEqual(['images/100/vm-100-disk-0', 'images/100/vm-100-disk-0@snap1']);
    expect((await runChecked('btrfs', ['property', 'get', '-ts', join(store, 'images/100/vm-100-disk-0'), 'ro'])).stdout.trim()).toBe('ro=false');
    await writeAt(file, MiB, 'STILL-WRITABLE');
    await btrfsPlugin.snapshotDelete(ctx, volname, 'snap1');
    expect(await subvolumes()).toEqual(['images/100/vm-100-disk-0']);
    await expectCode(btrfsPlugin.snapshotRollback(ctx, volname, 'snap1'), 'not-found');
    await expectCode(btrfsPlugin.snapshotCreate(ctx, volname, 'x;y'), 'invalid-params');
    const snapshotCommands = runner.argsOf('btrfs').filter((args) => args[1] === 'snapshot');
    expect(snapshotCommands[0]).toEqual(['subvolume', 'snapshot', '-r', '--', join(store, 'images/100/vm-100-disk-0'), join(store, 'images/100/vm-100-disk-0@snap1')]);
  });

  it('resize grows the raw file and never shrinks it', async () => {
    const volname = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: 4 * MiB });
    await btrfsPlugin.snapshotCreate(ctx, volname, 'snap1');
    await btrfsPlugin.resize(ctx, volname, 16 * MiB);
    const info = JSON.parse((await runChecked('qemu-img', ['info', '--output=json', await btrfsPlugin.path(ctx, volname)])).stdout) as Record<string, unknown>;
    expect(info['virtual-size']).toBe(16 * MiB);
    await expectCode(btrfsPlugin.resize(ctx, volname, MiB), 'invalid-params');
    const subvol = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'subvol', size: 0 });
    await expectCode(btrfsPlugin.resize(ctx, subvol, MiB), 'not-supported');
  });

  it('clone is a writable snapshot of the volume or of one of its snapshots, independent of the source', async () => {
    const volname = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: 4 * MiB });
    const file = await btrfsPlugin.path(ctx, volname);
    await writeAt(file, 0, 'FIRST');
    await btrfsPlugin.snapshotCreate(ctx, volname, 'snap1');
    await writeAt(file, 0, 'SECOND');
    const fromSnap = await btrfsPlugin.clone(ctx, volname, 101, 'snap1');
    const current = await btrfsPlugin.clone(ctx, volname, 101);
    expect([fromSnap, current]).toEqual(['101/vm-101-disk-0.raw', '101/vm-101-disk-1.raw']);
    expect(await readAt(await btrfsPlugin.path(ctx, fromSnap), 0, 5)).toBe('FIRST');
    expect(await readAt(await btrfsPlugin.path(ctx, current), 0, 6)).toBe('SECOND');
    await writeAt(await btrfsPlugin.path(ctx, current), 0, 'CLONE!');
    expect(await readAt(file, 0, 6)).toBe('SECOND');
    expect(await subvolumes()).toEqual(['images/100/vm-100-disk-0', 'images/100/vm-100-disk-0@snap1', 'images/101/vm-101-disk-0', 'images/101/vm-101-disk-1']);
    const ct = await btrfsPlugin.alloc(ctx, { vmid: 102, format: 'subvol', size: 0 });
    await writeFile(join(await btrfsPlugin.path(ctx, ct), 'hello'), 'world');
    const ctClone = await btrfsPlugin.clone(ctx, ct, 103);
    expect(ctClone).toBe('103/subvol-103-disk-0.subvol');
    expect(await readFile(join(await btrfsPlugin.path(ctx, ctClone), 'hello'), 'utf8')).toBe('world');
  });

  it('free deletes the volume with its snapshots; rename moves both to the new owner', async () => {
    const volname = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: MiB });
    await btrfsPlugin.snapshotCreate(ctx, volname, 'snap1');
    await btrfsPlugin.snapshotCreate(ctx, volname, 'snap2');
    const renamed = await btrfsPlugin.rename(ctx, volname, 104);
    expect(renamed).toBe('104/vm-104-disk-0.raw');
    expect(await subvolumes()).toEqual(['images/104/vm-104-disk-0', 'images/104/vm-104-disk-0@snap1', 'images/104/vm-104-disk-0@snap2']);
    expect((await runChecked('btrfs', ['property', 'get', '-ts', join(store, 'images/104/vm-104-disk-0@snap1'), 'ro'])).stdout.trim()).toBe('ro=true');
    await btrfsPlugin.snapshotRollback(ctx, renamed, 'snap2');
    await btrfsPlugin.free(ctx, renamed);
    expect(await subvolumes()).toEqual([]);
    expect(await readdir(join(store, 'images'))).toEqual([]);
    expect(runner.argsOf('btrfs').at(-1)).toEqual([
      'subvolume', 'delete', '--', join(store, 'images/104/vm-104-disk-0@snap1'), join(store, 'images/104/vm-104-disk-0@snap2'), join(store, 'images/104/vm-104-disk-0'),
    ]);
    await expectCode(btrfsPlugin.free(ctx, renamed), 'not-found');
  });

  it('export and import stream a raw disk', async () => {
    const volname = await btrfsPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: 2 * MiB });
    const data = Buffer.alloc(2 * MiB);
    data.write('BTRFS-MARKER', MiB + 7);
    await btrfsPlugin.importStream(ctx, volname, Readable.from([data]));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    await btrfsPlugin.exportStream(ctx, volname, out);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('refuses hostile volnames and symlinks out of the storage, touching nothing outside', async () => {
    const outside = join(work, 'outside');
    await mkdir(outside, { recursive: true });
    const canary = join(outside, 'canary');
    await writeFile(canary, 'canary');
    await symlink(outside, join(store, 'images/666'));
    for (const volname of ['../../etc/passwd', '/etc/passwd', '100/vm-100-disk-0.raw;reboot', '100/../../outside/x.raw', '100/vm-100-disk-0.raw\n']) {
      await expectCode(btrfsPlugin.path(ctx, volname), 'invalid-params');
      await expectCode(btrfsPlugin.free(ctx, volname), 'invalid-params');
      await expectCode(btrfsPlugin.snapshotCreate(ctx, volname, 'snap1'), 'invalid-params');
    }
    await expectCode(btrfsPlugin.alloc(ctx, { vmid: 666, format: 'raw', size: MiB }), 'access-denied');
    await expectCode(btrfsPlugin.free(ctx, '666/vm-666-disk-0.raw'), 'access-denied');
    await expectCode(btrfsPlugin.snapshotCreate(ctx, '666/vm-666-disk-0.raw', 'snap1'), 'access-denied');
    expect(await readdir(outside)).toEqual(['canary']);
    expect(await readFile(canary, 'utf8')).toBe('canary');
    expect(runner.commands).toEqual([]);
  });
});
