// The merged, live view of every node the app knows: what the aggregator produces and the UI and CLI show.
import { z } from 'zod';
import { GuestStatus, MetricsPoint, NodeStatus, StorageStatusEntry, TaskInfo, WireError } from '../../node-agent/src/api';
import { NodeKeySchema } from './config-schema';

export const ConnectionState = z.enum([
  'connecting',
  'online',
  /** Unreachable: shows last-known state with its "as of" time. */
  'offline',
  /** The host key no longer matches known_hosts: refused, never silently accepted. */
  'host-key-changed',
  /** Authentication failed or needs input. */
  'auth-failed',
  /** Connected, but the agent is missing or incompatible and could not be installed. */
  'agent-error',
]);
export type ConnectionState = z.infer<typeof ConnectionState>;

export const NodeEntry = z.object({
  key: NodeKeySchema,
  cluster: z.string(),
  name: z.string(),
  host: z.string(),
  state: ConnectionState,
  error: WireError.optional(),
  status: NodeStatus.optional(),
  /** The newest 10 s metrics sample (rates included): what live charts append. */
  metrics: MetricsPoint.optional(),
  /** The storages enabled on the node as its last storage.status said (kept, last-known, while offline). */
  storages: z.array(StorageStatusEntry).optional(),
  /** When `status` was last fresh (ms since epoch, workstation clock). */
  asOf: z.number().optional(),
  agentVersion: z.string().optional(),
  /**
   * Agent run id and revision of the last node change applied: older events are dropped. Guest events pass the
   * same check but do not re-send the node entry, so these may lag behind the node's newest guest event.
   */
  epoch: z.string().optional(),
  revision: z.number().optional(),
});
export type NodeEntry = z.infer<typeof NodeEntry>;

export const ClusterEntry = z.object({ id: z.string(), name: z.string(), nodes: z.array(NodeKeySchema) });
export type ClusterEntry = z.infer<typeof ClusterEntry>;

export const TaskEntry = TaskInfo.extend({ nodeKey: NodeKeySchema });
export type TaskEntry = z.infer<typeof TaskEntry>;

/** A guest as its node last reported it; keyed `<nodeKey>/<vmid>` (a VMID is unique cluster-wide, so per node too). */
export const GuestEntry = GuestStatus.extend({ key: z.string(), nodeKey: NodeKeySchema });
export type GuestEntry = z.infer<typeof GuestEntry>;

/** The inventory key of a guest: `<cluster>/<node>/<vmid>`. */
export const guestKey = (nodeKey: string, vmid: number): string => `${nodeKey}/${vmid}`;

export const Inventory = z.object({
  clusters: z.record(z.string(), ClusterEntry),
  nodes: z.record(z.string(), NodeEntry),
  tasks: z.record(z.string(), TaskEntry),
  /** Guests keep their last-known values while their node is offline (the node's state says so). */
  guests: z.record(z.string(), GuestEntry),
  /** Bumped on every change the aggregator applies. */
  revision: z.number().int().nonnegative(),
});
export type Inventory = z.infer<typeof Inventory>;

/** A change to the inventory, sent to the UI in coalesced batches. `null` removes. */
export const InventoryPatch = z.object({
  revision: z.number().int(),
  clusters: z.record(z.string(), ClusterEntry.nullable()).optional(),
  nodes: z.record(z.string(), NodeEntry.nullable()).optional(),
  tasks: z.record(z.string(), TaskEntry.nullable()).optional(),
  guests: z.record(z.string(), GuestEntry.nullable()).optional(),
});
export type InventoryPatch = z.infer<typeof InventoryPatch>;
