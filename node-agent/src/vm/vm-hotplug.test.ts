import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runChecked, run } from '../exec/run';
import { tempDirForTest } from '../fs/temp-dir';
import type { TaskContext } from '../tasks/task-context';
import { compileQemuCommand } from './command-line';
import { typedConfig, type VmConfig } from './config/typed';
import { QmpClient } from './qmp-client';
import { killQemu, launchQemu } from './qemu-process';
import { vmRunPaths } from './run-paths';
import { hotplugPlan, runHotplug, type HotplugEnv } from './vm-hotplug';

const T = 60_000;
const VMID = 4243;

const BASE = {
  scsihw: 'virtio-scsi-pci',
  scsi0: 'local:100/vm-100-disk-0.qcow2,size=1G',
  ide2: 'none,media=cdrom',
  net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
  boot: 'order=scsi0;ide2;net0',
};
const vmWith = (values: Record<string, string> = {}): VmConfig => typedConfig({ ...BASE, ...values });
const ENV: HotplugEnv = {
  vmid: 100,
  accel: 'kvm',
  vhost: true,
  drives: { scsi1: { path: '/dev/fake/scsi1', format: 'raw' }, virtio0: { path: '/dev/fake/virtio0', format: 'qcow2' }, ide2: { path: '/isos/debian.iso', format: 'raw' } },
};
const hmp = (line: string) => ({ execute: 'human-monitor-command', arguments: { 'command-line': line } });
const SCSI1_DRIVE = 'file=/dev/fake/scsi1,format=raw,if=none,id=drive-scsi1,cache=none,aio=io_uring,detect-zeroes=on';
const SCSI1_ADD = [
  { execute: 'device_add', arguments: { driver: 'virtio-scsi-pci', id: 'scsihw0' }, unlessExists: '/machine/peripheral/scsihw0' },
  hmp(`drive_add auto "${SCSI1_DRIVE}"`),
  { execute: 'device_add', arguments: { driver: 'scsi-hd', bus: 'scsihw0.0', channel: '0', 'scsi-id': '0', lun: '1', drive: 'drive-scsi1', id: 'scsi1' } },
];

