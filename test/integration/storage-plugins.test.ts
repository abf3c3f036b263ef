// The dir and btrfs storage plugins driven through the real agent on a lab node, over SSH via the app's core
// (agent.call): a dir storage under the node's root and a btrfs storage on a loop-mounted btrfs file system made for
// the test; each volume step confirmed on the node with qemu-img / btrfs; concurrent allocs; hostile volume ids
// refused with nothing outside the storage touched; storage usage history after a storage.status sample.
// One lab per machine: this file waits until no other is up.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestConfigPath } from '../../node-agent/src/guests/guest-configs';
import { nodeKey } from '../../main/core/config-schema';
import { createCore, type HyperdeskCore } from '../../main/core/core';
import { MemorySecretStore } from '../../main/core/secrets-memory';
import type { Lab } from '../lab/lab-api';
import { CLUSTER_ID, repoRoot } from '../lab/lab-layout';
import { labUpWhenFree, WAIT_FOR_OTHER_LABS_MS } from '../lab/lab-when-free';
import { agentCalls, loopBtrfs, refusal, until } from './lab-calls';

const MiB = 1024 * 1024;
const DIR_PATH = '/srv/hd-dir';
const BTRFS_PATH = '/mnt/hd-btrfs';

let lab: Lab;
let configDir: string;
let core: HyperdeskCore;
let root: string;
const key = nodeKey(CLUSTER_ID, 'n1');

const { call } = agentCalls(() => core, key);
const btrfs = loopBtrfs(() => lab, 'n1', 'btrfs.img', BTRFS_PATH);
const nodePath = (path: string) => join(root, path);
const onNode = async (command: string, args: string[]): Promise<string> => {
  const result = await lab.exec('n1', command, args, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
};
const qemuImgInfo = async (path: string) =>
  JSON.parse(await onNode('qemu-img', ['info', '--output=json', path])) as {
    format: string;
    'virtual-size': number;
    snapshots?: { name: string }[];
  };
const subvolumes = async (): Promise<string[]> =>
  (await onNode('btrfs', ['subvolume', 'list', nodePath(BTRFS_PATH)]))
    .split('\n')
    .map((line) => line.replace(/^.* path /, '').trim())
    .filter((line) => line !== '');
const exists = (path: string) =>
  readFile(path).then(
    () => true,
    () => false,
  );
const volpath = (storagePath: string, volid: string) => nodePath(join(storagePath, 'images', volid.slice(volid.indexOf(':') + 1)));

/** First bytes of a qcow2 image's guest view, through qemu-io on the node. */
const qcow2Head = async (path: string): Promise<string> =>
  (await onNode('qemu-io', ['-f', 'qcow2', '-c', 'read -v 0 16', path])).split('\n')[0] ?? '';
const rawHead = async (path: string): Promise<Buffer> => {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(16);
    await file.read(buffer, 0, 16, 0);
    return buffer;
  } finally {
    await file.close();
  }
};

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'hd-storage-plugins-'));
  lab = await labUpWhenFree({ nodes: 1, configDir, agent: true });
  root = lab.node('n1').root;
  // A btrfs file system on a loop device, mounted inside the node's root; the agent restarts to see it.
  await btrfs.mount();
  core = await createCore({ configDir, secrets: new MemorySecretStore(), agentBundle: join(repoRoot(), 'dist/agent/hyperdesk-agent.js') });
  await until('node n1 online', async () => (await core.handle('inventory.snapshot', {})).nodes[key]?.state === 'online', 90_000);
}, WAIT_FOR_OTHER_LABS_MS + 240_000);

afterAll(async () => {
  await core?.dispose();
  await btrfs.release();
  await lab?.down();
  await rm(configDir, { recursive: true, force: true });
}, 180_000);

