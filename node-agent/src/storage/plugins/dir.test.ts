// The dir plugin against a real folder with the real qemu-img: every step checked with qemu-img info and the files.
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import { runChecked } from '../../exec/run';
import { tempDirForTest } from '../../fs/temp-dir';
import type { StorageContext } from '../plugin';
import type { DirConfig } from '../storage-config';
import { dirPlugin } from './dir';
import { recordingRunner, testContext, type RecordingRunner } from './recording-runner';

const MiB = 1024 * 1024;

const info = async (path: string) =>
  JSON.parse((await runChecked('qemu-img', ['info', '--output=json', path])).stdout) as {
    'virtual-size': number;
    'actual-size': number;
    format: string;
    'backing-filename'?: string;
    snapshots?: { name: string }[];
  };

/** Write `pattern` bytes (0..255) at `offset` inside an image with qemu-io, independent of the plugin. */
const writeAt = (path: string, format: string, offset: number, pattern: number) =>
  runChecked('qemu-io', ['-f', format, '-c', `write -P ${pattern} ${offset} 4k`, path]);
/** Whether the 4 KiB at `offset` all hold `pattern` (qemu-io read -P fails the compare otherwise). */
const holds = async (path: string, format: string, offset: number, pattern: number) =>
  !(await runChecked('qemu-io', ['-f', format, '-c', `read -P ${pattern} ${offset} 4k`, path])).stdout.includes('Pattern verification failed');

const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error) ? error.code : error).toBe(code);
  return error as Error;
};

