// The VM service's reads on hand-written configs (with [PENDING] and snapshot sections): status, list, config,
// pending, snapshots, and the status events it publishes. No VM runs here: the monitor knows none.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { VmStatus } from '../api/vm';
import { agentPaths } from '../daemon/paths';
import { tempDirForTest } from '../fs/temp-dir';
import { guestConfigPath } from '../guests/guest-configs';
import { nodeStorageService } from '../storage/node-storage';
import { parseVmConf } from './config/conf-document';
import { toApiValues } from '../guests/guest-views';
import { VmService, type VmServiceOptions } from './vm-service';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => AppError.from(error),
  );

let configDir: string;
let vms: VmService;
let events: Parameters<VmServiceOptions['publish']>[0][];
let logged: string[];

const WEB = [
  '#the web server',
  'cores: 2',
  'ide2: none,media=cdrom',
  'lock: backup',
  'memory: 1024',
  'name: web',
  'net0: virtio=BC:24:11:00:00:01,bridge=vmbr0',
  'parent: first',
  'scsi0: images:100/vm-100-disk-0.qcow2,size=4G',
  'scsi1: images:100/vm-100-disk-1.raw,size=512M',
  'sockets: 2',
  'tags: prod;web',
  'unused0: images:100/vm-100-disk-2.raw',
  '',
  '[PENDING]',
  'cores: 4',
  'delete: scsi1',
  'memory: 2048',
  '',
  '[first]',
  '#before the upgrade',
  'cores: 2',
  'memory: 1024',
  'name: web',
  'scsi0: images:100/vm-100-disk-0.qcow2,size=4G',
  'snaptime: 1700000000',
  'vmstate: images:100/vm-100-state-first.raw',
  '',
  '[second]',
  'cores: 2',
  'name: web',
  'parent: first',
  'snaptime: 1700000100',
  '',
].join('\n');

const place = async (node: string, vmid: number, text: string): Promise<void> => {
  const path = guestConfigPath(configDir, node, 'qemu', vmid);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
};

beforeEach(async () => {
  const root = await tempDirForTest('hd-vm-service-');
  const paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  configDir = paths.config;
  events = [];
  logged = [];
  vms = new VmService({
    paths,
    storage: nodeStorageService(paths),
    spawnTask: () => Promise.reject(new Error('no task runs in these tests')),
    user: 'root@pam',
    publish: (event) => events.push(event),
    log: (line) => logged.push(line),
  });
  await place('n1', 100, WEB);
  await place('n1', 101, 'name: tmpl\ntemplate: 1\nscsi0: images:101/base-101-disk-0.raw,size=1G\n');
});

describe('toApiValues', () => {
  it('gives PVE’s numeric keys as numbers and everything else as text', () => {
    expect(
      toApiValues({
        cores: '2',
        memory: '1024',
        name: '42',
        template: '1',
        cpulimit: '1.5',
        balloon: 'x',
        scsi0: 'local:1',
      }),
    ).toEqual({
      cores: 2,
      memory: 1024,
      name: '42',
      template: 1,
      cpulimit: 1.5,
      balloon: 'x',
      scsi0: 'local:1',
    });
  });
});

describe('VmService.status', () => {
  it('reads a stopped VM’s facts off its current values', async () => {
    const status = await vms.status(100);
    expect(VmStatus.parse(status)).toEqual(status);
    expect(status).toEqual({
      vmid: 100,
      type: 'qemu',
      name: 'web',
      status: 'stopped',
      cpu: 0,
      maxcpu: 4,
      mem: 0,
      maxmem: 1024 * 1024 ** 2,
      disk: 0,
      // scsi0 and scsi1: the CD drive and the unused disk are not the VM's disks.
      maxdisk: 4 * 1024 ** 3 + 512 * 1024 ** 2,
      uptime: 0,
      netin: 0,
      netout: 0,
      diskread: 0,
      diskwrite: 0,
      pending: true,
      tags: ['prod', 'web'],
      lock: 'backup',
      parent: 'first',
    });
  });

  it('marks a template, names an unnamed VM, and says so when nothing is pending', async () => {
    expect(await vms.status(101)).toMatchObject({
      name: 'tmpl',
      template: true,
      pending: false,
      maxcpu: 1,
      maxmem: 512 * 1024 ** 2,
      maxdisk: 1024 ** 3,
    });
    await place('n1', 102, 'cores: 1\n');
    expect(await vms.status(102)).toMatchObject({ name: 'VM 102' });
    expect(await vms.status(102)).not.toHaveProperty('tags');
  });

  it('is not-found naming the node for a VM elsewhere', async () => {
    await place('n2', 300, 'name: far\n');
    expect(await refusal(vms.status(300))).toMatchObject({
      code: 'not-found',
      message: 'VM 300 is not on node n1 (VM 300 is on node n2)',
    });
  });
});

describe('VmService.list and nextid', () => {
  it('lists this node’s VMs, skipping (and logging) one whose config cannot be read', async () => {
    await place('n1', 102, 'name: broken\nnot a line\n');
    await place('n2', 103, 'name: elsewhere\n');
    expect((await vms.list()).map((vm) => [vm.vmid, vm.name])).toEqual([
      [100, 'web'],
      [101, 'tmpl'],
    ]);
    expect(logged).toEqual([expect.stringMatching(/^VM 102: qemu-server\/102\.conf line 2: /)]);
    expect(await vms.nextid()).toEqual({ vmid: 104 });
  });
});