describe('hotplugPlan: disks', () => {
  it('adds a SCSI disk as the cold command line makes it, the shared controller only when missing', () => {
    expect(hotplugPlan('scsi1', undefined, 'local:100/vm-100-disk-1.raw,size=2G', vmWith(), ENV)).toEqual({ key: 'scsi1', steps: SCSI1_ADD });
  });

  it('removes a SCSI disk: device_del (waited for), then its drive; replacing it is remove then add', () => {
    const running = vmWith({ scsi1: 'local:100/vm-100-disk-1.raw' });
    const remove = [{ execute: 'device_del', arguments: { id: 'scsi1' } }, hmp('drive_del drive-scsi1')];
    expect(hotplugPlan('scsi1', 'local:100/vm-100-disk-1.raw', undefined, running, ENV)).toEqual({ key: 'scsi1', steps: remove });
    expect(hotplugPlan('scsi1', 'local:100/vm-100-disk-1.raw', 'local:100/vm-100-disk-2.raw', running, ENV)).toEqual({ key: 'scsi1', steps: [...remove, ...SCSI1_ADD] });
  });

  it('adds a virtio disk with its iothread and boot index; removes the iothread after the disk', () => {
    const vm = vmWith({ boot: 'order=virtio0;scsi0' });
    const value = 'local:100/vm-100-disk-3.qcow2,iothread=1,cache=writeback';
    const add = [
      { execute: 'object-add', arguments: { 'qom-type': 'iothread', id: 'iothread-virtio0' } },
      hmp('drive_add auto "file=/dev/fake/virtio0,format=qcow2,if=none,id=drive-virtio0,cache=writeback,aio=threads,detect-zeroes=on"'),
      { execute: 'device_add', arguments: { driver: 'virtio-blk-pci', iothread: 'iothread-virtio0', drive: 'drive-virtio0', id: 'virtio0', bootindex: '100' } },
    ];
    expect(hotplugPlan('virtio0', undefined, value, vm, ENV)?.steps).toEqual(add);
    expect(hotplugPlan('virtio0', value, undefined, vm, ENV)?.steps).toEqual([
      { execute: 'device_del', arguments: { id: 'virtio0' } },
      hmp('drive_del drive-virtio0'),
      { execute: 'object-del', arguments: { id: 'iothread-virtio0' } },
    ]);
  });

  it('virtio-scsi-single: each disk brings its own controller (and iothread), made only when missing', () => {
    const steps = hotplugPlan('scsi1', undefined, 'local:100/vm-100-disk-1.raw,iothread=1', vmWith({ scsihw: 'virtio-scsi-single' }), ENV)?.steps;
    expect(steps?.slice(0, 2)).toEqual([
      { execute: 'object-add', arguments: { 'qom-type': 'iothread', id: 'iothread-virtioscsi1' }, unlessExists: '/objects/iothread-virtioscsi1' },
      { execute: 'device_add', arguments: { driver: 'virtio-scsi-pci', id: 'virtioscsi1', iothread: 'iothread-virtioscsi1' }, unlessExists: '/machine/peripheral/virtioscsi1' },
    ]);
  });

  it('changes the medium of a CD drive on any bus, or ejects it', () => {
    const vm = vmWith();
    expect(hotplugPlan('ide2', 'none,media=cdrom', 'local:iso/debian.iso,media=cdrom', vm, ENV)?.steps).toEqual([
      { execute: 'blockdev-change-medium', arguments: { id: 'ide2', filename: '/isos/debian.iso', format: 'raw', 'read-only-mode': 'read-only' } },
    ]);
    expect(hotplugPlan('ide2', 'local:iso/debian.iso,media=cdrom', 'none,media=cdrom', vm, ENV)?.steps).toEqual([{ execute: 'eject', arguments: { id: 'ide2', force: true } }]);
    // even with disk hotplug off: a medium change is no hotplug
    expect(hotplugPlan('ide2', 'none,media=cdrom', 'cdrom,media=cdrom', vmWith({ hotplug: '0' }), ENV)?.steps).toEqual([
      { execute: 'blockdev-change-medium', arguments: { id: 'ide2', filename: '/dev/cdrom', format: 'raw', 'read-only-mode': 'read-only' } },
    ]);
  });

  it('writes a change QEMU never sees at once; what would change the device waits (undefined)', () => {
    const running = vmWith({ scsi1: 'local:100/vm-100-disk-1.raw,size=2G' });
    expect(hotplugPlan('scsi1', 'local:100/vm-100-disk-1.raw,size=2G', 'local:100/vm-100-disk-1.raw,backup=0,size=2G', running, ENV)).toEqual({ key: 'scsi1', steps: [] });
    expect(hotplugPlan('scsi1', 'local:100/vm-100-disk-1.raw,size=2G', 'local:100/vm-100-disk-1.raw,cache=unsafe,size=2G', running, ENV)).toBeUndefined();
  });

  it('leaves what QEMU cannot hotplug pending: sata/ide disks, lsi, disk hotplug off, PCI on q35, a new controller on q35', () => {
    const value = 'local:100/vm-100-disk-1.raw';
    expect(hotplugPlan('sata1', undefined, value, vmWith(), ENV)).toBeUndefined();
    expect(hotplugPlan('ide1', undefined, value, vmWith(), ENV)).toBeUndefined();
    expect(hotplugPlan('scsi1', undefined, value, vmWith({ scsihw: 'lsi' }), ENV)).toBeUndefined();
    expect(hotplugPlan('scsi1', undefined, value, vmWith({ hotplug: 'network,usb' }), ENV)).toBeUndefined();
    expect(hotplugPlan('virtio0', undefined, value, vmWith({ machine: 'q35' }), ENV)).toBeUndefined();
    expect(hotplugPlan('scsi1', undefined, value, vmWith({ machine: 'q35', scsihw: 'virtio-scsi-single' }), ENV)).toBeUndefined();
    expect(hotplugPlan('scsi1', undefined, value, vmWith({ machine: 'q35' }), ENV)?.steps).toHaveLength(3); // scsihw0 exists (scsi0)
    expect(hotplugPlan('efidisk0', undefined, value, vmWith(), ENV)).toBeUndefined();
  });
});