describe('storage plugins on a lab node', () => {
  it('adds a dir and a btrfs storage', async () => {
    await call('storage.add', { config: { type: 'dir', id: 'hd-dir', path: DIR_PATH, content: ['images', 'rootdir'], mkdir: true } });
    await call('storage.add', { config: { type: 'btrfs', id: 'hd-btrfs', path: BTRFS_PATH, content: ['images', 'rootdir'] } });
    const { storages } = await call('storage.list', {});
    expect(storages.map((s) => [s.id, s.type, s.enabled])).toEqual(
      expect.arrayContaining([
        ['hd-dir', 'dir', true],
        ['hd-btrfs', 'btrfs', true],
      ]),
    );
    const status = await call('storage.status', {});
    expect(status.find((s) => s.storage === 'hd-btrfs')).toMatchObject({ active: true });
    expect(status.find((s) => s.storage === 'hd-btrfs')?.total).toBeGreaterThan(400 * MiB);
  });

  it('qcow2 on dir: alloc, resize, snapshot, marker, rollback, clone, free', async () => {
    const { volid } = await call('storage.volume.alloc', { storage: 'hd-dir', vmid: 100, format: 'qcow2', size: 8 * MiB });
    expect(volid).toBe('hd-dir:100/vm-100-disk-0.qcow2');
    const path = volpath(DIR_PATH, volid);
    expect(await qemuImgInfo(path)).toMatchObject({ format: 'qcow2', 'virtual-size': 8 * MiB });

    await call('storage.volume.resize', { volid, vmid: 100, size: 16 * MiB });
    expect((await qemuImgInfo(path))['virtual-size']).toBe(16 * MiB);

    await call('storage.volume.snapshot', { volid, vmid: 100, snap: 'before', action: 'create' });
    expect((await qemuImgInfo(path)).snapshots?.map((s) => s.name)).toEqual(['before']);

    await onNode('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 0 64k', path]);
    expect(await qcow2Head(path)).toMatch(/5a 5a 5a 5a/);
    await call('storage.volume.snapshot', { volid, vmid: 100, snap: 'before', action: 'rollback' });
    expect(await qcow2Head(path)).toMatch(/00 00 00 00/);

    const clone = await call('storage.volume.clone', { volid, vmid: 101 });
    expect(clone.volid).toBe('hd-dir:101/vm-101-disk-0.qcow2');
    expect(await qemuImgInfo(volpath(DIR_PATH, clone.volid))).toMatchObject({ format: 'qcow2', 'virtual-size': 16 * MiB });

    await call('storage.volume.free', { volid: clone.volid, vmid: 101 });
    await call('storage.volume.free', { volid, vmid: 100 });
    expect(await exists(path)).toBe(false);
    expect(await exists(volpath(DIR_PATH, clone.volid))).toBe(false);
  });

  it('raw on btrfs: alloc, resize, snapshot, marker, rollback, clone, free', async () => {
    const { volid } = await call('storage.volume.alloc', { storage: 'hd-btrfs', vmid: 100, format: 'raw', size: 8 * MiB });
    expect(volid).toBe('hd-btrfs:100/vm-100-disk-0.raw');
    const disk = nodePath(join(BTRFS_PATH, 'images/100/vm-100-disk-0/disk.raw'));
    expect(await subvolumes()).toContain('images/100/vm-100-disk-0');
    expect(await qemuImgInfo(disk)).toMatchObject({ format: 'raw', 'virtual-size': 8 * MiB });

    await call('storage.volume.resize', { volid, vmid: 100, size: 16 * MiB });
    expect((await qemuImgInfo(disk))['virtual-size']).toBe(16 * MiB);

    await call('storage.volume.snapshot', { volid, vmid: 100, snap: 'before', action: 'create' });
    expect(await subvolumes()).toContain('images/100/vm-100-disk-0@before');

    const file = await open(disk, 'r+');
    await file.write(Buffer.alloc(16, 0x5a), 0, 16, 0);
    await file.close();
    expect((await rawHead(disk)).equals(Buffer.alloc(16, 0x5a))).toBe(true);
    await call('storage.volume.snapshot', { volid, vmid: 100, snap: 'before', action: 'rollback' });
    expect((await rawHead(disk)).equals(Buffer.alloc(16, 0))).toBe(true);

    const clone = await call('storage.volume.clone', { volid, vmid: 101 });
    expect(clone.volid).toBe('hd-btrfs:101/vm-101-disk-0.raw');
    expect(await subvolumes()).toContain('images/101/vm-101-disk-0');

    await call('storage.volume.free', { volid: clone.volid, vmid: 101 });
    await call('storage.volume.free', { volid, vmid: 100 });
    const left = await subvolumes();
    expect(left.filter((path) => path.startsWith('images/10'))).toEqual([]);
  });

  it('allocates six volumes at once on one storage, each with its own name', async () => {
    const volids = (
      await Promise.all(Array.from({ length: 6 }, () => call('storage.volume.alloc', { storage: 'hd-dir', vmid: 200, format: 'qcow2', size: MiB })))
    ).map((r) => r.volid);
    expect(new Set(volids).size).toBe(6);
    expect([...volids].sort()).toEqual([0, 1, 2, 3, 4, 5].map((n) => `hd-dir:200/vm-200-disk-${n}.qcow2`));
    for (const volid of volids) expect((await qemuImgInfo(volpath(DIR_PATH, volid))).format).toBe('qcow2');
    for (const volid of volids) await call('storage.volume.free', { volid, vmid: 200 });
  });

  it('refuses hostile volume ids and touches nothing outside the storage', async () => {
    const canary = nodePath('/srv/canary.txt');
    const passwd = nodePath('/etc/passwd');
    await mkdir(nodePath('/etc'), { recursive: true });
    const hadPasswd = await exists(passwd);
    if (!hadPasswd) await writeFile(passwd, 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(canary, 'canary\n');
    const digest = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
    const before = [await digest(canary), await digest(passwd)];
    const victim = await call('storage.volume.alloc', { storage: 'hd-dir', vmid: 300, format: 'qcow2', size: MiB });

    const hostile = ['local:../../etc/passwd', 'local:/etc/passwd', 'hd-dir:../../etc/passwd', 'hd-dir:../canary.txt', 'hd-dir:/etc/passwd', 'local:100/vm-100-disk-0.qcow2;id', 'hd-dir:300/vm-300-disk-0.qcow2;id'];
    for (const volid of hostile) {
      for (const attempt of [
        () => call('storage.volume.free', { volid, vmid: 100 }),
        () => call('storage.volume.resize', { volid, vmid: 100, size: 32 * MiB }),
        () => call('storage.content.delete', { volid, vmid: 100 }),
      ]) {
        const error = await refusal(attempt());
        expect(error?.code, `${volid}: ${error?.message ?? 'accepted'}`).toBe('invalid-params');
      }
    }
    // Another guest's volume: access denied, naming both guests.
    for (const attempt of [
      () => call('storage.volume.free', { volid: victim.volid, vmid: 301 }),
      () => call('storage.volume.resize', { volid: victim.volid, vmid: 301, size: 32 * MiB }),
      () => call('storage.volume.snapshot', { volid: victim.volid, vmid: 301, snap: 'mine', action: 'create' }),
      () => call('storage.content.delete', { volid: victim.volid, vmid: 301 }),
    ]) {
      const error = await refusal(attempt());
      expect(error?.code).toBe('access-denied');
      expect(error?.message).toMatch(/300/);
    }
    // Guest 300 exists (its config is there): its volume is not deleted from the storage's content, vmid or not.
    const config = guestConfigPath(nodePath('/etc/hyperdesk'), 'n1', 'qemu', 300);
    await mkdir(join(config, '..'), { recursive: true });
    await writeFile(config, 'name: victim\n');
    for (const params of [{ volid: victim.volid }, { volid: victim.volid, vmid: 300 }]) {
      const error = await refusal(call('storage.content.delete', params));
      expect(error?.code).toBe('access-denied');
      expect(error?.message).toBe(`volume ${victim.volid} belongs to VM 300 on node n1, which exists — remove the disk from that guest (or destroy the guest) instead`);
    }
    await rm(config);
    expect(await qemuImgInfo(volpath(DIR_PATH, victim.volid))).toMatchObject({ 'virtual-size': MiB });
    expect([await digest(canary), await digest(passwd)]).toEqual(before);
    await call('storage.volume.free', { volid: victim.volid, vmid: 300 });
    await rm(canary);
    if (!hadPasswd) await rm(passwd);
  });

  it('keeps usage history per storage, sampled with the node (storage.status in the inventory)', async () => {
    // The sampler runs every 10 s: wait for a storage.status event carrying the storage, not for time.
    await until(
      'a storage.status event with hd-btrfs',
      async () =>
        (await core.handle('inventory.snapshot', {})).nodes[key]?.storages?.some((s) => s.storage === 'hd-btrfs' && s.active) === true,
      45_000,
    );
    const storages = (await core.handle('inventory.snapshot', {})).nodes[key]?.storages ?? [];
    expect(storages.map((s) => s.storage)).toEqual(expect.arrayContaining(['local', 'hd-dir', 'hd-btrfs']));
    const metrics = await call('storage.metrics', { storage: 'hd-btrfs', timeframe: 'hour', cf: 'average' });
    expect(metrics.step).toBe(10);
    expect(metrics.points.length).toBeGreaterThan(0);
    expect(metrics.points.at(-1)?.total).toBeGreaterThan(400 * MiB);
    expect(await refusal(call('storage.metrics', { storage: 'nope', timeframe: 'hour', cf: 'average' }))).toMatchObject({ code: 'not-found' });
  });
});
