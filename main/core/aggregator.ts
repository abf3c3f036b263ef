// Merges every node session's state, hello and events into one Inventory, and tells listeners what changed in
// coalesced patches. Each event costs O(1): records are mutated in place and entries are rebuilt only when read.
import { AppError, GuestRef, GuestStatus, MetricsPoint, NodeStatus, StorageStatusEvent, TaskInfo, type EventMessage, type Hello } from '../../node-agent/src/api';
import { guestKey, type ClusterEntry, type ConnectionState, type GuestEntry, type Inventory, type InventoryPatch, type NodeEntry, type TaskEntry } from './inventory-schema';
import { buildEntry, newRecord, type LastKnown, type NodeMeta, type NodeRecord } from './aggregator-record';
import type { NodeSessionHandle } from './node-session-api';

export type { LastKnown, NodeMeta } from './aggregator-record';

export interface AggregatorOptions {
  /** Patches go out at most once per this many ms. */
  flushMs?: number;
  /** Finished tasks kept per node (running ones are always kept). */
  maxFinishedTasks?: number;
  now?: () => number;
  /** On each hello, fetch node.status and the task list once, so the view does not wait for the next event. */
  seedOnHello?: boolean;
}

const SEED_TASK_HISTORY = 100;

export class Aggregator {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly clusters = new Map<string, ClusterEntry>();
  private readonly listeners = new Set<(patch: InventoryPatch) => void>();
  private readonly pendingNodes = new Set<string>();
  private readonly pendingClusters = new Set<string>();
  private readonly pendingTasks = new Map<string, TaskEntry | null>();
  private readonly pendingGuests = new Map<string, GuestEntry | null>();
  private revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly flushMs: number;
  private readonly maxFinished: number;
  private readonly now: () => number;
  private readonly seedOnHello: boolean;

  constructor(options: AggregatorOptions = {}) {
    this.flushMs = options.flushMs ?? 50;
    this.maxFinished = options.maxFinishedTasks ?? 500;
    this.now = options.now ?? Date.now;
    this.seedOnHello = options.seedOnHello ?? true;
  }

  /** Show a node (from the saved connections), with its last-known state until its session says more. */
  addNode(meta: NodeMeta, session?: NodeSessionHandle, lastKnown: LastKnown = {}): void {
    if (this.nodes.has(meta.key)) throw new AppError('already-exists', `node ${meta.key} is already in the inventory`);
    const record = newRecord(meta, lastKnown);
    this.nodes.set(meta.key, record);
    const cluster = this.clusters.get(meta.cluster);
    this.clusters.set(meta.cluster, {
      id: meta.cluster,
      name: cluster?.name ?? meta.clusterName,
      nodes: [...(cluster?.nodes ?? []), meta.key],
    });
    this.pendingClusters.add(meta.cluster);
    this.touchNode(record);
    if (session) this.attach(meta.key, session);
  }

  /** Follow a session: its state, hello and events update the node's entry from now on. */
  attach(key: string, session: NodeSessionHandle): void {
    const record = this.nodes.get(key);
    if (!record) throw new AppError('not-found', `node ${key} is not in the inventory`);
    for (const off of record.unsubscribe) off();
    record.session = session;
    record.unsubscribe = [
      session.on('state', (state, error) => this.onState(record, state, error)),
      session.on('hello', (hello) => this.onHello(record, hello)),
      session.on('event', (event) => this.onEvent(record, event)),
    ];
    this.onState(record, session.state, undefined);
    if (session.hello) this.onHello(record, session.hello);
  }

