import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../api/errors';
import { tempDirForTest } from '../fs/temp-dir';
import { DEFAULT_STORAGE_CFG, StorageStore, storageCfgDigest } from './storage-store';

let store: StorageStore;

beforeEach(async () => {
  store = StorageStore.at(join(await tempDirForTest('hd-storage-store-'), 'etc/hyperdesk'));
});

const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);
const onDisk = () => readFile(store.file, 'utf8');

/** A property line outside any section: PVE's parser (and S1's) refuses it. */
const MALFORMED = 'dir: local\n\tpath /var/lib/vz\n\tcontent iso\n\n\tpath /elsewhere\n';

describe('the storage.cfg store', () => {
  it('starts a fresh node with PVE\'s local dir storage, and its digest, without writing anything', async () => {
    const cfg = await store.read();
    expect(cfg.digest).toBe(storageCfgDigest(DEFAULT_STORAGE_CFG));
    expect(cfg.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(cfg.storages).toEqual([expect.objectContaining({ type: 'dir', id: 'local', path: '/var/lib/vz', content: ['iso', 'vztmpl', 'backup'] })]);
    expect(await caught(onDisk())).toMatchObject({ code: 'ENOENT' });
  });

  it('adds a storage with the digest it read, and the file says so in section-config form', async () => {
    const { digest } = await store.read();
    const next = await store.add({ type: 'dir', id: 'fast', path: '/srv/fast', content: ['images', 'iso'] }, digest);
    expect(next.digest).not.toBe(digest);
    const text = await onDisk();
    expect(storageCfgDigest(text)).toBe(next.digest);
    expect(text).toMatch(new RegExp(`^${DEFAULT_STORAGE_CFG}\ndir: fast\n\tpath /srv/fast\n\tcontent (images,iso|iso,images)\n$`));
    expect((await store.read()).storages.map((storage) => storage.id)).toEqual(['local', 'fast']);
  });

  it('refuses a stale digest with conflict and changes nothing', async () => {
    const { digest } = await store.read();
    await store.add({ type: 'dir', id: 'aa', path: '/srv/a', content: ['iso'] }, digest);
    const before = await onDisk();
    const error = await caught(store.add({ type: 'dir', id: 'bb', path: '/srv/b', content: ['iso'] }, digest));
    expect(isAppError(error, 'conflict')).toBe(true);
    expect((error as Error).message).toMatch(/^storage\.cfg changed since you read it \(digest [0-9a-f]{12}…/);
    expect(await onDisk()).toBe(before);
  });

  it('lets one of two changes based on the same digest through', async () => {
    const { digest } = await store.read();
    const results = await Promise.allSettled([
      store.add({ type: 'dir', id: 'aa', path: '/srv/a', content: ['iso'] }, digest),
      store.add({ type: 'dir', id: 'bb', path: '/srv/b', content: ['iso'] }, digest),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuses a malformed file on disk with invalid-params naming the line, and writes nothing', async () => {
    await store.add({ type: 'dir', id: 'aa', path: '/srv/a', content: ['iso'] });
    await writeFile(store.file, MALFORMED);
    const error = await caught(store.read());
    expect(isAppError(error, 'invalid-params')).toBe(true);
    expect((error as Error).message).toContain(`${store.file} line 5`);
    expect(await caught(store.add({ type: 'dir', id: 'bb', path: '/srv/b', content: ['iso'] }))).toMatchObject({ code: 'invalid-params' });
    expect(await onDisk()).toBe(MALFORMED);
  });

  it('validates before writing: duplicate ids, bad properties, content the type cannot hold', async () => {
    const { digest } = await store.read();
    expect(await caught(store.add({ type: 'dir', id: 'local', path: '/x', content: ['iso'] }, digest))).toMatchObject({ code: 'already-exists' });
    expect(await caught(store.add({ type: 'dir', id: 'nopath', content: ['iso'] }, digest))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(store.add({ type: 'lvm', id: 'vg', vgname: 'pve', content: ['iso'] }, digest))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(store.add({ type: 'dir', id: 'nl', path: '/x\n\tpath /etc', content: ['iso'] }, digest))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(onDisk())).toMatchObject({ code: 'ENOENT' });
  });

  it('keeps comments, unknown keys and sections of types it does not build through an edit', async () => {
    const pve = '# written by PVE\ndir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n\tfuture-option 1\n\nnfs: backup\n\texport /srv/backup\n\tpath /mnt/pve/backup\n\tserver 198.18.0.9\n\tcontent backup\n';
    await store.add({ type: 'dir', id: 'seed', path: '/srv/seed', content: ['iso'] });
    await writeFile(store.file, pve);
    const { digest, storages } = await store.read();
    expect(storages.map((storage) => storage.id)).toEqual(['local']);
    await store.add({ type: 'dir', id: 'more', path: '/srv/more', content: ['iso'] }, digest);
    expect((await onDisk()).startsWith(pve)).toBe(true);
    expect(await caught(store.set('backup', { content: ['iso'] }, [], storageCfgDigest(await onDisk())))).toMatchObject({ code: 'not-supported' });
  });

  it('sets and deletes properties, keeps type and id, and removes storages', async () => {
    let { digest } = await store.read();
    ({ digest } = await store.add({ type: 'dir', id: 'aa', path: '/srv/a', content: ['iso'], nodes: ['n1', 'n2'] }, digest));
    ({ digest } = await store.set('aa', { content: ['iso', 'backup'], disable: true }, ['nodes'], digest));
    const changed = (await store.read()).storages[1]!;
    expect(changed).toMatchObject({ type: 'dir', id: 'aa', path: '/srv/a', disable: true });
    expect([...changed.content].sort()).toEqual(['backup', 'iso']);
    expect(changed.nodes).toBeUndefined();
    expect(await caught(store.set('aa', { type: 'lvm' }, [], digest))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(store.set('nope', {}, [], digest))).toMatchObject({ code: 'not-found' });
    ({ digest } = await store.remove('aa', digest));
    expect((await store.read()).storages.map((storage) => storage.id)).toEqual(['local']);
    expect(await caught(store.remove('aa', digest))).toMatchObject({ code: 'not-found' });
  });
});
