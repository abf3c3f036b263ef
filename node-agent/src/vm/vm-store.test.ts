// VM configs on disk under a temp config folder: reads that name the node, VMIDs claimed once cluster-wide, digest
// checks under the per-VM config lock, and the `lock:` key of long operations.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { tempDirForTest } from '../fs/temp-dir';
import { guestConfigPath, type GuestKind } from '../guests/guest-configs';
import { CURRENT, currentOf, parseVmConf, setKey } from './config/conf-document';
import { VmStore } from './vm-store';

let configDir: string;
let store: VmStore;
const holder = { label: 'test' };
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => AppError.from(error),
  );
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** A guest config written by hand, as another node (or PVE) would leave it. */
const place = async (node: string, kind: GuestKind, vmid: number, text: string): Promise<void> => {
  const path = guestConfigPath(configDir, node, kind, vmid);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
};

beforeEach(async () => {
  configDir = await tempDirForTest('hd-vm-store-');
  store = new VmStore(configDir, 'n1');
});

describe('VmStore.read', () => {
  it('gives the parsed config, its text and PVE’s digest (sha1 of the text)', async () => {
    const text = '#web server\ncores: 2\nname: web\n\n[PENDING]\nmemory: 1024\n';
    await place('n1', 'qemu', 100, text);
    const read = await store.read(100);
    expect(read.text).toBe(text);
    expect(read.digest).toBe(sha1(text));
    expect(currentOf(read.conf).values).toEqual({ cores: '2', name: 'web' });
    expect(currentOf(read.conf).description).toBe('web server');
  });

  it('names the node when the VM does not exist', async () => {
    expect(await caught(store.read(100))).toMatchObject({
      code: 'not-found',
      message: 'VM 100 does not exist on node n1',
    });
  });

  it('says which node holds the VMID when another node has it', async () => {
    await place('n2', 'qemu', 100, 'name: elsewhere\n');
    await place('n3', 'lxc', 101, 'hostname: ct\n');
    expect(await caught(store.read(100))).toMatchObject({
      code: 'not-found',
      message: 'VM 100 is not on node n1 (VM 100 is on node n2)',
    });
    expect((await caught(store.read(101)))?.message).toBe('VM 101 is not on node n1 (container 101 is on node n3)');
  });

  it('refuses a malformed config naming the file and line', async () => {
    await place('n1', 'qemu', 100, 'name: web\nthis is not a key\n');
    expect(await caught(store.read(100))).toMatchObject({
      code: 'invalid-params',
      message: expect.stringMatching(/^qemu-server\/100\.conf line 2: /) as unknown,
    });
  });
});

describe('VmStore.vmids and nextid', () => {
  it('lists only this node’s VMs', async () => {
    await place('n1', 'qemu', 102, 'name: a\n');
    await place('n1', 'qemu', 100, 'name: b\n');
    await place('n1', 'lxc', 101, 'hostname: c\n');
    await place('n2', 'qemu', 103, 'name: d\n');
    expect(await store.vmids()).toEqual([100, 102]);
  });

  it('hands out the lowest VMID from 100 that no guest of any node or kind uses', async () => {
    expect(await store.nextid()).toBe(100);
    await place('n1', 'qemu', 100, 'name: a\n');
    await place('n2', 'lxc', 101, 'hostname: b\n');
    await place('n3', 'qemu', 103, 'name: c\n');
    expect(await store.nextid()).toBe(102);
    await place('n1', 'qemu', 102, 'name: d\n');
    expect(await store.nextid()).toBe(104);
  });
});

describe('VmStore.create', () => {
  it('claims a VMID once when two creates race', async () => {
    const results = await Promise.allSettled([store.create(100, parseVmConf('name: a\n')), store.create(100, parseVmConf('name: b\n'))]);
    const outcomes = results.map((result) => (result.status === 'fulfilled' ? 'ok' : AppError.from(result.reason).code)).sort();
    expect(outcomes).toEqual(['already-exists', 'ok']);
  });

  it('writes a new config readable at once, with mode 0640', async () => {
    const digest = await store.create(100, parseVmConf('cores: 1\nname: new\n'));
    const text = await readFile(store.path(100), 'utf8');
    expect(text).toBe('cores: 1\nname: new\n');
    expect(digest).toBe(sha1(text));
    expect((await stat(store.path(100))).mode & 0o777).toBe(0o640);
    expect(await store.exists(100)).toBe(true);
  });

  it('refuses a VMID any guest on any node holds, naming it and the next free one', async () => {
    await place('n1', 'qemu', 100, 'name: mine\n');
    await place('n2', 'lxc', 101, 'hostname: theirs\n');
    expect(await caught(store.create(100, parseVmConf('name: again\n')))).toMatchObject({
      code: 'already-exists',
      message: 'VMID 100 is taken by VM 100 on node n1 — pick another (next free: 102)',
    });
    expect(await caught(store.create(101, parseVmConf('name: again\n')))).toMatchObject({
      code: 'already-exists',
      message: 'VMID 101 is taken by container 101 on node n2 — pick another (next free: 102)',
    });
    expect(await readFile(store.path(100), 'utf8')).toBe('name: mine\n');
    expect(await store.exists(101)).toBe(false);
  });

  it('removes a config; removing one that is gone is fine', async () => {
    await store.create(100, parseVmConf('name: x\n'));
    await store.remove(100);
    expect(await store.exists(100)).toBe(false);
    await store.remove(100);
  });
});

