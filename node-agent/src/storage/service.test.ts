// The service with the real dir plugin under a temp root: volumes, ownership, enabled-here, and staged uploads.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDirForTest } from '../fs/temp-dir';
import { findGuest, guestConfigPath } from '../guests/guest-configs';
import { STALE_UPLOAD_MS, sweepFolder, sweepStaleTransfers, uploadCommit, uploadTarget } from './content-transfer';
import { LocalStorageLocks } from './lock';
import { dirPlugin } from './plugins/dir';
import { createRegistry } from './registry';
import { StorageService } from './service';
import { StorageStore } from './storage-store';

let root: string;
let service: StorageService;
const signal = new AbortController().signal;
const call = { signal };
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

beforeEach(async () => {
  root = await tempDirForTest('hd-storage-service-');
  const store = StorageStore.at(join(root, 'etc/hyperdesk'));
  const configDir = join(root, 'etc/hyperdesk');
  service = new StorageService({
    root,
    node: 'n1',
    store,
    locks: new LocalStorageLocks(),
    registry: createRegistry([dirPlugin]),
    findGuest: (vmid) => findGuest(configDir, vmid),
  });
  const { digest } = await store.read();
  await store.add({ type: 'dir', id: 'images', path: '/srv/images', content: ['images', 'rootdir', 'iso', 'vztmpl'] }, digest);
});

