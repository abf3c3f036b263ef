// Creating, changing and importing VM configs with a real StorageService (the dir plugin over a temp root, real
// qemu-img) and tasks run at once in-process. No VM is started: no QEMU process, no bridge, no tap.
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { agentPaths } from '../daemon/paths';
import { run } from '../exec/run';
import { tempDirForTest } from '../fs/temp-dir';
import { nodeStorageService } from '../storage/node-storage';
import type { StorageService } from '../storage/service';
import type { TaskContext } from '../tasks/task-context';
import { currentOf, parseVmConf } from './config/conf-document';
import { createVm, importVm, setVm, textValues } from './vm-edit';
import { VmService, type SpawnTask, type VmServiceOptions } from './vm-service';

/** Made up so that no real bridge on the machine answers: /sys/class/net/<name>/bridge must not exist. */
const NO_BRIDGE = 'hdnobridge7';
const signal = new AbortController().signal;
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => AppError.from(error),
  );
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

let root: string;
let storage: StorageService;
let vms: VmService;
let events: Parameters<VmServiceOptions['publish']>[0][];
let tasks: { type: string; id: string; log: string[] }[];

/** A task body run at once, its log kept; the real task manager is not involved. */
const spawnTask: SpawnTask = async (options, body) => {
  const upid = `UPID:n1:00000001:00000001:00000001:${options.type}:${options.id}:${options.user}:`;
  const log: string[] = [];
  tasks.push({ type: options.type, id: options.id, log });
  const ctx: TaskContext = {
    upid,
    signal,
    log: (line) => log.push(line),
    warn: (line) => log.push(`WARN: ${line}`),
    progress: () => undefined,
    run: (command, args, runOptions) => {
      log.push(`# ${[command, ...args].join(' ')}`);
      return run(command, args, { ...runOptions, signal });
    },
  };
  await body(ctx);
  return { upid };
};

const noStart = () => Promise.reject(new Error('no VM is started in unit tests'));
const textOf = (vmid: number) => readFile(vms.store.path(vmid), 'utf8');
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const volumePath = async (volid: string) => (await storage.volumePath(volid, { signal })).path;
const virtualSize = async (path: string) => {
  const { stdout } = await run('qemu-img', ['info', '--output=json', path]);
  return JSON.parse(stdout) as { 'virtual-size': number; format: string };
};

beforeEach(async () => {
  root = await tempDirForTest('hd-vm-edit-');
  const paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  storage = nodeStorageService(paths);
  const { digest } = await storage.readConfig();
  await storage.add({ type: 'dir', id: 'images', path: '/srv/images', content: ['images', 'iso'] }, digest, signal);
  events = [];
  tasks = [];
  vms = new VmService({
    paths,
    storage,
    spawnTask,
    user: 'root@pam',
    publish: (event) => events.push(event),
    log: () => undefined,
  });
});

describe('textValues', () => {
  it('turns the API’s numbers into PVE’s text', () => {
    expect(textValues({ cores: 2, name: 'web', balloon: 0 })).toEqual({ cores: '2', name: 'web', balloon: '0' });
  });
});