describe('hotplugPlan: NICs (plan: a NIC needs a tap on the host, which this test must not make)', () => {
  const NET1 = 'virtio=BC:24:11:00:00:02,bridge=vmbr0,tag=10,rate=12.5,link_down=1';
  const ADD_NET1 = [
    { execute: 'netdev_add', arguments: { type: 'tap', id: 'net1', ifname: 'tap100i1', script: 'no', downscript: 'no', vhost: true } },
    { execute: 'device_add', arguments: { driver: 'virtio-net-pci', mac: 'BC:24:11:00:00:02', netdev: 'net1', id: 'net1' } },
    { run: 'ip', args: ['link', 'set', 'dev', 'tap100i1', 'master', 'vmbr0'] },
    { run: 'ip', args: ['link', 'set', 'dev', 'tap100i1', 'up'] },
    { run: 'bridge', args: ['vlan', 'add', 'dev', 'tap100i1', 'vid', '10', 'pvid', 'untagged'] },
    { run: 'bridge', args: ['vlan', 'del', 'dev', 'tap100i1', 'vid', '1'] },
    { run: 'tc', args: ['qdisc', 'replace', 'dev', 'tap100i1', 'root', 'tbf', 'rate', '100000kbit', 'burst', '1mb', 'latency', '50ms'] },
    { run: 'tc', args: ['qdisc', 'replace', 'dev', 'tap100i1', 'handle', 'ffff:', 'ingress'] },
    {
      run: 'tc',
      args: ['filter', 'replace', 'dev', 'tap100i1', 'parent', 'ffff:', 'prio', '50', 'basic', 'police', 'rate', '100000kbit', 'burst', '1mb', 'mtu', '64kb', 'drop'],
      kernelFeature: expect.stringContaining('cls_basic') as unknown,
    },
    { execute: 'set_link', arguments: { name: 'net1', up: false } },
  ];

  it('plan: adds a NIC (netdev_add typed, device_add as the cold -device, the tap plumbed, link down)', () => {
    const plan = hotplugPlan('net1', undefined, NET1, vmWith(), ENV);
    expect(plan?.steps).toEqual(ADD_NET1);
    expect(plan?.nic).toMatchObject({ key: 'net1', tap: 'tap100i1', bridge: 'vmbr0', tag: 10 });
  });

  it('plan: removes a NIC (device_del, then netdev_del); a new model or MAC replugs it', () => {
    const remove = [{ execute: 'device_del', arguments: { id: 'net1' } }, { execute: 'netdev_del', arguments: { id: 'net1' } }];
    expect(hotplugPlan('net1', NET1, undefined, vmWith({ net1: NET1 }), ENV)?.steps).toEqual(remove);
    expect(hotplugPlan('net1', NET1.replace('00:02', '00:03'), NET1, vmWith(), ENV)?.steps).toEqual([...remove, ...ADD_NET1]);
  });

  it('plan: a new bridge, tag, rate or link state changes the same NIC in place', () => {
    const before = 'virtio=BC:24:11:00:00:01,bridge=vmbr0,rate=10';
    const after = 'virtio=BC:24:11:00:00:01,bridge=vmbr1,tag=20,link_down=1';
    expect(hotplugPlan('net0', before, after, vmWith(), ENV)?.steps).toEqual([
      { run: 'ip', args: ['link', 'set', 'dev', 'tap100i0', 'nomaster'] },
      { run: 'ip', args: ['link', 'set', 'dev', 'tap100i0', 'master', 'vmbr1'] },
      { run: 'ip', args: ['link', 'set', 'dev', 'tap100i0', 'up'] },
      { run: 'bridge', args: ['vlan', 'add', 'dev', 'tap100i0', 'vid', '20', 'pvid', 'untagged'] },
      { run: 'bridge', args: ['vlan', 'del', 'dev', 'tap100i0', 'vid', '1'] },
      { run: 'tc', args: ['qdisc', 'del', 'dev', 'tap100i0', 'root'] },
      { run: 'tc', args: ['qdisc', 'del', 'dev', 'tap100i0', 'ingress'] },
      { execute: 'set_link', arguments: { name: 'net0', up: false } },
    ]);
    // firewall is recorded only (no guest firewall yet): nothing to run, written at once
    expect(hotplugPlan('net0', before, `${before},firewall=1`, vmWith(), ENV)?.steps).toEqual([]);
  });

  it('plan: network hotplug off or q35 leaves an added NIC pending', () => {
    expect(hotplugPlan('net1', undefined, NET1, vmWith({ hotplug: 'disk' }), ENV)).toBeUndefined();
    expect(hotplugPlan('net1', undefined, NET1, vmWith({ machine: 'q35' }), ENV)).toBeUndefined();
  });
});