  /** Forget a node, its tasks and its guests; a cluster left empty goes too. */
  removeNode(key: string): void {
    const record = this.nodes.get(key);
    if (!record) return;
    for (const off of record.unsubscribe) off();
    this.nodes.delete(key);
    for (const upid of record.running.keys()) this.pendingTasks.set(upid, null);
    for (const upid of record.finished.keys()) this.pendingTasks.set(upid, null);
    for (const guest of record.guests.values()) this.pendingGuests.set(guest.key, null);
    const cluster = this.clusters.get(record.meta.cluster);
    if (cluster) {
      const nodes = cluster.nodes.filter((k) => k !== key);
      if (nodes.length === 0) this.clusters.delete(cluster.id);
      else this.clusters.set(cluster.id, { ...cluster, nodes });
      this.pendingClusters.add(cluster.id);
    }
    this.touchNode(record);
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  entry(key: string): NodeEntry | undefined {
    const record = this.nodes.get(key);
    return record && this.build(record);
  }

  /** The whole inventory. Entries are shared, not copied: treat them as read-only. */
  snapshot(): Inventory {
    const inventory: Inventory = { clusters: {}, nodes: {}, tasks: {}, guests: {}, revision: this.revision };
    for (const [id, cluster] of this.clusters) inventory.clusters[id] = { ...cluster, nodes: [...cluster.nodes] };
    for (const [key, record] of this.nodes) {
      inventory.nodes[key] = this.build(record);
      for (const [upid, task] of record.finished) inventory.tasks[upid] = task;
      for (const [upid, task] of record.running) inventory.tasks[upid] = task;
      for (const guest of record.guests.values()) inventory.guests[guest.key] = guest;
    }
    return inventory;
  }

  /** Patches carry only the entries changed since the previous patch; `null` means removed. */
  onPatch(listener: (patch: InventoryPatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Send the pending patch now instead of at the next tick of the coalescing timer. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingNodes.size === 0 && this.pendingClusters.size === 0 && this.pendingTasks.size === 0 && this.pendingGuests.size === 0) return;
    const patch: InventoryPatch = { revision: this.revision };
    if (this.pendingClusters.size > 0) {
      patch.clusters = {};
      for (const id of this.pendingClusters) patch.clusters[id] = this.clusters.get(id) ?? null;
    }
    if (this.pendingNodes.size > 0) {
      patch.nodes = {};
      for (const key of this.pendingNodes) {
        const record = this.nodes.get(key);
        patch.nodes[key] = record ? this.build(record) : null;
      }
    }
    if (this.pendingTasks.size > 0) patch.tasks = Object.fromEntries(this.pendingTasks);
    if (this.pendingGuests.size > 0) patch.guests = Object.fromEntries(this.pendingGuests);
    this.pendingClusters.clear();
    this.pendingNodes.clear();
    this.pendingTasks.clear();
    this.pendingGuests.clear();
    for (const listener of this.listeners) {
      try {
        listener(patch);
      } catch (error) {
        console.warn(`hyperdesk: an inventory listener failed: ${AppError.from(error).message}`);
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const record of this.nodes.values()) for (const off of record.unsubscribe) off();
    this.listeners.clear();
  }

  private onState(record: NodeRecord, state: ConnectionState, error: AppError | undefined): void {
    if (this.nodes.get(record.meta.key) !== record) return;
    record.state = state;
    // Offline keeps status and asOf: that is the last-known state the UI shows "as of".
    record.error = state === 'online' || state === 'connecting' ? undefined : error && AppError.from(error);
    this.touchNode(record);
  }

  private onHello(record: NodeRecord, hello: Hello): void {
    if (this.nodes.get(record.meta.key) !== record) return;
    record.agentVersion = hello.agentVersion;
    this.touchNode(record);
    if (this.seedOnHello) this.seed(record, hello);
  }

  private onEvent(record: NodeRecord, event: EventMessage): void {
    if (this.nodes.get(record.meta.key) !== record) return;
    if (event.epoch === record.epoch && record.revision !== undefined && event.revision <= record.revision) return;
    record.epoch = event.epoch;
    record.revision = event.revision;
    switch (event.topic) {
      case 'node.status': {
        const status = NodeStatus.safeParse(event.data);
        if (status.success) {
          record.statusEvents++;
          this.applyStatus(record, status.data);
        }
        break;
      }
      case 'task.update': {
        const task = TaskInfo.safeParse(event.data);
        if (task.success) this.applyTask(record, task.data);
        break;
      }
      case 'storage.status': {
        const storages = StorageStatusEvent.safeParse(event.data);
        if (storages.success) {
          record.storageEvents++;
          record.storages = storages.data.storages;
        }
        break;
      }
      case 'node.metrics': {
        const point = MetricsPoint.safeParse(event.data);
        if (point.success) record.metrics = point.data;
        break;
      }
      // Guest events leave the node entry alone: at 1,000 guest changes a second, re-sending every node with
      // every patch would cost more than the guests themselves.
      case 'guest.update': {
        const guest = GuestStatus.safeParse(event.data);
        if (guest.success) {
          record.guestEvents++;
          this.applyGuest(record, guest.data);
        }
        return;
      }
      case 'guest.remove': {
        const ref = GuestRef.safeParse(event.data);
        if (ref.success) {
          record.guestEvents++;
          this.removeGuest(record, ref.data);
        }
        return;
      }
    }
    this.touchNode(record);
  }

  private applyGuest(record: NodeRecord, guest: GuestStatus): void {
    const nodeKey = record.meta.key;
    const entry: GuestEntry = { ...guest, key: guestKey(nodeKey, guest.vmid), nodeKey };
    record.guests.set(guest.vmid, entry);
    this.pendingGuests.set(entry.key, entry);
    this.changed();
  }

  /** Only the guest named (vmid and type): a remove about a guest we do not hold changes nothing. */
  private removeGuest(record: NodeRecord, ref: GuestRef): void {
    const entry = record.guests.get(ref.vmid);
    if (!entry || entry.type !== ref.type) return;
    record.guests.delete(ref.vmid);
    this.pendingGuests.set(entry.key, null);
    this.changed();
  }

  private applyStatus(record: NodeRecord, status: NodeStatus): void {
    record.status = status;
    record.asOf = this.now();
    record.agentVersion = status.agentVersion;
    this.touchNode(record);
  }

  private applyTask(record: NodeRecord, task: TaskInfo): void {
    const entry: TaskEntry = { ...task, nodeKey: record.meta.key };
    if (task.status === 'running') {
      record.finished.delete(task.upid);
      record.running.set(task.upid, entry);
    } else {
      record.running.delete(task.upid);
      record.finished.set(task.upid, entry);
      if (record.finished.size > this.maxFinished) {
        const oldest = record.finished.keys().next().value;
        if (oldest !== undefined) {
          record.finished.delete(oldest);
          this.pendingTasks.set(oldest, null);
        }
      }
    }
    this.pendingTasks.set(task.upid, entry);
    this.changed();
  }

  /** List, then watch: fill in what happened before the subscription, never overriding newer events. */
  private seed(record: NodeRecord, hello: Hello): void {
    const session = record.session;
    if (!session) return;
    const alive = () => this.nodes.get(record.meta.key) === record && record.session === session;
    const statusMark = record.statusEvents;
    session.call('node.status', {}).then(
      (status) => {
        if (alive() && record.statusEvents === statusMark) this.applyStatus(record, status);
      },
      () => undefined,
    );
    const storageMark = record.storageEvents;
    session.call('storage.status', {}).then(
      (storages) => {
        if (!alive() || record.storageEvents !== storageMark) return;
        record.storages = storages.filter((storage) => storage.enabled); // as the event carries them
        this.touchNode(record);
      },
      () => undefined,
    );
    // VMs: the list replaces what was known (a VM destroyed while we were away goes), unless events came first.
    const guestMark = record.guestEvents;
    session.call('vm.list', {}).then(
      (vms) => {
        if (!alive() || record.guestEvents !== guestMark) return;
        const listed = new Set(vms.map((vm) => vm.vmid));
        for (const entry of [...record.guests.values()]) if (entry.type === 'qemu' && !listed.has(entry.vmid)) this.removeGuest(record, entry);
        // GuestStatus keeps the inventory's fields and drops the VM-only ones (qmpstatus, accel…).
        for (const vm of vms) this.applyGuest(record, GuestStatus.parse(vm));
      },
      () => undefined,
    );
    if (!hello.capabilities.includes('tasks')) return;
    // Tasks seen running before this (re)connect may have ended while nobody was listening.
    const runningBefore = [...record.running.keys()];
    const addListed = (tasks: TaskInfo[]) => {
      if (!alive()) return;
      // Newest first from the agent; insert oldest first so trimming drops the oldest.
      for (const task of [...tasks].reverse()) if (this.isNews(record, task)) this.applyTask(record, task);
    };
    session.call('task.list', { source: 'all', limit: SEED_TASK_HISTORY }).then(addListed, () => undefined);
    session.call('task.list', { source: 'active', limit: 10_000 }).then(
      (active) => {
        addListed(active);
        const stillActive = new Set(active.map((task) => task.upid));
        for (const upid of runningBefore) {
          if (stillActive.has(upid) || !record.running.has(upid)) continue;
          session.call('task.status', { upid }).then(
            (task) => {
              if (alive() && this.isNews(record, task)) this.applyTask(record, task);
            },
            () => undefined,
          );
        }
      },
      () => undefined,
    );
  }

  /** A listed task adds to what events said only when it is unknown, or tells that a running one has stopped (final). */
  private isNews(record: NodeRecord, task: TaskInfo): boolean {
    if (record.finished.has(task.upid)) return false;
    return !record.running.has(task.upid) || task.status === 'stopped';
  }

  private touchNode(record: NodeRecord): void {
    record.built = undefined;
    this.pendingNodes.add(record.meta.key);
    this.changed();
  }

  private changed(): void {
    this.revision++;
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  private build(record: NodeRecord): NodeEntry {
    return (record.built ??= buildEntry(record));
  }
}