describe('createVm', () => {
  it('writes the config with sorted keys and generated ids, and allocates the new disk at its size', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { upid } = await createVm(
      vms,
      { vmid: 100, config: { name: 'web', memory: 256, cores: 2, scsi0: 'images:1,format=qcow2' }, start: false },
      signal,
      noStart,
    );
    expect(upid).toMatch(/:qmcreate:100:root@pam:$/);
    const text = await textOf(100);
    const keys = text
      .trimEnd()
      .split('\n')
      .map((line) => line.split(':')[0]);
    expect(keys).toEqual(['cores', 'memory', 'meta', 'name', 'scsi0', 'smbios1', 'vmgenid']);
    const values = currentOf((await vms.store.read(100)).conf).values;
    expect(values).toMatchObject({
      cores: '2',
      memory: '256',
      name: 'web',
      scsi0: 'images:100/vm-100-disk-0.qcow2,size=1G',
    });
    expect(values.lock).toBeUndefined();
    expect(values.smbios1).toMatch(/^uuid=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(values.vmgenid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const ctime = Number(/^creation-qemu=[\d.]+,ctime=(\d+)$/.exec(values.meta ?? '')?.[1]);
    expect(ctime).toBeGreaterThanOrEqual(before);
    expect(ctime).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    const path = await volumePath('images:100/vm-100-disk-0.qcow2');
    expect(path).toBe(join(root, 'srv/images/images/100/vm-100-disk-0.qcow2'));
    expect(await virtualSize(path)).toMatchObject({ 'virtual-size': 1024 ** 3, format: 'qcow2' });
    expect(tasks[0]?.log).toEqual(
      expect.arrayContaining(['scsi0: allocated images:100/vm-100-disk-0.qcow2 (1G)', 'VM 100 created']),
    );
    expect(events).toEqual([
      {
        topic: 'guest.update',
        data: expect.objectContaining({
          vmid: 100,
          name: 'web',
          status: 'stopped',
          maxmem: 256 * 1024 ** 2,
          maxdisk: 1024 ** 3,
        }) as unknown,
      },
    ]);
  });

  it('gives a new VM different smbios1 and vmgenid ids each time, and keeps a description as # lines', async () => {
    await createVm(vms, { vmid: 100, config: { name: 'a' }, start: false }, signal, noStart);
    await createVm(
      vms,
      { vmid: 101, config: { name: 'b', description: 'line one\nline two' }, start: false },
      signal,
      noStart,
    );
    const a = currentOf((await vms.store.read(100)).conf).values;
    const b = currentOf((await vms.store.read(101)).conf).values;
    expect(a.smbios1).not.toBe(b.smbios1);
    expect(a.vmgenid).not.toBe(b.vmgenid);
    expect((await textOf(101)).startsWith('#line one\n#line two\n')).toBe(true);
    expect(VmService.description((await vms.store.read(101)).conf)).toBe('line one\nline two');
  });

  it('refuses bad input naming the key, before any task, config or volume exists', async () => {
    expect(await exists(`/sys/class/net/${NO_BRIDGE}`)).toBe(false);
    const cases: [Record<string, string | number>, RegExp][] = [
      [{ bogus: 1 }, /^bogus: unknown config key/],
      [{ cores: 0 }, /^cores: /],
      [{ lock: 'backup' }, /^lock: is managed by the system/],
      [{ net0: `virtio,bridge=${NO_BRIDGE},tag=abc` }, /^net0: /],
      [{ scsi0: 'nosuch:4' }, /^scsi0: .*storage nosuch does not exist/],
      [{ scsi0: 'images:1', virtio0: 'local:4' }, /^virtio0: storage local does not hold disk images$/],
      [{ ide2: 'images:iso/missing.iso,media=cdrom' }, /^ide2: volume images:iso\/missing\.iso does not exist$/],
      [{ net0: `virtio,bridge=${NO_BRIDGE}` }, new RegExp(`^net0: bridge ${NO_BRIDGE} does not exist on node n1$`)],
    ];
    for (const [config, message] of cases) {
      const error = await refusal(createVm(vms, { vmid: 100, config, start: false }, signal, noStart));
      expect(error?.code, JSON.stringify(config)).toBe('invalid-params');
      expect(error?.message, JSON.stringify(config)).toMatch(message);
    }
    expect(tasks).toEqual([]);
    expect(await vms.store.exists(100)).toBe(false);
    expect(await exists(join(root, 'srv/images/images/100'))).toBe(false);
  });

  it('lists every problem at once', async () => {
    const error = await refusal(
      createVm(vms, { vmid: 100, config: { bogus: 1, cores: 0 }, start: false }, signal, noStart),
    );
    expect(error).toMatchObject({
      code: 'invalid-params',
      details: {
        errors: {
          bogus: expect.stringMatching(/^bogus: /) as unknown,
          cores: expect.stringMatching(/^cores: /) as unknown,
        },
      },
    });
    expect(error?.message).toMatch(/^2 problems: /);
  });

  it('refuses a MAC another VM of this node uses, in a snapshot too', async () => {
    await vms.store.create(150, parseVmConf('name: other\n\n[snap1]\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\n'));
    const error = await refusal(
      createVm(
        vms,
        { vmid: 100, config: { net0: `virtio=bc:24:11:00:00:01,bridge=${NO_BRIDGE}` }, start: false },
        signal,
        noStart,
      ),
    );
    expect(error?.code).toBe('invalid-params');
    expect(error?.message).toMatch(/^net0: MAC BC:24:11:00:00:01 is already used by VM 150/);
  });

  it('refuses a taken VMID naming its holder and the next free one', async () => {
    await createVm(vms, { vmid: 100, config: { name: 'first' }, start: false }, signal, noStart);
    const error = await refusal(createVm(vms, { vmid: 100, config: { name: 'again' }, start: false }, signal, noStart));
    expect(error).toMatchObject({
      code: 'already-exists',
      message: 'VMID 100 is taken by VM 100 on node n1 — the next free one is 101',
    });
    expect(currentOf((await vms.store.read(100)).conf).values.name).toBe('first');
  });
});

/** A stopped VM 100 with a qcow2 disk and an empty CD drive, made through createVm; its digest. */
const stoppedVm = async (): Promise<string> => {
  await createVm(
    vms,
    {
      vmid: 100,
      config: { name: 'web', cores: 1, scsi0: 'images:1,format=qcow2', ide2: 'none,media=cdrom' },
      start: false,
    },
    signal,
    noStart,
  );
  events.length = 0;
  return (await vms.store.read(100)).digest;
};
const set = (
  config: Record<string, string | number>,
  digest: string,
  more: { delete?: string[]; revert?: string[] } = {},
) => setVm(vms, { vmid: 100, config, delete: more.delete ?? [], revert: more.revert ?? [], digest }, signal);

describe('setVm on a stopped VM', () => {
  it('a value set on a stopped VM is what its next start runs: an older pending value of that key goes', async () => {
    await vms.store.create(100, parseVmConf('cores: 1\nmemory: 512\nname: web\n\n[PENDING]\ncores: 4\nmemory: 2048\n'));
    const { digest } = await vms.store.read(100);
    const next = await set({ memory: 1024 }, digest);
    expect((await vms.config(100, { current: false })).config).toMatchObject({ memory: 1024, cores: 4 });
    await set({}, next.digest, { delete: ['cores'] });
    expect((await vms.config(100, { current: false })).config).not.toHaveProperty('cores');
  });

  it('a value set on a stopped VM is not undone by an older pending delete of that key', async () => {
    await vms.store.create(100, parseVmConf('cores: 1\nname: web\n\n[PENDING]\ndelete: cores\n'));
    const { digest } = await vms.store.read(100);
    await set({ cores: 2 }, digest);
    expect((await vms.config(100, { current: false })).config).toMatchObject({ cores: 2 });
  });

  it('applies at once: nothing pending, the new digest is the file’s, the status published', async () => {
    const digest = await stoppedVm();
    const result = await set({ cores: 2, memory: 1024 }, digest);
    expect(result).toEqual({ digest: sha1(await textOf(100)), pending: [] });
    expect(currentOf((await vms.store.read(100)).conf).values).toMatchObject({ cores: '2', memory: '1024' });
    expect(await textOf(100)).not.toContain('[PENDING]');
    expect(events).toEqual([
      { topic: 'guest.update', data: expect.objectContaining({ vmid: 100, maxcpu: 2, maxmem: 1024 ** 3 }) as unknown },
    ]);
  });

  it('keeps a deleted disk the VM owns as unused0; a deleted CD drive just goes', async () => {
    const digest = await stoppedVm();
    await set({}, digest, { delete: ['scsi0', 'ide2'] });
    const values = currentOf((await vms.store.read(100)).conf).values;
    expect(values.scsi0).toBeUndefined();
    expect(values.ide2).toBeUndefined();
    expect(values.unused0).toBe('images:100/vm-100-disk-0.qcow2');
    expect(Object.keys(values).filter((key) => key.startsWith('unused'))).toEqual(['unused0']);
    expect(await exists(await volumePath('images:100/vm-100-disk-0.qcow2'))).toBe(true);
  });

  it('allocates a disk that replaces another and keeps the old one as unusedN', async () => {
    const digest = await stoppedVm();
    await set({ scsi0: 'images:2' }, digest);
    const values = currentOf((await vms.store.read(100)).conf).values;
    expect(values.scsi0).toBe('images:100/vm-100-disk-1.raw,size=2G');
    expect(values.unused0).toBe('images:100/vm-100-disk-0.qcow2');
    expect(await virtualSize(await volumePath('images:100/vm-100-disk-1.raw'))).toMatchObject({
      'virtual-size': 2 * 1024 ** 3,
    });
    // The same volume with other options is no replacement; a second detached disk takes the next unusedN.
    let { digest: next } = await vms.store.read(100);
    next = (await set({ scsi0: 'images:100/vm-100-disk-1.raw,cache=writeback,size=2G' }, next)).digest;
    expect(currentOf((await vms.store.read(100)).conf).values.unused1).toBeUndefined();
    await set({}, next, { delete: ['scsi0'] });
    expect(currentOf((await vms.store.read(100)).conf).values).toMatchObject({
      unused0: 'images:100/vm-100-disk-0.qcow2',
      unused1: 'images:100/vm-100-disk-1.raw',
    });
  });

  it('sets and removes the description', async () => {
    let digest = await stoppedVm();
    digest = (await set({ description: 'the web server' }, digest)).digest;
    expect((await textOf(100)).startsWith('#the web server\n')).toBe(true);
    await set({}, digest, { delete: ['description'] });
    expect(await textOf(100)).not.toContain('#');
  });

  it('refuses a stale digest with conflict, changing nothing', async () => {
    const digest = await stoppedVm();
    await set({ cores: 2 }, digest);
    const text = await textOf(100);
    expect(await refusal(set({ memory: 2048 }, digest))).toMatchObject({ code: 'conflict' });
    expect(await textOf(100)).toBe(text);
  });

  it('refuses bad input naming the key, and a key both set and deleted', async () => {
    const digest = await stoppedVm();
    const text = await textOf(100);
    expect(await refusal(set({ cores: 0 }, digest))).toMatchObject({
      code: 'invalid-params',
      message: expect.stringMatching(/^cores: /) as unknown,
    });
    expect(await refusal(set({ cores: 2 }, digest, { delete: ['cores'] }))).toMatchObject({
      code: 'invalid-params',
      message: 'cores: both set and deleted',
    });
    expect(await refusal(set({}, digest, { delete: ['Bad Key'] }))).toMatchObject({
      code: 'invalid-params',
      message: 'Bad Key: not a config key',
    });
    expect(await refusal(set({ net0: `virtio,bridge=${NO_BRIDGE}` }, digest))).toMatchObject({
      message: `net0: bridge ${NO_BRIDGE} does not exist on node n1`,
    });
    expect(await refusal(set({ vcpus: 4 }, digest))).toMatchObject({
      code: 'invalid-params',
      message: expect.stringMatching(/^vcpus: must be at most sockets × cores \(1\)/) as unknown,
    });
    expect(await textOf(100)).toBe(text);
  });

  it('refuses a change while a long operation holds the config lock', async () => {
    await stoppedVm();
    await vms.store.lockConf(100, 'backup', { label: 'test' });
    const { digest } = await vms.store.read(100);
    expect(await refusal(set({ cores: 2 }, digest))).toMatchObject({
      code: 'locked',
      message: expect.stringContaining('(backup)') as unknown,
    });
  });
});

const IMPORTED = (storageId: string) =>
  `# imported from PVE\nboot: order=scsi0\ncores: 2\nmemory: 512\nname: imported\nscsi0: ${storageId}:300/vm-300-disk-0.qcow2,size=1M\nscsihw: virtio-scsi-single\n\n[first]\ncores: 1\nmemory: 512\nname: imported\nscsi0: ${storageId}:300/vm-300-disk-0.qcow2,size=1M\nscsihw: virtio-scsi-single\nsnaptime: 1700000000\n`;

describe('importVm', () => {
  it('refuses a config whose volume is missing, then writes it verbatim once it exists', async () => {
    const conf = IMPORTED('images');
    const missing = await refusal(importVm(vms, 300, conf, signal));
    expect(missing?.code).toBe('invalid-params');
    expect(missing?.message).toMatch(/^scsi0: .*does not exist/);
    expect(await vms.store.exists(300)).toBe(false);

    await storage.alloc({ storage: 'images', vmid: 300, format: 'qcow2', size: 1024 * 1024 }, { signal });
    const imported = await importVm(vms, 300, conf, signal);
    expect(imported.digest).toBe(sha1(conf));
    expect(await textOf(300)).toBe(conf);
    expect((await vms.snapshots(300)).snapshots.map((snap) => snap.name)).toEqual(['first']);
    expect(events).toEqual([
      { topic: 'guest.update', data: expect.objectContaining({ vmid: 300, name: 'imported' }) as unknown },
    ]);
    expect(await refusal(importVm(vms, 300, conf, signal))).toMatchObject({ code: 'already-exists' });
  });

  it('refuses a locked config and names bad keys of every section', async () => {
    const locked = await refusal(importVm(vms, 300, 'lock: backup\nname: x\n', signal));
    expect(locked).toMatchObject({
      code: 'invalid-params',
      message: 'lock: the config is locked (backup) — unlock it on the source first',
    });
    const bad = await refusal(importVm(vms, 300, 'name: x\n\n[first]\nbogus: 1\n', signal));
    expect(bad).toMatchObject({ code: 'invalid-params', message: '[first] bogus: unknown config key' });
    const unparsable = await refusal(importVm(vms, 300, 'name: x\nnot a line\n', signal));
    expect(unparsable).toMatchObject({
      code: 'invalid-params',
      message: expect.stringMatching(/^qemu-server\/300\.conf line 2: /) as unknown,
    });
    expect(await vms.store.exists(300)).toBe(false);
  });
});
