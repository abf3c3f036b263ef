// Mount point changes against a real storage service (the dir plugin under a temp root) and the real mkfs.ext4: new
// volumes allocated, formatted and written back, replaced and removed volumes kept as unusedN, unusedN freed.
import { lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runChecked } from '../exec/run';
import { tempDirForTest } from '../fs/temp-dir';
import { findGuest } from '../guests/guest-configs';
import { LocalStorageLocks } from '../storage/lock';
import { dirPlugin } from '../storage/plugins/dir';
import { createRegistry } from '../storage/registry';
import { StorageService } from '../storage/service';
import { StorageStore } from '../storage/storage-store';
import type { TaskContext } from '../tasks/task-context';
import { run } from '../exec/run';
import { currentOf, sectionOf, PENDING } from '../vm/config/conf-document';
import { parseCtConf, serializeCtConf } from './config/ct-conf';
import { applyPendingMounts, deleteMountPoint, isVolumeKey, ownedVolumes, setMountPoint, type MountChangeEnv } from './ct-mount-changes';

const MiB = 1024 * 1024;
let root: string;
let storage: StorageService;
let logs: string[];

const context = (): TaskContext => ({
  upid: 'test',
  signal: new AbortController().signal,
  log: (line) => logs.push(line),
  warn: (line) => logs.push(`WARN ${line}`),
  progress: () => undefined,
  run: (command, args, options) => run(command, args, options),
});

const envFor = (owner = { uid: 0, gid: 0 }): MountChangeEnv => ({ storage, vmid: 210, owner, ctx: context() });
const pathOf = (volid: string) => join(root, 'var/lib/vz/images/210', volid.split('/')[1] ?? '');
const exists = (path: string) => lstat(path).then(() => true, () => false);

/** The ext4 root folder's owner, read from the image without mounting it. */
const rootOwner = async (image: string): Promise<string> => {
  const { stdout } = await runChecked('debugfs', ['-R', 'stat /', image]);
  return `${/User:\s+(\d+)/.exec(stdout)?.[1]}:${/Group:\s+(\d+)/.exec(stdout)?.[1]}`;
};

beforeEach(async () => {
  root = await tempDirForTest('hd-ct-mounts-');
  logs = [];
  const configDir = join(root, 'etc/hyperdesk');
  storage = new StorageService({
    root,
    node: 'n1',
    store: StorageStore.at(configDir),
    locks: new LocalStorageLocks(),
    registry: createRegistry([dirPlugin]),
    findGuest: (vmid) => findGuest(configDir, vmid),
  });
  const { digest } = await storage.readConfig();
  await storage.set('local', { content: ['images', 'rootdir', 'vztmpl'] }, [], digest);
});

const BASE = 'arch: amd64\nhostname: t\nmemory: 64\nostype: unmanaged\nrootfs: other:210/vm-210-disk-0.raw,size=1G\n';