describe('VmService.config', () => {
  it('with current set, gives the values it runs with now (numbers as numbers), the description and the digest', async () => {
    const { digest } = await vms.store.read(100);
    const config = await vms.config(100, { current: true });
    expect(config.digest).toBe(digest);
    expect(config.description).toBe('the web server');
    expect(config.config).toMatchObject({
      cores: 2,
      memory: 1024,
      sockets: 2,
      scsi1: 'images:100/vm-100-disk-1.raw,size=512M',
      lock: 'backup',
    });
  });

  it('by default, as PVE, applies the pending values and deletes (what the next start runs)', async () => {
    const config = (await vms.config(100, { current: false })).config;
    expect(config).toMatchObject({ cores: 4, memory: 2048, name: 'web' });
    expect(config).not.toHaveProperty('scsi1');
    expect(config).not.toHaveProperty('delete');
  });

  it('gives a snapshot’s values, or not-found for a snapshot that is not there', async () => {
    const snapshot = await vms.config(100, { snapshot: 'first', current: false });
    expect(snapshot.config).toEqual({
      cores: 2,
      memory: 1024,
      name: 'web',
      scsi0: 'images:100/vm-100-disk-0.qcow2,size=4G',
      snaptime: '1700000000',
      vmstate: 'images:100/vm-100-state-first.raw',
    });
    expect(snapshot.description).toBe('before the upgrade');
    expect(await refusal(vms.config(100, { snapshot: 'third', current: false }))).toMatchObject({
      code: 'not-found',
      message: 'VM 100 has no snapshot third',
    });
    expect(await refusal(vms.config(100, { snapshot: 'PENDING', current: false }))).toMatchObject({
      code: 'not-found',
    });
  });
});

describe('VmService.pending', () => {
  it('lists every key with its value now, its pending value or its pending delete', async () => {
    const items = await vms.pending(100);
    expect(items.map((item) => item.key)).toEqual([
      'cores',
      'ide2',
      'lock',
      'memory',
      'name',
      'net0',
      'parent',
      'scsi0',
      'scsi1',
      'sockets',
      'tags',
      'unused0',
    ]);
    expect(items.find((item) => item.key === 'cores')).toEqual({ key: 'cores', value: 2, pending: 4 });
    expect(items.find((item) => item.key === 'memory')).toEqual({ key: 'memory', value: 1024, pending: 2048 });
    expect(items.find((item) => item.key === 'scsi1')).toEqual({
      key: 'scsi1',
      value: 'images:100/vm-100-disk-1.raw,size=512M',
      delete: true,
    });
    expect(items.find((item) => item.key === 'name')).toEqual({ key: 'name', value: 'web' });
  });
});

describe('VmService.snapshots', () => {
  it('gives the snapshot tree and the one the current state descends from', async () => {
    expect(await vms.snapshots(100)).toEqual({
      snapshots: [
        { name: 'first', vmstate: true, snaptime: 1700000000, description: 'before the upgrade' },
        { name: 'second', vmstate: false, parent: 'first', snaptime: 1700000100 },
      ],
      current: 'first',
    });
    expect(await vms.snapshots(101)).toEqual({ snapshots: [] });
  });
});

describe('VmService.publishStatus', () => {
  it('publishes guest.update with the inventory’s fields only, and guest.remove once the config is gone', async () => {
    await vms.publishStatus(100);
    expect(events).toHaveLength(1);
    const [update] = events;
    expect(update?.topic).toBe('guest.update');
    expect(update?.data).toMatchObject({
      vmid: 100,
      type: 'qemu',
      name: 'web',
      status: 'stopped',
      lock: 'backup',
      tags: ['prod', 'web'],
    });
    expect(update?.data).not.toHaveProperty('pending');
    expect(update?.data).not.toHaveProperty('parent');
    await vms.store.remove(100);
    await vms.publishStatus(100);
    expect(events[1]).toEqual({ topic: 'guest.remove', data: { vmid: 100, type: 'qemu' } });
  });

  it('logs instead of publishing when the config cannot be read', async () => {
    await place('n1', 102, 'not a line\n');
    await vms.publishStatus(102);
    expect(events).toEqual([]);
    expect(logged).toEqual([
      expect.stringMatching(/^VM 102: cannot publish its status: qemu-server\/102\.conf line 1: /),
    ]);
  });
});

describe('checkUnlocked and checkNotTemplate', () => {
  it('refuse a locked VM naming the lock, and a template', () => {
    const locked = parseVmConf('lock: snapshot\nname: x\n');
    expect(() => VmService.checkUnlocked(100, locked, 'start it')).toThrow(
      'VM 100 is locked (snapshot) — cannot start it until it is done',
    );
    expect(() => VmService.checkUnlocked(100, parseVmConf('name: x\n'), 'start it')).not.toThrow();
    const template = parseVmConf('template: 1\n');
    expect(() => VmService.checkNotTemplate(101, template, 'be started')).toThrow(
      expect.objectContaining({ code: 'not-supported' }) as Error,
    );
    expect(() => VmService.checkNotTemplate(101, parseVmConf('template: 0\n'), 'be started')).not.toThrow();
  });
});