describe('VmStore.update', () => {
  it('changes the config when the digest matches, and without one', async () => {
    await place('n1', 'qemu', 100, 'cores: 1\nname: web\n');
    const { digest } = await store.read(100);
    const next = await store.update(100, holder, digest, ({ conf }) => setKey(conf, CURRENT, 'cores', '2'));
    expect(await readFile(store.path(100), 'utf8')).toBe('cores: 2\nname: web\n');
    expect(next).toBe((await store.read(100)).digest);
    await store.update(100, holder, undefined, ({ conf }) => setKey(conf, CURRENT, 'memory', '256'));
    expect(await readFile(store.path(100), 'utf8')).toBe('cores: 2\nmemory: 256\nname: web\n');
  });

  it('refuses a stale digest with conflict and leaves the file as it was', async () => {
    await place('n1', 'qemu', 100, 'cores: 1\n');
    const { digest } = await store.read(100);
    await place('n1', 'qemu', 100, 'cores: 4\n');
    const error = await caught(store.update(100, holder, digest, ({ conf }) => setKey(conf, CURRENT, 'cores', '2')));
    expect(error).toMatchObject({ code: 'conflict', details: { vmid: 100, digest: sha1('cores: 4\n') } });
    expect(error?.message).toMatch(/^VM 100's config changed since you read it .* reload and try again$/);
    expect(await readFile(store.path(100), 'utf8')).toBe('cores: 4\n');
  });

  it('lets one of two updates with the same digest win; the other gets conflict', async () => {
    await place('n1', 'qemu', 100, 'cores: 1\nmemory: 512\n');
    const { digest } = await store.read(100);
    const results = await Promise.allSettled([
      store.update(100, { label: 'a' }, digest, ({ conf }) => setKey(conf, CURRENT, 'cores', '2')),
      store.update(100, { label: 'b' }, digest, ({ conf }) => setKey(conf, CURRENT, 'memory', '1024')),
    ]);
    const outcomes = results
      .map((result) => (result.status === 'fulfilled' ? 'ok' : AppError.from(result.reason).code))
      .sort();
    expect(outcomes).toEqual(['conflict', 'ok']);
    const text = await readFile(store.path(100), 'utf8');
    expect(['cores: 2\nmemory: 512\n', 'cores: 1\nmemory: 1024\n']).toContain(text);
  });

  it('is not-found for a VM that does not exist (nothing is created)', async () => {
    expect(await caught(store.update(100, holder, undefined, ({ conf }) => conf))).toMatchObject({ code: 'not-found' });
    expect(await store.exists(100)).toBe(false);
  });

  it('refuses to write a change that would not read back', async () => {
    await place('n1', 'qemu', 100, 'cores: 1\n');
    const broken = (text: string) => ({
      file: 'x',
      lines: [{ kind: 'property' as const, text, eol: '\n' as const, key: 'name', value: 'a' }],
    });
    expect(await caught(store.update(100, holder, undefined, () => broken('name: a\nname: b')))).toMatchObject({
      code: 'invalid-params',
    });
    expect(await readFile(store.path(100), 'utf8')).toBe('cores: 1\n');
  });
});

describe('lockConf and unlockConf', () => {
  it('set the config’s lock key, refuse a second lock naming the first, and clear it', async () => {
    await place('n1', 'qemu', 100, 'cores: 1\nname: web\n');
    await store.lockConf(100, 'backup', holder);
    expect(await readFile(store.path(100), 'utf8')).toBe('cores: 1\nlock: backup\nname: web\n');
    const error = await caught(store.lockConf(100, 'snapshot', holder));
    expect(error).toMatchObject({ code: 'locked', details: { vmid: 100, lock: 'backup' } });
    expect(error?.message).toBe('VM 100 is locked (backup) — wait for it to finish, or unlock it if nothing runs');
    await store.unlockConf(100, holder);
    expect(await readFile(store.path(100), 'utf8')).toBe('cores: 1\nname: web\n');
    await store.lockConf(100, 'snapshot', holder);
    expect(currentOf((await store.read(100)).conf).values.lock).toBe('snapshot');
  });

  it('unlockConf of a VM that is gone does nothing', async () => {
    await store.unlockConf(100, holder);
    expect(await store.exists(100)).toBe(false);
  });
});
