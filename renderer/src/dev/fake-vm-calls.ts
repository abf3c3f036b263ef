// Dev only: the vm.* methods of the fake window.hyperdesk: configs with digests and pending changes, power
// actions, create/clone/destroy and snapshots as tasks that change the inventory when they end.
import type { GuestEntry, NodeEntry } from '../../../main/core/inventory-schema';
import type { Timeframe, VmConfigValues } from '../../../node-agent/src/api';
import { createGuestKit, FakeGuestError as FakeVmError, freshRecord, sizeOf, type GuestCallDeps } from './fake-guest-calls';

const GiB = 1024 ** 3;
// Changes a running VM takes at once (PVE: options and hot-pluggable devices); the rest waits for the next start.
const HOT = /^(name|description|onboot|startup|protection|tags|lock|ciuser|cipassword|sshkeys|ipconfig\d+|nameserver|agent|boot|ostype|net\d+)$/;

const allocate = (vmid: number, config: VmConfigValues) => {
  let disk = 0;
  for (const [key, value] of Object.entries(config)) {
    const m = /^([a-z][a-z0-9-]*):(\d+)(,.*)?$/.exec(String(value));
    if (!/^(ide|sata|scsi|virtio)\d+$|^efidisk0$/.test(key) || m === null) continue;
    config[key] = `${m[1]}:vm-${vmid}-disk-${disk++},size=${key === 'efidisk0' ? '4M' : `${m[2]}G`}${m[3] ?? ''}`;
  }
};

