// Dev only: the ct.* methods of the fake window.hyperdesk: configs with digests and pending changes, power actions,
// create/destroy and snapshots as tasks that change the inventory when they end (as fake-vm-calls.ts for VMs).
import type { GuestEntry, NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import type { SnapshotInfo, VmConfigValues } from '../../../node-agent/src/api';
import { makeTask } from './fake-data';
import { FakeVmError as FakeCtError } from './fake-vm-calls';

interface Deps {
  patchTask: (task: TaskEntry) => void;
  currentTask: (upid: string) => TaskEntry | undefined;
  later: (ms: number, run: () => void) => void;
  nextPid: () => number;
  log: (upid: string, line: string) => void;
  guests: () => Iterable<GuestEntry>;
  patchGuest: (key: string, entry: GuestEntry | null) => void;
  stepMs: number;
}

interface CtRecord {
  config: VmConfigValues;
  pending: VmConfigValues;
  deletes: Set<string>;
  serial: number;
  snapshots: SnapshotInfo[];
  current: string | undefined;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
// What reaches a running container at once (its cgroups, and options LXC never reads); the rest waits as pending.
const HOT = /^(cores|cpulimit|cpuunits|memory|swap|hostname|description|onboot|startup|protection|tags)$/;
const VOLUME = /^(rootfs|mp\d+)$/;

export function createFakeCtCalls(deps: Deps) {
  const cts = new Map<string, CtRecord>(); // guest key
  const digestOf = (ct: CtRecord) => (ct.serial * 40503 + 7).toString(16).padStart(40, '0').slice(-40);
  const find = (node: NodeEntry, vmid: number): GuestEntry => {
    for (const g of deps.guests()) if (g.nodeKey === node.key && g.vmid === vmid && g.type === 'lxc') return g;
    throw new FakeCtError('not-found', `CT ${vmid} does not exist on node ${node.name}`);
  };
  const fresh = (config: VmConfigValues): CtRecord => ({
    config,
    pending: {},
    deletes: new Set(),
    serial: 1,
    snapshots: [],
    current: undefined,
  });
  const record = (guest: GuestEntry): CtRecord => {
    let ct = cts.get(guest.key);
    if (ct === undefined) {
      ct = fresh({
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
      });
      cts.set(guest.key, ct);
    }
    return ct;
  };
  /** STORAGE:SIZE_GiB volumes become the allocated volume, as the agent does. */
  const allocate = (vmid: number, config: VmConfigValues, ct?: CtRecord) => {
    let disk = ct === undefined ? 0 : Object.keys(ct.config).filter((k) => VOLUME.test(k)).length;
    for (const [key, value] of Object.entries(config)) {
      const m = /^([a-z][a-z0-9-]*):(\d+)(,.*)?$/.exec(String(value));
      if (!VOLUME.test(key) || m === null) continue;
      config[key] = `${m[1]}:subvol-${vmid}-disk-${disk++},size=${m[2]}G${m[3] ?? ''}`;
    }
  };
  const applyPending = (ct: CtRecord) => {
    Object.assign(ct.config, ct.pending);
    for (const key of ct.deletes) delete ct.config[key];
    ct.pending = {};
    ct.deletes.clear();
  };
  const checkUnlocked = (guest: GuestEntry) => {
    if (guest.lock !== undefined)
      throw new FakeCtError('locked', `CT ${guest.vmid} is locked (${guest.lock}) — wait for the task or cancel it`);
  };
  const needState = (guest: GuestEntry, ok: readonly GuestEntry['status'][], what: string) => {
    if (!ok.includes(guest.status))
      throw new FakeCtError('invalid-params', `CT ${guest.vmid} is ${guest.status}: cannot ${what}`);
  };
  const latest = (key: string): GuestEntry | undefined => {
    for (const g of deps.guests()) if (g.key === key) return g;
    return undefined;
  };

  /** A task on the container that logs a few lines, then applies `done` and ends OK. */
  const task = (node: NodeEntry, type: string, vmid: number, lines: string[], done: () => void) => {
    const entry: TaskEntry = {
      ...makeTask(node, deps.nextPid(), Math.floor(Date.now() / 1000), type),
      id: String(vmid),
      progress: 0,
    };
    deps.patchTask(entry);
    lines.forEach((line, i) =>
      deps.later(deps.stepMs * (i + 1), () => {
        const current = deps.currentTask(entry.upid);
        if (current?.status !== 'running') return;
        deps.log(entry.upid, line);
        const next: TaskEntry = { ...current, progress: (i + 1) / lines.length };
        if (i === lines.length - 1) {
          done();
          Object.assign(next, { status: 'stopped', endtime: Math.floor(Date.now() / 1000), exitstatus: 'OK' });
          delete next.progress;
        }
        deps.patchTask(next);
      }),
    );
    return { upid: entry.upid };
  };
  const setStatus = (key: string, status: GuestEntry['status']) => {
    const guest = latest(key);
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
      case 'ct.config': {
        const ct = record(find(node, vmid));
        const config = { ...ct.config };
        // PVE's GET config: pending values applied unless `current` asks for what the container runs with.
        if (params.current !== true) {
          Object.assign(config, ct.pending);
          for (const key of ct.deletes) delete config[key];
        }
        return { value: { digest: digestOf(ct), config } };
      }
      case 'ct.pending': {
        const ct = record(find(node, vmid));
        const keys = new Set([...Object.keys(ct.config), ...Object.keys(ct.pending), ...ct.deletes]);
        return {
          value: [...keys].sort().map((key) => ({
            key,
            ...(ct.config[key] === undefined ? {} : { value: ct.config[key] }),
            ...(ct.pending[key] === undefined ? {} : { pending: ct.pending[key] }),
            ...(ct.deletes.has(key) ? { delete: true } : {}),
          })),
        };
      }
      case 'ct.set': {
        const guest = find(node, vmid);
        checkUnlocked(guest);
        const ct = record(guest);
        if (params.digest !== digestOf(ct))
          throw new FakeCtError(
            'conflict',
            `the config of CT ${vmid} changed since it was read — reload and try again`,
          );
        const running = guest.status !== 'stopped';
        const config = { ...(params.config as VmConfigValues) };
        allocate(vmid, config, ct);
        for (const [key, value] of Object.entries(config)) {
          if (running && !HOT.test(key)) ct.pending[key] = value;
          else ct.config[key] = value;
          ct.deletes.delete(key);
        }
        for (const key of (params.delete as string[] | undefined) ?? []) {
          if (running && !HOT.test(key)) ct.deletes.add(key);
          else delete ct.config[key];
        }
        for (const key of (params.revert as string[] | undefined) ?? []) {
          delete ct.pending[key];
          ct.deletes.delete(key);
        }
        ct.serial++;
        if (typeof config.hostname === 'string') deps.patchGuest(guest.key, { ...guest, name: config.hostname });
        return { value: { digest: digestOf(ct), pending: [...Object.keys(ct.pending), ...ct.deletes] } };
      }
      case 'ct.create': {
        for (const g of deps.guests())
          if (g.vmid === vmid) throw new FakeCtError('already-exists', `VMID ${vmid} is already used by ${g.key}`);
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
            cts.set(key, fresh(config));
            deps.patchGuest(key, params.start === true ? { ...guest, status: 'running', uptime: 1 } : guest);
          }),
        };
      }
      case 'ct.destroy': {
        const guest = find(node, vmid);
        checkUnlocked(guest);
        needState(guest, ['stopped'], 'destroy');
        return {
          value: task(node, 'vzdestroy', vmid, [`destroying CT ${vmid}`], () => {
            cts.delete(guest.key);
            deps.patchGuest(guest.key, null);
          }),
        };
      }
      case 'ct.snapshots': {
        const ct = record(find(node, vmid));
        return { value: { snapshots: ct.snapshots, ...(ct.current === undefined ? {} : { current: ct.current }) } };
      }
      case 'ct.snapshot': {
        const guest = find(node, vmid);
        checkUnlocked(guest);
        const ct = record(guest);
        const name = String(params.snapname);
        if (ct.snapshots.some((s) => s.name === name))
          throw new FakeCtError('already-exists', `CT ${vmid} already has a snapshot ${name}`);
        const info: SnapshotInfo = {
          name,
          snaptime: Math.floor(Date.now() / 1000),
          vmstate: false,
          ...(ct.current === undefined ? {} : { parent: ct.current }),
          ...(typeof params.description === 'string' ? { description: params.description } : {}),
        };
        return {
          value: task(node, 'vzsnapshot', vmid, [`snapshotting CT ${vmid} as ${name}`], () => {
            ct.snapshots.push(info);
            ct.current = name;
          }),
        };
      }
      case 'ct.rollback':
      case 'ct.delsnapshot': {
        const guest = find(node, vmid);
        checkUnlocked(guest);
        const ct = record(guest);
        const name = String(params.snapname);
        const snap = ct.snapshots.find((s) => s.name === name);
        if (snap === undefined) throw new FakeCtError('not-found', `CT ${vmid} has no snapshot ${name}`);
        if (method === 'ct.rollback')
          return {
            value: task(node, 'vzrollback', vmid, [`rolling CT ${vmid} back to ${name}`], () => {
              ct.current = name;
              setStatus(guest.key, params.start === true ? 'running' : 'stopped');
            }),
          };
        return {
          value: task(node, 'vzdelsnapshot', vmid, [`deleting snapshot ${name}`], () => {
            for (const s of ct.snapshots)
              if (s.parent === name) {
                if (snap.parent === undefined) delete s.parent;
                else s.parent = snap.parent;
              }
            ct.snapshots = ct.snapshots.filter((s) => s !== snap);
            if (ct.current === name) ct.current = snap.parent;
          }),
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
