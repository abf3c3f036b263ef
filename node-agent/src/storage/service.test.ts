// The service with the real dir plugin under a temp root: volumes, ownership, enabled-here, and staged uploads.
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDirForTest } from '../fs/temp-dir';
import { uploadCommit, uploadTarget } from './content-transfer';
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
  service = new StorageService({ root, node: 'n1', store, locks: new LocalStorageLocks(), registry: createRegistry([dirPlugin]) });
  const { digest } = await store.read();
  await store.add({ type: 'dir', id: 'images', path: '/srv/images', content: ['images', 'rootdir', 'iso', 'vztmpl'] }, digest);
});

describe('the storage service', () => {
  it('lists storages with capabilities and whether they are enabled on this node', async () => {
    const { digest } = await service.readConfig();
    await service.add({ type: 'dir', id: 'elsewhere', path: '/srv/x', content: ['iso'], nodes: ['n2'] }, digest);
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

  it('allocates 8 volumes at once under the storage lock: 8 distinct names', async () => {
    const volids = await Promise.all(
      Array.from({ length: 8 }, () => service.alloc({ storage: 'images', vmid: 100, size: 1024 * 1024 }, call).then((result) => result.volid)),
    );
    expect(new Set(volids).size).toBe(8);
    expect(volids.sort()).toEqual(Array.from({ length: 8 }, (_, n) => `images:100/vm-100-disk-${n}.raw`).sort());
    expect((await service.contentList('images', { vmid: 100 }, call)).length).toBe(8);
  });

  it('deletes a guest volume only for its owner', async () => {
    const { volid } = await service.alloc({ storage: 'images', vmid: 101, size: 1024 * 1024, format: 'qcow2' }, call);
    expect(await caught(service.contentDelete(volid, undefined, call))).toMatchObject({ code: 'access-denied' });
    expect(await caught(service.contentDelete(volid, 102, call))).toMatchObject({ code: 'access-denied' });
    expect(await caught(service.free('images:iso/x.iso', 101, call))).toMatchObject({ code: 'invalid-params' });
    await service.resize(volid, 101, 2 * 1024 * 1024, call);
    expect(await caught(service.resize(volid, 101, 1024 * 1024, call))).toMatchObject({ code: 'invalid-params' });
    await service.snapshot(volid, 101, 'before', 'create', call);
    await service.snapshot(volid, 101, 'before', 'delete', call);
    await service.contentDelete(volid, 101, call);
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
    const request = { storage: 'images', content: 'iso' as const, filename: 'tiny.iso', size: data.length, sha256 };
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
    expect(await caught(uploadTarget(service, { ...request, filename: '../evil.iso' }, signal))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(uploadTarget(service, { ...request, filename: 'x.exe' }, signal))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(uploadTarget(service, { ...request, content: 'vztmpl', filename: 'tiny.iso' }, signal))).toMatchObject({ code: 'invalid-params' });
  });
});
