// Dev only: the ct.* methods of the fake window.hyperdesk: configs with digests and pending changes (a removed mount
// point's volume becomes unusedN), power actions, create/destroy, snapshots, resize, clone and template as tasks that
// change the inventory when they end (as fake-vm-calls.ts for VMs), and usage history.
import type { GuestEntry, NodeEntry } from '../../../main/core/inventory-schema';
import type { Timeframe, VmConfigValues } from '../../../node-agent/src/api';
import {
  createGuestKit,
  FakeGuestError as FakeCtError,
  freshRecord,
  type GuestCallDeps,
  type GuestRecord,
} from './fake-guest-calls';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
// What reaches a running container at once (its cgroups, options LXC never reads, unused volumes); the rest waits.
const HOT = /^(cores|cpulimit|cpuunits|memory|swap|hostname|description|onboot|startup|protection|tags|unused\d+)$/;
const VOLUME = /^(rootfs|mp\d+)$/;

/** STORAGE:SIZE_GiB volumes become the allocated volume, as the agent does. */
const allocate = (vmid: number, config: VmConfigValues, ct?: GuestRecord) => {
  let disk = ct === undefined ? 0 : Object.keys(ct.config).filter((k) => VOLUME.test(k)).length;
  for (const [key, value] of Object.entries(config)) {
    const m = /^([a-z][a-z0-9-]*):(\d+)(,.*)?$/.exec(String(value));
    if (!VOLUME.test(key) || m === null) continue;
    config[key] = `${m[1]}:subvol-${vmid}-disk-${disk++},size=${m[2]}G${m[3] ?? ''}`;
  }
};

/** A removed mpN's volume is kept as the first free unusedN, as pct set --delete does (a bind mount just goes). */
const detachVolumes = (ct: GuestRecord, params: Record<string, unknown>): Record<string, unknown> => {
  const config = { ...(params.config as VmConfigValues | undefined) };
  const taken = new Set([...Object.keys(ct.config), ...Object.keys(ct.pending), ...Object.keys(config)]);
  for (const key of (params.delete as string[] | undefined) ?? []) {
    const volume = String(ct.pending[key] ?? ct.config[key] ?? '').split(',')[0] ?? '';
    if (!/^mp\d+$/.test(key) || volume === '' || volume.startsWith('/')) continue;
    let n = 0;
    while (taken.has(`unused${n}`)) n++;
    taken.add(`unused${n}`);
    config[`unused${n}`] = volume;
  }
  return { ...params, config };
};

/** A clone's volumes: its own subvolumes (on `storage` when given), or links to a template's base volumes. */
const cloneVolumes = (config: VmConfigValues, newid: number, linked: boolean, storage?: string) => {
  for (const [key, value] of Object.entries(config)) {
    // Unused volumes stay with the source.
    if (/^unused\d+$/.test(key)) delete config[key];
    const text = String(value);
    if (!VOLUME.test(key) || text.startsWith('/')) continue;
    const volume = text.split(',')[0] ?? '';
    const [store = '', name = ''] = volume.split(':');
    const disk = /disk-(\d+)$/.exec(name)?.[1] ?? '0';
    const copy = linked
      ? `${store}:${name}/subvol-${newid}-disk-${disk}`
      : `${storage ?? store}:subvol-${newid}-disk-${disk}`;
    config[key] = text.replace(volume, copy);
  }
  for (const [key, value] of Object.entries(config))
    if (/^net\d+$/.test(key))
      config[key] = String(value).replace(
        /hwaddr=[0-9A-F:]+/,
        `hwaddr=BC:24:11:${(newid % 256).toString(16).padStart(2, '0').toUpperCase()}:00:${key.slice(3).padStart(2, '0')}`,
      );
};