describe('the storage service', () => {
  it('lists storages with capabilities and whether they are enabled on this node', async () => {
    const { digest } = await service.readConfig();
    await service.add({ type: 'dir', id: 'elsewhere', path: '/srv/x', content: ['iso'], nodes: ['n2'] }, digest, signal);
    const { storages } = await service.list();
    expect(storages.map(({ id, enabled }) => [id, enabled])).toEqual([
      ['local', true],
      ['images', true],
      ['elsewhere', false],
    ]);
    expect(storages[0]).toMatchObject({ type: 'dir', config: { path: '/var/lib/vz' }, shared: false, capabilities: { layout: 'file' } });
    expect(await caught(service.contentList('elsewhere', {}, call))).toMatchObject({ code: 'not-supported', message: 'storage elsewhere is not available on node n1' });
    const status = await service.status(undefined, signal);
    expect(status.find((entry) => entry.storage === 'images')).toMatchObject({ active: true, enabled: true });
    expect(status.find((entry) => entry.storage === 'elsewhere')).toMatchObject({ active: false, enabled: false, total: 0 });
  });

  it('adds a storage only once it activates on this node, and saves nothing when it cannot', async () => {
    const before = await readFile(join(root, 'etc/hyperdesk/storage.cfg'), 'utf8');
    const { digest } = await service.readConfig();
    const error = await caught(service.add({ type: 'dir', id: 'usb', path: '/mnt/usb', is_mountpoint: 'yes', content: ['backup'] }, digest, signal));
    expect(error).toMatchObject({
      code: 'unreachable',
      message: `storage usb cannot be used on node n1: unable to activate storage usb: ${join(root, 'mnt/usb')} is expected to be a mount point but is not mounted — nothing was saved`,
    });
    expect(await readFile(join(root, 'etc/hyperdesk/storage.cfg'), 'utf8')).toBe(before);
    await service.add({ type: 'dir', id: 'fresh', path: '/srv/fresh', content: ['iso', 'images'] }, digest, signal);
    expect((await stat(join(root, 'srv/fresh/template/iso'))).isDirectory()).toBe(true);
  });

  it('allocates 8 volumes at once under the storage lock: 8 distinct names', async () => {
    const volids = await Promise.all(
      Array.from({ length: 8 }, () => service.alloc({ storage: 'images', vmid: 100, size: 1024 * 1024 }, call).then((result) => result.volid)),
    );
    expect(new Set(volids).size).toBe(8);
    expect(volids.sort()).toEqual(Array.from({ length: 8 }, (_, n) => `images:100/vm-100-disk-${n}.raw`).sort());
    expect((await service.contentList('images', { vmid: 100 }, call)).length).toBe(8);
  });

  it('keeps a volume whose guest exists out of content deletion, and lets an orphan go', async () => {
    const { volid } = await service.alloc({ storage: 'images', vmid: 101, size: 1024 * 1024, format: 'qcow2' }, call);
    const config = guestConfigPath(join(root, 'etc/hyperdesk'), 'n2', 'qemu', 101);
    await mkdir(join(config, '..'), { recursive: true });
    await writeFile(config, 'name: web\n');
    expect(await caught(service.contentDelete(volid, undefined, call))).toMatchObject({
      code: 'access-denied',
      message: `volume ${volid} belongs to VM 101 on node n2, which exists — remove the disk from that guest (or destroy the guest) instead`,
    });
    expect(await caught(service.contentDelete(volid, 101, call))).toMatchObject({ code: 'access-denied' });
    const other = await caught(service.contentDelete(volid, 102, call));
    expect(other).toMatchObject({ code: 'access-denied' });
    expect((other as Error).message).toMatch(/101/);
    expect(await service.contentList('images', { vmid: 101 }, call)).toHaveLength(1);
    await rm(config);
    expect(await caught(service.free('images:iso/x.iso', 101, call))).toMatchObject({ code: 'invalid-params' });
    await service.resize(volid, 101, 2 * 1024 * 1024, call);
    expect(await caught(service.resize(volid, 101, 1024 * 1024, call))).toMatchObject({ code: 'invalid-params' });
    await service.snapshot(volid, 101, 'before', 'create', call);
    await service.snapshot(volid, 101, 'before', 'delete', call);
    await service.contentDelete(volid, undefined, call);
    expect(await service.contentList('images', { vmid: 101 }, call)).toEqual([]);
    expect(await caught(service.contentDelete('images:../../etc/passwd', undefined, call))).toMatchObject({ code: 'invalid-params' });
  });

  it('refuses snapshots of raw volumes on a dir storage before running anything', async () => {
    const { volid } = await service.alloc({ storage: 'images', vmid: 103, size: 1024 * 1024 }, call);
    expect(await caught(service.snapshot(volid, 103, 'snap1', 'create', call))).toMatchObject({ code: 'not-supported' });
  });

  it('stages an upload, resumes it, refuses a wrong sha256 and places a right one', async () => {
    const data = Buffer.from('an iso image, more or less\n'.repeat(1000));
    const sha256 = createHash('sha256').update(data).digest('hex');
    const fingerprint = createHash('sha256').update('tiny.iso as it is on the desktop').digest('hex');
    const request = { storage: 'images', content: 'iso' as const, filename: 'tiny.iso', size: data.length, fingerprint, sha256 };
    const first = await uploadTarget(service, request, signal);
    expect(first.offset).toBe(0);
    expect(first.path.startsWith(join(root, 'srv/images/template/iso/'))).toBe(true);
    await writeFile(first.path, data.subarray(0, 1000));
    expect(await uploadTarget(service, request, signal)).toEqual({ path: first.path, offset: 1000 });
    expect(await service.contentList('images', { content: 'iso' }, call)).toEqual([]); // a staged file is no volume yet
    await writeFile(first.path, data.subarray(0, 1000)); // a corrupted "resume": the commit must notice
    expect(await caught(uploadCommit(service, request, signal))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(stat(first.path))).toMatchObject({ code: 'ENOENT' });
    await writeFile(first.path, data);
    expect(await uploadCommit(service, request, signal)).toEqual({ volid: 'images:iso/tiny.iso' });
    expect(await readFile(join(root, 'srv/images/template/iso/tiny.iso'))).toEqual(data);
    expect(await caught(uploadTarget(service, request, signal))).toMatchObject({ code: 'already-exists' });
    await service.contentDelete('images:iso/tiny.iso', undefined, call);
    expect(await service.contentList('images', { content: 'iso' }, call)).toEqual([]);
    expect(await caught(service.contentDelete('images:iso/tiny.iso', undefined, call))).toMatchObject({ code: 'not-found' });
    expect(await caught(uploadTarget(service, { ...request, filename: '../evil.iso' }, signal))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(uploadTarget(service, { ...request, filename: 'x.exe' }, signal))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(uploadTarget(service, { ...request, content: 'vztmpl', filename: 'tiny.iso' }, signal))).toMatchObject({ code: 'invalid-params' });
  });

  it('sweeps partial downloads at start and staged uploads nobody resumed for a week', async () => {
    const dir = join(root, 'srv/images/template/iso');
    await mkdir(dir, { recursive: true });
    const names = {
      download: '.debian.iso.0123456789ab.download',
      freshUpload: '.alpine.iso.0123456789abcdef.upload',
      oldUpload: '.ubuntu.iso.fedcba9876543210.upload',
      image: 'kept.iso',
      hidden: '.not-ours',
    };
    for (const name of Object.values(names)) await writeFile(join(dir, name), 'x');
    const now = Date.now();
    const old = new Date(now - STALE_UPLOAD_MS - 60_000);
    await utimes(join(dir, names.oldUpload), old, old);
    expect(await sweepFolder(dir, { downloads: false, now })).toEqual([join(dir, names.oldUpload)]);
    const lines: string[] = [];
    await sweepStaleTransfers(service, (line) => lines.push(line));
    expect(lines).toEqual([`removed a stale partial transfer: ${join(dir, names.download)}`]);
    expect((await readdir(dir)).sort()).toEqual([names.freshUpload, names.hidden, names.image].sort());
  });
});