export function createFakeVmCalls(deps: GuestCallDeps) {
  const kit = createGuestKit(deps, {
    type: 'qemu',
    label: 'VM',
    taskPrefix: 'qm',
    hot: HOT,
    nameKey: 'name',
    digest: (serial) => (serial * 2654435761).toString(16).padStart(40, '0').slice(-40),
    allocate,
    initial: (guest) => {
      const config: VmConfigValues = {
        name: guest.name,
        ostype: 'l26',
        memory: guest.maxmem / 1024 ** 2,
        sockets: 1,
        cores: guest.maxcpu,
        cpu: 'x86-64-v2-AES',
        scsihw: 'virtio-scsi-single',
        scsi0: `local-lvm:vm-${guest.vmid}-disk-0,iothread=1,size=${guest.maxdisk / GiB}G`,
        ide2: 'local:iso/debian-12.8.0-amd64-netinst.iso,media=cdrom',
        net0: `virtio=BC:24:11:00:${(guest.vmid % 256).toString(16).padStart(2, '0').toUpperCase()}:01,bridge=vmbr0,firewall=1`,
        boot: 'order=scsi0;ide2;net0',
        agent: 1,
      };
      if (guest.template === true) config.template = 1;
      return config;
    },
  });
  const { records: vms, find, record, applyPending, checkUnlocked, needState, freeVmid, task } = kit;

  /** Sets the state of the guest as it is when the task ends (a tick may have replaced the entry meanwhile). */
  const setStatus = (stale: GuestEntry, status: GuestEntry['status'], extra: Partial<GuestEntry> = {}) => {
    const guest = kit.latest(stale.key);
    if (guest === undefined) return;
    const running = status === 'running';
    deps.patchGuest(guest.key, {
      ...guest,
      status,
      uptime: running ? Math.max(guest.uptime, 1) : status === 'stopped' ? 0 : guest.uptime,
      cpu: running ? 0.05 : 0,
      mem: status === 'stopped' ? 0 : guest.maxmem * 0.3,
      ...extra,
    });
  };
  const statusOf = (guest: GuestEntry) => {
    const vm = record(guest);
    const { key: _key, nodeKey: _nodeKey, ...status } = guest;
    const pending = Object.keys(vm.pending).length > 0 || vm.deletes.size > 0;
    const live = guest.status === 'running' || guest.status === 'paused';
    return {
      ...status,
      pending,
      ...(live ? { qmpstatus: guest.status, accel: 'kvm' as const, pid: 10_000 + guest.vmid } : {}),
      ...(vm.current === undefined ? {} : { parent: vm.current }),
    };
  };

  const power = (node: NodeEntry, guest: GuestEntry, action: string) => {
    checkUnlocked(guest);
    const vmid = guest.vmid;
    const vm = record(guest);
    switch (action) {
      case 'vm.start':
        needState(guest, ['stopped'], 'start');
        if (guest.template === true) throw new FakeVmError('invalid-params', `VM ${vmid} is a template`);
        return task(node, 'qmstart', vmid, [`start VM ${vmid}`], () => {
          applyPending(vm);
          setStatus(guest, 'running');
        });
      case 'vm.stop':
        needState(guest, ['running', 'paused', 'suspended'], 'stop');
        return task(node, 'qmstop', vmid, [`stop VM ${vmid}`], () => setStatus(guest, 'stopped'));
      case 'vm.shutdown':
        needState(guest, ['running'], 'shut down');
        return task(node, 'qmshutdown', vmid, ['sending ACPI power button', 'guest powered off'], () =>
          setStatus(guest, 'stopped'),
        );
      case 'vm.reboot':
        needState(guest, ['running'], 'reboot');
        return task(node, 'qmreboot', vmid, ['shutting down', 'starting'], () => {
          applyPending(vm);
          setStatus(guest, 'running', { uptime: 1 });
        });
      case 'vm.reset':
        needState(guest, ['running'], 'reset');
        return task(node, 'qmreset', vmid, ['system_reset'], () => setStatus(guest, 'running', { uptime: 1 }));
      case 'vm.suspend':
        needState(guest, ['running'], 'pause');
        return task(node, 'qmsuspend', vmid, ['stop'], () => setStatus(guest, 'paused'));
      case 'vm.resume':
        needState(guest, ['paused', 'suspended'], 'resume');
        return task(node, 'qmresume', vmid, ['cont'], () => setStatus(guest, 'running'));
      default:
        return undefined;
    }
  };

  const agent = (node: NodeEntry, method: string, params: Record<string, unknown>): { value: unknown } | undefined => {
    const vmid = Number(params.vmid);
    switch (method) {
      case 'vm.list':
        return { value: [...deps.guests()].filter((g) => g.nodeKey === node.key && g.type === 'qemu').map(statusOf) };
      case 'vm.nextid': {
        const used = new Set([...deps.guests()].map((g) => g.vmid));
        let next = 100;
        while (used.has(next)) next++;
        return { value: { vmid: next } };
      }
      case 'vm.status':
        return { value: statusOf(find(node, vmid)) };
      case 'vm.config':
        return { value: kit.config(record(find(node, vmid)), params.current === true) };
      case 'vm.pending':
        return { value: kit.pending(record(find(node, vmid))) };
      case 'vm.set':
        return { value: kit.set(find(node, vmid), params) };
      case 'vm.create': {
        freeVmid(vmid);
        const config = { ...(params.config as VmConfigValues) };
        allocate(vmid, config);
        const disk = Object.entries(config).find(([k]) => /^(scsi|virtio|sata|ide)\d+$/.test(k) && !String(config[k]).includes('media=cdrom'));
        const guest: GuestEntry = {
          vmid, type: 'qemu', name: String(config.name ?? `VM${vmid}`), status: 'stopped', cpu: 0,
          maxcpu: Number(config.sockets ?? 1) * Number(config.cores ?? 1), mem: 0,
          maxmem: Number(config.memory ?? 512) * 1024 ** 2, disk: 0, maxdisk: sizeOf(String(disk?.[1] ?? '')) * GiB,
          uptime: 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0, key: `${node.key}/${vmid}`, nodeKey: node.key,
        };
        return {
          value: task(node, 'qmcreate', vmid, [`creating VM ${vmid}`, 'writing config'], () => {
            vms.set(guest.key, freshRecord(config));
            deps.patchGuest(guest.key, params.start === true ? { ...guest, status: 'running', uptime: 1 } : guest);
          }),
        };
      }
      case 'vm.destroy':
        return { value: kit.destroy(node, find(node, vmid)) };
      case 'vm.sendkey':
        needState(find(node, vmid), ['running'], 'send keys');
        return { value: {} };
      case 'vm.snapshots':
        return { value: kit.snapshots(record(find(node, vmid))) };
      case 'vm.snapshot': {
        const guest = find(node, vmid);
        return { value: kit.snapshot(node, guest, params, params.vmstate === true && guest.status === 'running') };
      }
      case 'vm.rollback':
      case 'vm.delsnapshot': {
        const guest = find(node, vmid);
        return {
          value: kit.rollbackOrDelete(node, guest, params, method === 'vm.rollback', (snap) =>
            setStatus(guest, snap.vmstate ? 'running' : 'stopped'),
          ),
        };
      }
      case 'vm.template':
        return { value: kit.template(node, find(node, vmid)) };
      case 'vm.clone': {
        const guest = find(node, vmid);
        const name = typeof params.name === 'string' ? params.name : `Copy-of-VM-${guest.name}`;
        return { value: kit.clone(node, guest, Number(params.newid), name) };
      }
      case 'vm.resize':
        return { value: kit.resize(node, find(node, vmid), params) };
      case 'vm.move': {
        const guest = find(node, vmid);
        checkUnlocked(guest);
        const vm = record(guest);
        const disk = String(params.disk);
        const spec = vm.config[disk];
        if (typeof spec !== 'string') throw new FakeVmError('not-found', `VM ${vmid} has no disk ${disk}`);
        return {
          value: task(node, 'qmmove', vmid, [`moving ${disk} to ${String(params.storage)}`], () => {
            vm.config[disk] = spec.replace(/^[^:]+:/, `${String(params.storage)}:`);
            vm.serial++;
          }),
        };
      }
      case 'vm.cloudinit': {
        const config = record(find(node, vmid)).config;
        const text =
          params.type === 'user'
            ? `#cloud-config\nhostname: ${String(config.name)}\nuser: ${String(config.ciuser ?? 'root')}\n`
            : params.type === 'network'
              ? `version: 1\nconfig:\n  - type: physical\n    name: eth0\n    # ${String(config.ipconfig0 ?? 'ip=dhcp')}\n`
              : `instance-id: ${vmid}\n`;
        return { value: { text } };
      }
      case 'vm.metrics':
        return { value: kit.metrics(find(node, vmid), (params.timeframe ?? 'hour') as Timeframe) };
      default: {
        if (!method.startsWith('vm.') || !Number.isInteger(vmid)) return undefined;
        const value = power(node, find(node, vmid), method);
        return value === undefined ? undefined : { value };
      }
    }
  };
  return { agent };
}
