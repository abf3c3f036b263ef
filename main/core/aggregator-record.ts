// A node's record in the aggregator: what its events have said so far, mutated in place, and the NodeEntry built
// from it when read.
import type { AppError, MetricsPoint, NodeStatus, StorageStatusEntry } from '../../node-agent/src/api';
import type { NodeKey } from './config-schema';
import type { ConnectionState, GuestEntry, NodeEntry, TaskEntry } from './inventory-schema';
import type { NodeSessionHandle } from './node-session-api';

/** Where a node sits in the saved connections: what the inventory shows before the node ever answers. */
export interface NodeMeta {
  key: NodeKey;
  cluster: string;
  clusterName: string;
  name: string;
  host: string;
}

/** The last-known part of a node entry, e.g. from the offline cache. */
export interface LastKnown {
  status?: NodeStatus | undefined;
  asOf?: number | undefined;
  agentVersion?: string | undefined;
  storages?: StorageStatusEntry[] | undefined;
}

export interface NodeRecord {
  readonly meta: NodeMeta;
  session: NodeSessionHandle | undefined;
  unsubscribe: (() => void)[];
  state: ConnectionState;
  error: AppError | undefined;
  status: NodeStatus | undefined;
  metrics: MetricsPoint | undefined;
  asOf: number | undefined;
  agentVersion: string | undefined;
  epoch: string | undefined;
  revision: number | undefined;
  /** node.status events applied so far: a seeded status older than an event must not overwrite it. */
  statusEvents: number;
  /** The last storage.status (kept while offline, as status is); storageEvents guards its seed as statusEvents does. */
  storages: StorageStatusEntry[] | undefined;
  storageEvents: number;
  running: Map<string, TaskEntry>;
  /** Insertion order is age order: the first key is the oldest finished task. */
  finished: Map<string, TaskEntry>;
  /** By vmid. Kept while the node is offline: the last-known guests, as its status is. */
  guests: Map<number, GuestEntry>;
  /** guest.update/remove events applied so far: a seeded list older than an event must not undo it. */
  guestEvents: number;
  built: NodeEntry | undefined;
}

export const newRecord = (meta: NodeMeta, lastKnown: LastKnown): NodeRecord => ({
  meta,
  session: undefined,
  unsubscribe: [],
  state: 'offline',
  error: undefined,
  status: lastKnown.status,
  metrics: undefined,
  asOf: lastKnown.asOf,
  agentVersion: lastKnown.agentVersion,
  epoch: undefined,
  revision: undefined,
  statusEvents: 0,
  storages: lastKnown.storages,
  storageEvents: 0,
  guestEvents: 0,
  running: new Map(),
  finished: new Map(),
  guests: new Map(),
  built: undefined,
});

export const buildEntry = (record: NodeRecord): NodeEntry => {
  const { meta } = record;
  const entry: NodeEntry = { key: meta.key, cluster: meta.cluster, name: meta.name, host: meta.host, state: record.state };
  if (record.error) entry.error = record.error.toWire();
  if (record.status) entry.status = record.status;
  if (record.metrics) entry.metrics = record.metrics;
  if (record.storages) entry.storages = record.storages;
  if (record.asOf !== undefined) entry.asOf = record.asOf;
  if (record.agentVersion !== undefined) entry.agentVersion = record.agentVersion;
  if (record.epoch !== undefined) entry.epoch = record.epoch;
  if (record.revision !== undefined) entry.revision = record.revision;
  return entry;
};