describe('mount point changes with their volumes', () => {
  it('mpN = STORAGE:SIZE allocates a raw ext4 image owned by the container root and writes its volid back', async () => {
    const env = envFor({ uid: 100000, gid: 100000 });
    const { conf, allocated } = await setMountPoint(env, parseCtConf(BASE), 'mp0', 'local:0.0625,mp=/srv/data,backup=1');
    expect(allocated).toBe('local:210/vm-210-disk-0.raw');
    expect(currentOf(conf).values.mp0).toBe('local:210/vm-210-disk-0.raw,mp=/srv/data,backup=1,size=64M');
    const image = pathOf('local:210/vm-210-disk-0.raw');
    expect((await stat(image)).size).toBe(64 * MiB);
    expect((await runChecked('dumpe2fs', ['-h', image])).stdout).toMatch(/^Filesystem features:.*\bmmp\b/m);
    expect(await rootOwner(image)).toBe('100000:100000');
    // Size 0 on a dir storage: a folder without a limit, owned by the container's root.
    const folder = await setMountPoint(env, conf, 'mp1', 'local:0,mp=/scratch');
    expect(currentOf(folder.conf).values.mp1).toBe('local:210/subvol-210-disk-1.subvol,mp=/scratch,size=0T');
    const info = await stat(pathOf('local:210/subvol-210-disk-1.subvol'));
    expect([info.isDirectory(), info.uid, info.gid]).toEqual([true, 100000, 100000]);
  });

  it('a replaced or removed mount point volume becomes unusedN; deleting unusedN frees it', async () => {
    const env = envFor();
    let conf = (await setMountPoint(env, parseCtConf(BASE), 'mp0', 'local:0.01,mp=/a')).conf;
    const first = 'local:210/vm-210-disk-0.raw';
    conf = (await setMountPoint(env, conf, 'mp0', 'local:0.01,mp=/a')).conf;
    expect(currentOf(conf).values).toMatchObject({ mp0: 'local:210/vm-210-disk-1.raw,mp=/a,size=10M', unused0: first });
    // The same volume with other options is no replacement.
    conf = (await setMountPoint(env, conf, 'mp0', 'local:210/vm-210-disk-1.raw,mp=/b,size=10M')).conf;
    expect(Object.keys(currentOf(conf).values).filter((key) => key.startsWith('unused'))).toEqual(['unused0']);
    conf = await deleteMountPoint(env, conf, 'mp0');
    expect(currentOf(conf).values).toMatchObject({ unused0: first, unused1: 'local:210/vm-210-disk-1.raw' });
    expect(currentOf(conf).values.mp0).toBeUndefined();
    conf = await deleteMountPoint(env, conf, 'unused1');
    expect(await exists(pathOf('local:210/vm-210-disk-1.raw'))).toBe(false);
    expect(await exists(pathOf(first))).toBe(true);
    expect(Object.keys(currentOf(conf).values).filter(isVolumeKey)).toEqual(['unused0']);
  });

  it('never frees or detaches a volume a snapshot or another key still names, nor another guest\'s or a bind mount', async () => {
    const env = envFor();
    const { conf: made } = await setMountPoint(env, parseCtConf(BASE), 'mp0', 'local:0.01,mp=/a');
    const volid = 'local:210/vm-210-disk-0.raw';
    const withSnapshot = parseCtConf(`${serializeCtConf(made)}\n[snap1]\nmp0: ${volid},mp=/a,size=10M\nrootfs: other:210/vm-210-disk-0.raw,size=1G\nsnaptime: 1\n`);
    let conf = await deleteMountPoint(env, withSnapshot, 'mp0');
    expect(currentOf(conf).values.unused0).toBeUndefined();
    expect(await exists(pathOf(volid))).toBe(true);
    conf = (await setMountPoint(env, conf, 'mp1', '/srv/share,mp=/share')).conf;
    conf = (await setMountPoint(env, conf, 'mp2', 'other:300/vm-300-disk-0.raw,mp=/other')).conf;
    conf = await deleteMountPoint(env, await deleteMountPoint(env, conf, 'mp1'), 'mp2');
    expect(Object.keys(currentOf(conf).values).filter(isVolumeKey)).toEqual([]);
  });

  it('applies pending mount point changes at start: deletes first, then new volumes; other keys stay pending', async () => {
    const env = envFor();
    const { conf: made } = await setMountPoint(env, parseCtConf(BASE), 'mp0', 'local:0.01,mp=/old');
    const text = `${serializeCtConf(made)}\n[pve:pending]\ndelete: mp0\nmemory: 128\nmp1: local:0.01,mp=/new\n`;
    const { conf, allocated } = await applyPendingMounts(env, parseCtConf(text));
    expect(allocated).toEqual(['local:210/vm-210-disk-1.raw']);
    expect(currentOf(conf).values).toMatchObject({ unused0: 'local:210/vm-210-disk-0.raw', mp1: 'local:210/vm-210-disk-1.raw,mp=/new,size=10M' });
    expect(currentOf(conf).values.mp0).toBeUndefined();
    expect(sectionOf(conf, PENDING)?.values).toEqual({ memory: '128' });
    expect(ownedVolumes(conf, 210).sort()).toEqual(['local:210/vm-210-disk-0.raw', 'local:210/vm-210-disk-1.raw', 'other:210/vm-210-disk-0.raw']);
    expect(ownedVolumes(conf, 211)).toEqual([]);
  });

  it('frees nothing it allocated when the storage refuses: the error names the key', async () => {
    const error = await setMountPoint(envFor(), parseCtConf(BASE), 'mp4', 'nowhere:1,mp=/x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'not-found', message: 'storage nowhere does not exist' });
    expect(await exists(join(root, 'var/lib/vz/images/210'))).toBe(false);
  });
});
