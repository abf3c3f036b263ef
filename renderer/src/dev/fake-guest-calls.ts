// Dev only: what the fake vm.* and ct.* methods share (fake-vm-calls.ts, fake-ct-calls.ts): guest lookup, configs
// with digests and pending changes, lock and state checks, tasks that change the inventory when they end, snapshots,
// resize, clone, template and usage history.
import type { GuestEntry, NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import type { ErrorCode, SnapshotInfo, Timeframe, VmConfigValues } from '../../../node-agent/src/api';
import { makeTask } from './fake-data';

export class FakeGuestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface GuestCallDeps {
  patchTask: (task: TaskEntry) => void;
  currentTask: (upid: string) => TaskEntry | undefined;
  later: (ms: number, run: () => void) => void;
  nextPid: () => number;
  log: (upid: string, line: string) => void;
  guests: () => Iterable<GuestEntry>;
  patchGuest: (key: string, entry: GuestEntry | null) => void;
  stepMs: number;
}

export interface GuestRecord {
  config: VmConfigValues;
  pending: VmConfigValues;
  deletes: Set<string>;
  serial: number;
  snapshots: SnapshotInfo[];
  current: string | undefined;
}

/** What differs between VMs and containers in the shared machinery. */
export interface GuestKind {
  type: GuestEntry['type'];
  /** 'VM' or 'CT', in messages. */
  label: string;
  /** Task type prefix: 'qm' or 'vz'. */
  taskPrefix: string;
  /** Keys a running guest takes at once; the rest waits as pending. */
  hot: RegExp;
  /** The config key that names the guest in the tree. */
  nameKey: string;
  digest: (serial: number) => string;
  /** The config of a guest the fake has not seen yet (seeded from its inventory entry). */
  initial: (guest: GuestEntry) => VmConfigValues;
  /** STORAGE:SIZE volumes in `config` become allocated volumes (`record`: the guest's, when it has one). */
  allocate: (vmid: number, config: VmConfigValues, record?: GuestRecord) => void;
}

/** The size= of a volume value in GiB (0 when it has none). */
export const sizeOf = (spec: string): number => Number(/(?:^|,)size=(\d+(?:\.\d+)?)G/.exec(spec)?.[1] ?? 0);

export const freshRecord = (config: VmConfigValues): GuestRecord => ({
  config,
  pending: {},
  deletes: new Set(),
  serial: 1,
  snapshots: [],
  current: undefined,
});

export function createGuestKit(deps: GuestCallDeps, kind: GuestKind) {
  const { label } = kind;
  const records = new Map<string, GuestRecord>(); // guest key
  const digestOf = (rec: GuestRecord) => kind.digest(rec.serial);
  const find = (node: NodeEntry, vmid: number): GuestEntry => {
    for (const g of deps.guests()) if (g.nodeKey === node.key && g.vmid === vmid && g.type === kind.type) return g;
    throw new FakeGuestError('not-found', `${label} ${vmid} does not exist on node ${node.name}`);
  };
  const record = (guest: GuestEntry): GuestRecord => {
    let rec = records.get(guest.key);
    if (rec === undefined) {
      rec = freshRecord(kind.initial(guest));
      records.set(guest.key, rec);
    }
    return rec;
  };
  const applyPending = (rec: GuestRecord) => {
    Object.assign(rec.config, rec.pending);
    for (const key of rec.deletes) delete rec.config[key];
    rec.pending = {};
    rec.deletes.clear();
  };
  const checkUnlocked = (guest: GuestEntry) => {
    if (guest.lock !== undefined)
      throw new FakeGuestError(
        'locked',
        `${label} ${guest.vmid} is locked (${guest.lock}) — wait for the task or cancel it`,
      );
  };
  const needState = (guest: GuestEntry, ok: readonly GuestEntry['status'][], what: string) => {
    if (!ok.includes(guest.status))
      throw new FakeGuestError('invalid-params', `${label} ${guest.vmid} is ${guest.status}: cannot ${what}`);
  };
  const freeVmid = (vmid: number) => {
    for (const g of deps.guests())
      if (g.vmid === vmid) throw new FakeGuestError('already-exists', `VMID ${vmid} is already used by ${g.key}`);
  };
  /** The guest's entry as it is now (a tick may have replaced it since a task started). */
  const latest = (key: string): GuestEntry | undefined => {
    for (const g of deps.guests()) if (g.key === key) return g;
    return undefined;
  };

  /** A task on the guest that logs a few lines, then applies `done` and ends OK. */
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

  /** The config as read, with the pending values applied or not. */
  const config = (rec: GuestRecord, withPending: boolean) => {
    const values = { ...rec.config };
    if (withPending) {
      Object.assign(values, rec.pending);
      for (const key of rec.deletes) delete values[key];
    }
    return { digest: digestOf(rec), config: values };
  };
  const pending = (rec: GuestRecord) => {
    const keys = new Set([...Object.keys(rec.config), ...Object.keys(rec.pending), ...rec.deletes]);
    return [...keys].sort().map((key) => ({
      key,
      ...(rec.config[key] === undefined ? {} : { value: rec.config[key] }),
      ...(rec.pending[key] === undefined ? {} : { pending: rec.pending[key] }),
      ...(rec.deletes.has(key) ? { delete: true } : {}),
    }));
  };
  /** A config change against a digest: hot keys at once on a running guest, the rest pending. */
  const set = (guest: GuestEntry, params: Record<string, unknown>) => {
    checkUnlocked(guest);
    const { vmid } = guest;
    const rec = record(guest);
    if (params.digest !== digestOf(rec))
      throw new FakeGuestError(
        'conflict',
        `the config of ${label} ${vmid} changed since it was read — reload and try again`,
      );
    const running = guest.status !== 'stopped';
    const changes = { ...(params.config as VmConfigValues) };
    kind.allocate(vmid, changes, rec);
    for (const [key, value] of Object.entries(changes)) {
      if (running && !kind.hot.test(key)) rec.pending[key] = value;
      else rec.config[key] = value;
      rec.deletes.delete(key);
    }
    for (const key of (params.delete as string[] | undefined) ?? []) {
      if (running && !kind.hot.test(key)) rec.deletes.add(key);
      else delete rec.config[key];
    }
    for (const key of (params.revert as string[] | undefined) ?? []) {
      delete rec.pending[key];
      rec.deletes.delete(key);
    }
    rec.serial++;
    const name = changes[kind.nameKey];
    if (typeof name === 'string') deps.patchGuest(guest.key, { ...guest, name });
    return { digest: digestOf(rec), pending: [...Object.keys(rec.pending), ...rec.deletes] };
  };
  const destroy = (node: NodeEntry, guest: GuestEntry) => {
    checkUnlocked(guest);
    needState(guest, ['stopped'], 'destroy');
    return task(node, `${kind.taskPrefix}destroy`, guest.vmid, [`destroying ${label} ${guest.vmid}`], () => {
      records.delete(guest.key);
      deps.patchGuest(guest.key, null);
    });
  };

  const snapshots = (rec: GuestRecord) => ({
    snapshots: rec.snapshots,
    ...(rec.current === undefined ? {} : { current: rec.current }),
  });
  const snapshot = (node: NodeEntry, guest: GuestEntry, params: Record<string, unknown>, vmstate: boolean) => {
    checkUnlocked(guest);
    const { vmid } = guest;
    const rec = record(guest);
    const name = String(params.snapname);
    if (rec.snapshots.some((s) => s.name === name))
      throw new FakeGuestError('already-exists', `${label} ${vmid} already has a snapshot ${name}`);
    const info: SnapshotInfo = {
      name,
      snaptime: Math.floor(Date.now() / 1000),
      vmstate,
      ...(rec.current === undefined ? {} : { parent: rec.current }),
      ...(typeof params.description === 'string' ? { description: params.description } : {}),
    };
    return task(node, `${kind.taskPrefix}snapshot`, vmid, [`snapshotting ${label} ${vmid} as ${name}`], () => {
      rec.snapshots.push(info);
      rec.current = name;
    });
  };
  /** Rollback (then `rolledBack` sets the guest's state) or delete of a snapshot, as a task. */
  const rollbackOrDelete = (
    node: NodeEntry,
    guest: GuestEntry,
    params: Record<string, unknown>,
    rollback: boolean,
    rolledBack: (snap: SnapshotInfo) => void,
  ) => {
    checkUnlocked(guest);
    const { vmid } = guest;
    const rec = record(guest);
    const name = String(params.snapname);
    const snap = rec.snapshots.find((s) => s.name === name);
    if (snap === undefined) throw new FakeGuestError('not-found', `${label} ${vmid} has no snapshot ${name}`);
    if (rollback)
      return task(node, `${kind.taskPrefix}rollback`, vmid, [`rolling ${label} ${vmid} back to ${name}`], () => {
        rec.current = name;
        rolledBack(snap);
      });
    return task(node, `${kind.taskPrefix}delsnapshot`, vmid, [`deleting snapshot ${name}`], () => {
      for (const s of rec.snapshots)
        if (s.parent === name) {
          if (snap.parent === undefined) delete s.parent;
          else s.parent = snap.parent;
        }
      rec.snapshots = rec.snapshots.filter((s) => s !== snap);
      if (rec.current === name) rec.current = snap.parent;
    });
  };

  /** Grow a volume by +N or to N GiB, never smaller, as a task (vm.resize, ct.resize). */
  const resize = (node: NodeEntry, guest: GuestEntry, params: Record<string, unknown>) => {
    checkUnlocked(guest);
    const { vmid } = guest;
    const rec = record(guest);
    const disk = String(params.disk);
    const spec = rec.config[disk];
    if (typeof spec !== 'string') throw new FakeGuestError('not-found', `${label} ${vmid} has no disk ${disk}`);
    const size = String(params.size);
    const grow = /^\+(\d+(?:\.\d+)?)G?$/.exec(size);
    const target = grow ? sizeOf(spec) + Number(grow[1]) : Number(/^(\d+(?:\.\d+)?)G?$/.exec(size)?.[1] ?? NaN);
    if (!(target >= sizeOf(spec)))
      throw new FakeGuestError('invalid-params', `${label} ${vmid}: ${disk} cannot shrink (${size})`);
    return task(node, `${kind.taskPrefix}resize`, vmid, [`resizing ${disk} to ${target}G`], () => {
      rec.config[disk] = spec.replace(/size=[\d.]+G/, `size=${target}G`);
      rec.serial++;
    });
  };

  /** Mark a stopped guest a template (`adapt` turns its volumes into base volumes), as a task. */
  const template = (node: NodeEntry, guest: GuestEntry, adapt: (config: VmConfigValues) => void = () => undefined) => {
    checkUnlocked(guest);
    needState(guest, ['stopped'], 'convert to a template');
    const rec = record(guest);
    return task(
      node,
      `${kind.taskPrefix}template`,
      guest.vmid,
      [`converting ${label} ${guest.vmid} to a template`],
      () => {
        rec.config.template = 1;
        adapt(rec.config);
        rec.serial++;
        const latestEntry = latest(guest.key) ?? guest;
        deps.patchGuest(guest.key, { ...latestEntry, template: true });
      },
    );
  };

  /** Copy a guest to `newid` named `name` (`adapt` gives the copy its own volumes and addresses), as a task. */
  const clone = (
    node: NodeEntry,
    guest: GuestEntry,
    newid: number,
    name: string,
    adapt: (config: VmConfigValues) => void = () => undefined,
  ) => {
    checkUnlocked(guest);
    freeVmid(newid);
    const source = record(guest);
    return task(node, `${kind.taskPrefix}clone`, guest.vmid, [`cloning ${label} ${guest.vmid} to ${newid}`], () => {
      const key = `${node.key}/${newid}`;
      const config: VmConfigValues = { ...source.config, [kind.nameKey]: name };
      delete config.template;
      adapt(config);
      records.set(key, freshRecord(config));
      const { template: _t, lock: _l, ...rest } = guest;
      deps.patchGuest(key, { ...rest, vmid: newid, key, name, status: 'stopped', uptime: 0, cpu: 0, mem: 0 });
    });
  };

  /** A usage history as vm.metrics and ct.metrics answer: a wave per guest, nothing while it does not run. */
  const metrics = (guest: GuestEntry, timeframe: Timeframe) => {
    const step = { hour: 60, day: 1800, week: 10800, month: 43200 }[timeframe];
    const end = Math.floor(Date.now() / 1000 / step) * step;
    const points = Array.from({ length: 60 }, (_, i) => {
      const t = end - (59 - i) * step;
      const wave = 0.5 + 0.5 * Math.sin(t / 3000 + guest.vmid);
      const up = guest.status === 'running';
      return {
        t: t * 1000,
        cpu: up ? 0.05 + 0.3 * wave : 0,
        mem: up ? guest.maxmem * (0.3 + 0.2 * wave) : 0,
        maxmem: guest.maxmem,
        disk: guest.disk,
        maxdisk: guest.maxdisk,
        netin: up ? 1e5 * wave : 0,
        netout: up ? 4e4 * wave : 0,
        diskread: up ? 2e5 * wave : 0,
        diskwrite: up ? 5e5 * wave : 0,
      };
    });
    return { step, points };
  };

  return {
    records,
    find,
    record,
    applyPending,
    checkUnlocked,
    needState,
    freeVmid,
    latest,
    task,
    config,
    pending,
    set,
    destroy,
    snapshots,
    snapshot,
    rollbackOrDelete,
    resize,
    template,
    clone,
    metrics,
  };
}