describe('runHotplug on a real QEMU (TCG, paused, no guest OS)', () => {
  let client: QmpClient | undefined;
  let pid: number | undefined;
  afterEach(async () => {
    client?.close();
    if (pid !== undefined) await killQemu(pid, { graceMs: 2000 });
    client = undefined;
    pid = undefined;
  });

  const taskContext = (warnings: string[]): TaskContext => ({
    upid: 'test',
    signal: new AbortController().signal,
    log: () => undefined,
    warn: (line) => warnings.push(line),
    progress: () => undefined,
    run: (command, args, options) => run(command, args, options),
  });

  const start = async () => {
    const dir = await tempDirForTest('hd-hotplug-');
    const image = (name: string) => join(dir, name);
    for (const name of ['scsi0.qcow2', 'scsi1.qcow2', 'virtio0.qcow2']) await runChecked('qemu-img', ['create', '-q', '-f', 'qcow2', image(name), '64M']);
    await writeFile(image('cd.iso'), Buffer.alloc(2048 * 16));
    const values = { ...BASE, vga: 'none', scsi0: `${image('scsi0.qcow2')},cache=writeback` };
    delete (values as Partial<typeof values>).net0;
    const vm = typedConfig({ ...values, boot: 'order=scsi0;ide2' });
    const runPaths = vmRunPaths({ run: dir }, VMID);
    const drives = {
      scsi0: { path: image('scsi0.qcow2'), format: 'qcow2' },
      scsi1: { path: image('scsi1.qcow2'), format: 'qcow2' },
      virtio0: { path: image('virtio0.qcow2'), format: 'qcow2' },
      ide2: { path: image('cd.iso'), format: 'raw' },
    };
    const argv = [...compileQemuCommand(vm, { vmid: VMID, node: 'n1', accel: 'tcg', runPaths, drives }), '-S'];
    pid = (await launchQemu(argv, { vmid: VMID, runPaths, timeoutMs: 30_000 })).pid;
    client = await QmpClient.connect(runPaths.qmp);
    return { vm, client, env: { vmid: VMID, accel: 'tcg', drives } satisfies HotplugEnv, image };
  };

  const blockDevices = async (qmp: QmpClient) =>
    (await qmp.execute<{ device: string; qdev?: string; inserted?: { file: string; ro: boolean } }[]>('query-block')).map((b) => ({
      device: b.device,
      file: b.inserted?.file,
    }));
  const pciIds = async (qmp: QmpClient) =>
    (await qmp.execute<{ devices: { qdev_id: string }[] }[]>('query-pci')).flatMap((bus) => bus.devices.map((d) => d.qdev_id));

  it(
    'hotplugs a SCSI and a virtio disk, unplugs the SCSI disk, and changes the CD medium',
    async () => {
      const { vm, client: qmp, env, image } = await start();
      const warnings: string[] = [];
      const ctx = taskContext(warnings);
      const scsi1 = `${image('scsi1.qcow2')},cache=writeback`;
      const virtio0 = `${image('virtio0.qcow2')},cache=writeback`;
      for (const [key, value] of [['scsi1', scsi1], ['virtio0', virtio0]] as const) {
        const plan = hotplugPlan(key, undefined, value, vm, env);
        if (!plan) throw new Error(`${key}: no plan`);
        await runHotplug(qmp, VMID, plan, ctx);
      }
      expect(await blockDevices(qmp)).toEqual(
        expect.arrayContaining([
          { device: 'drive-scsi1', file: image('scsi1.qcow2') },
          { device: 'drive-virtio0', file: image('virtio0.qcow2') },
        ]),
      );
      expect(await pciIds(qmp)).toEqual(expect.arrayContaining(['scsihw0', 'virtio0']));

      // A SCSI disk leaves without the guest: DEVICE_DELETED comes from QEMU itself.
      const afterAdd = typedConfig({ ...vm.values, scsi1, virtio0 });
      const removal = hotplugPlan('scsi1', scsi1, undefined, afterAdd, env);
      if (!removal) throw new Error('scsi1: no removal plan');
      await runHotplug(qmp, VMID, removal, ctx);
      expect((await blockDevices(qmp)).map((b) => b.device)).not.toContain('drive-scsi1');
      expect(await qmp.execute('qom-list', { path: '/machine/peripheral/scsi1' }).catch(() => 'gone')).toBe('gone');

      const insert = hotplugPlan('ide2', 'none,media=cdrom', `${image('cd.iso')},media=cdrom`, vm, env);
      if (!insert) throw new Error('ide2: no plan');
      await runHotplug(qmp, VMID, insert, ctx);
      expect(await blockDevices(qmp)).toContainEqual({ device: 'drive-ide2', file: image('cd.iso') });
      const eject = hotplugPlan('ide2', `${image('cd.iso')},media=cdrom`, 'none,media=cdrom', vm, env);
      if (!eject) throw new Error('ide2: no eject plan');
      await runHotplug(qmp, VMID, eject, ctx);
      expect(await blockDevices(qmp)).toContainEqual({ device: 'drive-ide2', file: undefined });
      expect(warnings).toEqual([]);
    },
    T,
  );

  it(
    'a PCI unplug the guest does not answer times out and keeps the disk (no guest OS here)',
    async () => {
      const { vm, client: qmp, env, image } = await start();
      const ctx = taskContext([]);
      const virtio0 = `${image('virtio0.qcow2')},cache=writeback`;
      const plan = hotplugPlan('virtio0', undefined, virtio0, vm, env);
      if (!plan) throw new Error('virtio0: no plan');
      await runHotplug(qmp, VMID, plan, ctx);
      const removal = hotplugPlan('virtio0', virtio0, undefined, typedConfig({ ...vm.values, virtio0 }), env);
      if (!removal) throw new Error('virtio0: no removal plan');
      await expect(runHotplug(qmp, VMID, removal, ctx, { unplugTimeoutMs: 1500 })).rejects.toMatchObject({ code: 'timeout' });
      expect(await pciIds(qmp)).toContain('virtio0');
      expect((await blockDevices(qmp)).map((b) => b.device)).toContain('drive-virtio0');
    },
    T,
  );

  it(
    'takes back what it added when a later step fails',
    async () => {
      const { vm, client: qmp, env, image } = await start();
      const warnings: string[] = [];
      const plan = hotplugPlan('scsi1', undefined, `${image('scsi1.qcow2')},cache=writeback`, vm, env);
      if (!plan) throw new Error('scsi1: no plan');
      // The device refers to a bus that does not exist: drive_add succeeds, device_add fails.
      const broken = { ...plan, steps: plan.steps.map((step) => ('execute' in step && step.arguments?.driver === 'scsi-hd' ? { ...step, arguments: { ...step.arguments, bus: 'nosuchbus.0' } } : step)) };
      await expect(runHotplug(qmp, VMID, broken, taskContext(warnings))).rejects.toMatchObject({ code: 'command-failed' });
      expect((await blockDevices(qmp)).map((b) => b.device)).not.toContain('drive-scsi1');
      expect(warnings).toEqual([]);
    },
    T,
  );
});