export function createFakeCtCalls(deps: GuestCallDeps) {
  const kit = createGuestKit(deps, {
    type: 'lxc',
    label: 'CT',
    taskPrefix: 'vz',
    hot: HOT,
    nameKey: 'hostname',
    digest: (serial) => (serial * 40503 + 7).toString(16).padStart(40, '0').slice(-40),
    allocate,
    initial: (guest) => ({
      hostname: guest.name,
      arch: 'amd64',
      ostype: 'debian',
      cores: guest.maxcpu,
      memory: guest.maxmem / MiB,
      swap: 512,
      rootfs: `local-lvm:subvol-${guest.vmid}-disk-0,size=${Math.max(1, Math.round(guest.maxdisk / GiB))}G`,
      net0: `name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:00:${(guest.vmid % 256).toString(16).padStart(2, '0').toUpperCase()}:02,ip=dhcp,type=veth`,
      unprivileged: 1,
      features: 'nesting=1',
    }),
  });
  const { records: cts, find, record, applyPending, checkUnlocked, needState, freeVmid, task } = kit;

  const setStatus = (key: string, status: GuestEntry['status']) => {
    const guest = kit.latest(key);
    if (guest === undefined) return;
    const running = status === 'running';
    deps.patchGuest(key, {
      ...guest,
      status,
      uptime: running ? 1 : 0,
      cpu: running ? 0.02 : 0,
      mem: running ? guest.maxmem * 0.2 : 0,
    });
  };
  const statusOf = (guest: GuestEntry) => {
    const ct = record(guest);
    const { key: _key, nodeKey: _nodeKey, ...status } = guest;
    return {
      ...status,
      pending: Object.keys(ct.pending).length > 0 || ct.deletes.size > 0,
      unprivileged: Number(ct.config.unprivileged ?? 0) === 1,
      ...(guest.status === 'running' ? { pid: 20_000 + guest.vmid } : {}),
      ...(ct.current === undefined ? {} : { parent: ct.current }),
    };
  };

  const power = (node: NodeEntry, guest: GuestEntry, method: string) => {
    checkUnlocked(guest);
    const { vmid, key } = guest;
    const ct = record(guest);
    switch (method) {
      case 'ct.start':
        needState(guest, ['stopped'], 'start');
        return task(node, 'vzstart', vmid, [`starting CT ${vmid}`], () => {
          applyPending(ct);
          setStatus(key, 'running');
        });
      case 'ct.stop':
        needState(guest, ['running', 'paused'], 'stop');
        return task(node, 'vzstop', vmid, [`stopping CT ${vmid}`], () => setStatus(key, 'stopped'));
      case 'ct.shutdown':
        needState(guest, ['running'], 'shut down');
        return task(node, 'vzshutdown', vmid, ['asking init to shut down', 'container stopped'], () =>
          setStatus(key, 'stopped'),
        );
      case 'ct.reboot':
        needState(guest, ['running'], 'reboot');
        return task(node, 'vzreboot', vmid, ['shutting down', 'starting'], () => {
          applyPending(ct);
          setStatus(key, 'running');
        });
      default:
        return undefined;
    }
  };

  const agent = (node: NodeEntry, method: string, params: Record<string, unknown>): { value: unknown } | undefined => {
    const vmid = Number(params.vmid);
    switch (method) {
      case 'ct.list':
        return { value: [...deps.guests()].filter((g) => g.nodeKey === node.key && g.type === 'lxc').map(statusOf) };
      case 'ct.status':
        return { value: statusOf(find(node, vmid)) };
      case 'ct.config':
        // PVE's GET config: pending values applied unless `current` asks for what the container runs with.
        return { value: kit.config(record(find(node, vmid)), params.current !== true) };
      case 'ct.pending':
        return { value: kit.pending(record(find(node, vmid))) };
      case 'ct.set': {
        const guest = find(node, vmid);
        return { value: kit.set(guest, detachVolumes(record(guest), params)) };
      }
      case 'ct.metrics':
        return { value: kit.metrics(find(node, vmid), (params.timeframe ?? 'hour') as Timeframe) };
      case 'ct.resize':
        return { value: kit.resize(node, find(node, vmid), params) };
      case 'ct.template':
        return {
          value: kit.template(node, find(node, vmid), (config) => {
            for (const [key, value] of Object.entries(config))
              if (VOLUME.test(key)) config[key] = String(value).replace(/:subvol-(\d+-disk-\d+)/, ':basevol-$1');
          }),
        };
      case 'ct.clone': {
        const guest = find(node, vmid);
        const template = guest.template === true;
        const full = typeof params.full === 'boolean' ? params.full : !template;
        if (!full && !template)
          throw new FakeCtError('invalid-params', `CT ${vmid}: a linked clone needs a template — clone it fully`);
        needState(guest, ['stopped'], 'clone without a snapshot');
        const newid = Number(params.newid);
        const name = typeof params.hostname === 'string' ? params.hostname : `copy-of-${guest.name}`;
        const storage = typeof params.storage === 'string' ? params.storage : undefined;
        return {
          value: kit.clone(node, guest, newid, name, (config) => cloneVolumes(config, newid, !full, storage)),
        };
      }
      case 'ct.create': {
        freeVmid(vmid);
        if (!/^[a-z][a-z0-9-]*:vztmpl\/\S+$/.test(String(params.ostemplate)))
          throw new FakeCtError('invalid-params', `${String(params.ostemplate)} is not a container template volume`);
        const config = { ...(params.config as VmConfigValues) };
        if (typeof config.rootfs !== 'string')
          throw new FakeCtError('invalid-params', 'rootfs is required (STORAGE:SIZE_GiB)');
        allocate(vmid, config);
        const key = `${node.key}/${vmid}`;
        const guest: GuestEntry = {
          vmid,
          type: 'lxc',
          name: String(config.hostname ?? `CT${vmid}`),
          status: 'stopped',
          cpu: 0,
          maxcpu: Number(config.cores ?? 1),
          mem: 0,
          maxmem: Number(config.memory ?? 512) * MiB,
          disk: 0,
          maxdisk: Number(/size=(\d+)G/.exec(String(config.rootfs))?.[1] ?? 0) * GiB,
          uptime: 0,
          netin: 0,
          netout: 0,
          diskread: 0,
          diskwrite: 0,
          key,
          nodeKey: node.key,
        };
        const lines = [
          `allocating ${String(config.rootfs)}`,
          `extracting ${String(params.ostemplate)}`,
          'setting up the distribution',
        ];
        return {
          value: task(node, 'vzcreate', vmid, lines, () => {
            cts.set(key, freshRecord(config));
            deps.patchGuest(key, params.start === true ? { ...guest, status: 'running', uptime: 1 } : guest);
          }),
        };
      }
      case 'ct.destroy':
        return { value: kit.destroy(node, find(node, vmid)) };
      case 'ct.snapshots':
        return { value: kit.snapshots(record(find(node, vmid))) };
      case 'ct.snapshot':
        return { value: kit.snapshot(node, find(node, vmid), params, false) };
      case 'ct.rollback':
      case 'ct.delsnapshot': {
        const guest = find(node, vmid);
        return {
          value: kit.rollbackOrDelete(node, guest, params, method === 'ct.rollback', () =>
            setStatus(guest.key, params.start === true ? 'running' : 'stopped'),
          ),
        };
      }
      case 'ct.exec':
        needState(find(node, vmid), ['running'], 'run a command');
        return { value: { exitCode: 0, stdout: '', stderr: '' } };
      default: {
        if (!method.startsWith('ct.') || !Number.isInteger(vmid)) return undefined;
        const value = power(node, find(node, vmid), method);
        return value === undefined ? undefined : { value };
      }
    }
  };
  return { agent };
}