const drain = async (stream: PassThrough): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe('dir storage', () => {
  let root: string;
  let store: string;
  let runner: RecordingRunner;
  let ctx: StorageContext<DirConfig>;
  const path = (volname: string) => dirPlugin.path(ctx, volname);

  beforeEach(async () => {
    root = await tempDirForTest('hd-dir-');
    store = join(root, 'var/lib/vz');
    runner = recordingRunner();
    ctx = testContext<DirConfig>('local', { path: '/var/lib/vz', content: ['images', 'rootdir', 'iso', 'vztmpl', 'backup', 'snippets', 'import'] }, root, runner);
    await dirPlugin.activate(ctx);
  });

  it('activate makes PVE’s folders; status reports the file system; is_mountpoint refuses a plain folder', async () => {
    for (const folder of ['images', 'template/iso', 'template/cache', 'dump', 'snippets', 'import', 'private']) {
      expect((await stat(join(store, folder))).isDirectory()).toBe(true);
    }
    const status = await dirPlugin.status(ctx);
    expect(status.active).toBe(true);
    expect(status.total).toBeGreaterThan(0);
    expect(status.avail).toBeLessThanOrEqual(status.total);
    const mounted = { ...ctx, config: { ...ctx.config, is_mountpoint: 'yes' } };
    const error = await expectCode(dirPlugin.activate(mounted), 'unreachable');
    expect(error.message).toContain('local');
    expect(await dirPlugin.status(mounted)).toEqual({ total: 0, used: 0, avail: 0, active: false });
    const noMkdir = testContext<DirConfig>('other', { path: '/srv/none', content: ['iso'], mkdir: false }, root, runner);
    await expectCode(dirPlugin.activate(noMkdir), 'not-found');
    await expect(stat(join(root, 'srv'))).rejects.toThrow();
  });

  it('alloc creates raw and qcow2 images with qemu-img, honouring preallocation', async () => {
    const raw = await dirPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: 4 * MiB });
    const qcow2 = await dirPlugin.alloc(ctx, { vmid: 100, format: 'qcow2', size: 8 * MiB });
    expect([raw, qcow2]).toEqual(['100/vm-100-disk-0.raw', '100/vm-100-disk-1.qcow2']);
    expect(await info(await path(raw))).toMatchObject({ format: 'raw', 'virtual-size': 4 * MiB });
    expect(await info(await path(qcow2))).toMatchObject({ format: 'qcow2', 'virtual-size': 8 * MiB });
    expect(runner.argsOf('qemu-img').filter((args) => args[0] === 'create')).toEqual([
      ['create', '-f', 'raw', '-o', 'preallocation=off', join(store, 'images/100/vm-100-disk-0.raw'), String(4 * MiB)],
      ['create', '-f', 'qcow2', '-o', 'preallocation=metadata', join(store, 'images/100/vm-100-disk-1.qcow2'), String(8 * MiB)],
    ]);
    const full = { ...ctx, config: { ...ctx.config, preallocation: 'full' as const } };
    const fat = await dirPlugin.alloc(full, { vmid: 101, format: 'raw', size: 4 * MiB, name: 'vm-101-disk-7.raw' });
    expect(fat).toBe('101/vm-101-disk-7.raw');
    expect((await info(await path(fat)))['actual-size']).toBeGreaterThanOrEqual(4 * MiB);
    await expectCode(dirPlugin.alloc(ctx, { vmid: 101, format: 'raw', size: MiB, name: 'vm-101-disk-7.raw' }), 'already-exists');
    await expectCode(dirPlugin.alloc(ctx, { vmid: 101, format: 'raw', size: MiB, name: 'vm-102-disk-0.raw' }), 'access-denied');
    await expectCode(dirPlugin.alloc(ctx, { vmid: 101, format: 'raw', size: MiB, name: 'vm-101-disk-1.qcow2' }), 'invalid-params');
    await expectCode(dirPlugin.alloc(ctx, { vmid: 101, format: 'raw', size: MiB, name: '../../etc/x.raw' }), 'invalid-params');
    await expectCode(dirPlugin.alloc(ctx, { vmid: 100, format: 'subvol', size: MiB }), 'not-supported');
    const ct = await dirPlugin.alloc(ctx, { vmid: 100, format: 'subvol', size: 0 });
    expect(ct).toBe('100/subvol-100-disk-2.subvol');
    expect((await stat(await path(ct))).isDirectory()).toBe(true);
    const listed = await dirPlugin.list(ctx, { vmid: 100 });
    expect(listed.map((v) => [v.volid, v.content, v.format, v.size, v.vmid])).toEqual([
      ['local:100/subvol-100-disk-2.subvol', 'rootdir', 'subvol', 0, 100],
      ['local:100/vm-100-disk-0.raw', 'images', 'raw', 4 * MiB, 100],
      ['local:100/vm-100-disk-1.qcow2', 'images', 'qcow2', 8 * MiB, 100],
    ]);
    await dirPlugin.free(ctx, ct);
    await expect(stat(join(store, 'images/100/subvol-100-disk-2.subvol'))).rejects.toThrow();
  });

  it('8 allocations at once all succeed with distinct names', async () => {
    const volnames = await Promise.all(Array.from({ length: 8 }, (_, i) => dirPlugin.alloc(ctx, { vmid: 200, format: i % 2 ? 'raw' : 'qcow2', size: MiB })));
    const disks = volnames.map((v) => /disk-(\d+)\./.exec(v)?.[1]);
    expect(new Set(disks).size).toBe(8);
    expect([...disks].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    for (const [i, volname] of volnames.entries()) expect((await info(await path(volname))).format).toBe(i % 2 ? 'raw' : 'qcow2');
    expect((await readdir(join(store, 'images/200'))).length).toBe(8);
  });

  it('resize grows, never shrinks, and refuses a qcow2 with snapshots', async () => {
    const volname = await dirPlugin.alloc(ctx, { vmid: 100, format: 'qcow2', size: 4 * MiB });
    await dirPlugin.resize(ctx, volname, 12 * MiB);
    expect((await info(await path(volname)))['virtual-size']).toBe(12 * MiB);
    expect(runner.argsOf('qemu-img').at(-1)).toEqual(['resize', '-f', 'qcow2', '--preallocation=metadata', await path(volname), String(12 * MiB)]);
    await expectCode(dirPlugin.resize(ctx, volname, 2 * MiB), 'invalid-params');
    await dirPlugin.snapshotCreate(ctx, volname, 'before');
    const error = await expectCode(dirPlugin.resize(ctx, volname, 16 * MiB), 'not-supported');
    expect(error.message).toContain('before');
    expect((await info(await path(volname)))['virtual-size']).toBe(12 * MiB);
  });

  it('snapshot, rollback and delete on qcow2 restore the data written before; raw is refused naming its format', async () => {
    const volname = await dirPlugin.alloc(ctx, { vmid: 100, format: 'qcow2', size: 4 * MiB });
    const file = await path(volname);
    await writeAt(file, 'qcow2', MiB, 0xa1);
    await dirPlugin.snapshotCreate(ctx, volname, 'snap1');
    expect((await info(file)).snapshots?.map((s) => s.name)).toEqual(['snap1']);
    await expectCode(dirPlugin.snapshotCreate(ctx, volname, 'snap1'), 'already-exists');
    await writeAt(file, 'qcow2', MiB, 0xb2);
    expect(await holds(file, 'qcow2', MiB, 0xb2)).toBe(true);
    await dirPlugin.snapshotRollback(ctx, volname, 'snap1');
    expect(await holds(file, 'qcow2', MiB, 0xa1)).toBe(true);
    expect(runner.argsOf('qemu-img').filter((args) => args[0] === 'snapshot')).toEqual([
      ['snapshot', '-c', 'snap1', file],
      ['snapshot', '-a', 'snap1', file],
    ]);
    await dirPlugin.snapshotDelete(ctx, volname, 'snap1');
    expect((await info(file)).snapshots ?? []).toEqual([]);
    await expectCode(dirPlugin.snapshotRollback(ctx, volname, 'snap1'), 'not-found');
    await expectCode(dirPlugin.snapshotCreate(ctx, volname, '1bad;name'), 'invalid-params');
    const raw = await dirPlugin.alloc(ctx, { vmid: 100, format: 'raw', size: MiB });
    const error = await expectCode(dirPlugin.snapshotCreate(ctx, raw, 'snap1'), 'not-supported');
    expect(error.message).toContain('raw');
  });

  it('clones: linked qcow2 from a base image, full copies of a volume or of a snapshot; a base with clones stays', async () => {
    const disk = await dirPlugin.alloc(ctx, { vmid: 100, format: 'qcow2', size: 4 * MiB });
    await writeAt(await path(disk), 'qcow2', 0, 0x11);
    const base = await dirPlugin.rename(ctx, disk, 100, 'base-100-disk-0.qcow2');
    expect(base).toBe('100/base-100-disk-0.qcow2');
    const linked = await dirPlugin.clone(ctx, base, 101);
    expect(linked).toBe('100/base-100-disk-0.qcow2/101/vm-101-disk-0.qcow2');
    const linkedFile = await path(linked);
    expect(linkedFile).toBe(join(store, 'images/101/vm-101-disk-0.qcow2'));
    expect(await info(linkedFile)).toMatchObject({ format: 'qcow2', 'virtual-size': 4 * MiB, 'backing-filename': '../100/base-100-disk-0.qcow2' });
    expect(await holds(linkedFile, 'qcow2', 0, 0x11)).toBe(true);
    expect(runner.argsOf('qemu-img').at(-1)).toEqual([
      'create', '-F', 'qcow2', '-b', '../100/base-100-disk-0.qcow2', '-f', 'qcow2', '-o', 'extended_l2=on,cluster_size=128k,preallocation=metadata', linkedFile,
    ]);
    const listed = await dirPlugin.list(ctx, { vmid: 101 });
    expect(listed).toMatchObject([{ volid: `local:${linked}`, parent: 'local:100/base-100-disk-0.qcow2', vmid: 101 }]);
    await expectCode(dirPlugin.free(ctx, base), 'conflict');
    await expectCode(dirPlugin.rename(ctx, base, 100, 'base-100-disk-5.qcow2'), 'conflict');
    const moved = await dirPlugin.rename(ctx, linked, 104);
    expect(moved).toBe('100/base-100-disk-0.qcow2/104/vm-104-disk-0.qcow2');
    expect(await holds(await path(moved), 'qcow2', 0, 0x11)).toBe(true);

    const source = await dirPlugin.alloc(ctx, { vmid: 102, format: 'qcow2', size: 4 * MiB });
    await writeAt(await path(source), 'qcow2', MiB, 0x22);
    await dirPlugin.snapshotCreate(ctx, source, 'snap1');
    await writeAt(await path(source), 'qcow2', MiB, 0x33);
    const fromSnap = await dirPlugin.clone(ctx, source, 103, 'snap1');
    expect(fromSnap).toBe('103/vm-103-disk-0.qcow2');
    expect(await info(await path(fromSnap))).not.toHaveProperty('backing-filename');
    expect(await holds(await path(fromSnap), 'qcow2', MiB, 0x22)).toBe(true);
    const full = await dirPlugin.clone(ctx, source, 103);
    expect(full).toBe('103/vm-103-disk-1.qcow2');
    expect(await holds(await path(full), 'qcow2', MiB, 0x33)).toBe(true);
    expect(runner.argsOf('qemu-img').filter((a) => a[0] === 'convert')[0]).toEqual([
      'convert', '-f', 'qcow2', '-l', 'snapshot.name=snap1', '-O', 'qcow2', await path(source), await path(fromSnap),
    ]);
  });

  it('free removes the image (and its empty guest folder); rename moves it to its new owner', async () => {
    const volname = await dirPlugin.alloc(ctx, { vmid: 300, format: 'raw', size: MiB });
    const renamed = await dirPlugin.rename(ctx, volname, 301);
    expect(renamed).toBe('301/vm-301-disk-0.raw');
    await expect(stat(join(store, 'images/300'))).rejects.toThrow();
    expect((await info(await path(renamed))).format).toBe('raw');
    await expectCode(dirPlugin.rename(ctx, renamed, 302, 'vm-303-disk-0.raw'), 'access-denied');
    await dirPlugin.free(ctx, renamed);
    await expect(stat(join(store, 'images/301'))).rejects.toThrow();
    await expectCode(dirPlugin.free(ctx, renamed), 'not-found');
  });

  it('export and import stream raw data through raw and qcow2 volumes', async () => {
    const data = Buffer.alloc(2 * MiB);
    data.write('HYPERDESK-MARKER', MiB + 123);
    for (const format of ['raw', 'qcow2'] as const) {
      const volname = await dirPlugin.alloc(ctx, { vmid: 400, format, size: 2 * MiB });
      await dirPlugin.importStream(ctx, volname, Readable.from([data.subarray(0, MiB), data.subarray(MiB)]));
      const out = new PassThrough();
      const [received] = await Promise.all([drain(out), dirPlugin.exportStream(ctx, volname, out)]);
      expect(received.length).toBe(2 * MiB);
      expect(received.equals(data)).toBe(true);
      await expectCode(dirPlugin.importStream(ctx, volname, Readable.from([Buffer.alloc(3 * MiB, 1)])), 'invalid-params');
    }
    expect(await readdir(join(store, 'images/400'))).toEqual(['vm-400-disk-0.raw', 'vm-400-disk-1.qcow2']);
  });

  it('lists ISO images, templates and backups with their notes', async () => {
    await writeFile(join(store, 'template/iso/debian.iso'), 'iso');
    await writeFile(join(store, 'template/cache/debian-12.tar.zst'), 'tmpl');
    await writeFile(join(store, 'dump/vzdump-qemu-100-2024_01_31-12_00_00.vma.zst'), 'backup');
    await writeFile(join(store, 'dump/vzdump-qemu-100-2024_01_31-12_00_00.vma.zst.notes'), 'before upgrade\n');
    await writeFile(join(store, 'template/iso/not-an-iso.txt'), 'x');
    const listed = await dirPlugin.list(ctx);
    expect(listed.map((v) => [v.volid, v.content, v.vmid, v.notes])).toEqual([
      ['local:backup/vzdump-qemu-100-2024_01_31-12_00_00.vma.zst', 'backup', 100, 'before upgrade'],
      ['local:iso/debian.iso', 'iso', undefined, undefined],
      ['local:vztmpl/debian-12.tar.zst', 'vztmpl', undefined, undefined],
    ]);
    expect(await dirPlugin.list(ctx, { content: 'iso' })).toMatchObject([{ volid: 'local:iso/debian.iso', size: 3 }]);
    expect(await path('iso/new.iso')).toBe(join(store, 'template/iso/new.iso'));
  });

  it('refuses hostile volnames and symlinks out of the storage, touching nothing outside', async () => {
    const outside = join(root, 'outside');
    await mkdir(outside);
    const canary = join(outside, 'canary.raw');
    await writeFile(canary, 'canary');
    await symlink(outside, join(store, 'images/666'));
    await symlink(canary, join(store, 'template/iso/escape.iso'));
    const hostile = ['../../etc/passwd', '/etc/passwd', '100/../../../outside/canary.raw', '100/vm-100-disk-0.raw;rm -rf /', '100/$(id).raw', 'iso/../x.iso', '100//vm-100-disk-0.raw'];
    for (const volname of hostile) {
      await expectCode(dirPlugin.path(ctx, volname), 'invalid-params');
      await expectCode(dirPlugin.free(ctx, volname), 'invalid-params');
      await expectCode(dirPlugin.resize(ctx, volname, 8 * MiB), 'invalid-params');
      await expectCode(dirPlugin.snapshotCreate(ctx, volname, 'snap1'), 'invalid-params');
    }
    await expectCode(dirPlugin.path(ctx, '666/vm-666-disk-0.raw'), 'access-denied');
    await expectCode(dirPlugin.free(ctx, '666/vm-666-disk-0.raw'), 'access-denied');
    await expectCode(dirPlugin.alloc(ctx, { vmid: 666, format: 'raw', size: MiB }), 'access-denied');
    await expectCode(dirPlugin.path(ctx, 'iso/escape.iso'), 'access-denied');
    await expectCode(dirPlugin.exportStream(ctx, 'iso/escape.iso', new PassThrough()), 'access-denied');
    expect(await readFile(canary, 'utf8')).toBe('canary');
    expect(await readdir(outside)).toEqual(['canary.raw']);
    expect(runner.commands).toEqual([]);
  });
});
