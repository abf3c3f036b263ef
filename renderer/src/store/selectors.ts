// Selector hooks: components pass ids and get just what they draw. Orderings live in the store (inventory-index.ts);
// what is derived here is memoized on the identity of its inputs, so a status tick recomputes nothing large.
import { useShallow } from 'zustand/react/shallow';
import type { ClusterEntry, ConnectionState, GuestEntry, NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import { useAppStore, type AppState } from './store';
import { compareNames } from './inventory-index';

const noKeys: readonly string[] = [];
type Nodes = AppState['nodes'];
type Clusters = AppState['clusters'];

export const useNode = (key: string): NodeEntry | undefined => useAppStore((s) => s.nodes[key]);
export const useTask = (upid: string): TaskEntry | undefined => useAppStore((s) => s.tasks[upid]);
export const useCluster = (id: string): ClusterEntry | undefined => useAppStore((s) => s.clusters[id]);
export const useGuest = (key: string): GuestEntry | undefined => useAppStore((s) => s.guests.get(key));

/** Remembers the last result for the last inputs (compared by identity). */
function memoLast<A extends readonly unknown[], R>(compute: (...args: A) => R): (...args: A) => R {
  let lastArgs: A | undefined;
  let lastResult: R | undefined;
  return (...args) => {
    if (
      lastArgs !== undefined &&
      args.length === lastArgs.length &&
      args.every((a, i) => Object.is(a, lastArgs?.[i]))
    ) {
      return lastResult as R;
    }
    lastArgs = args;
    lastResult = compute(...args);
    return lastResult;
  };
}

/** Cluster ids by name (clusters change rarely; memoized on the record). */
export const sortedClusterIds = memoLast((clusters: Clusters): string[] =>
  Object.values(clusters)
    .sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id))
    .map((c) => c.id),
);

export type TreeRow =
  | 'datacenter'
  | `cluster:${string}`
  | `node:${string}`
  | `guest:${string}`
  | `storage:${string}`;

/**
 * The resource tree flattened into rows for the virtualized list: Datacenter, each cluster, its nodes, and each
 * node's guests by vmid, then its storages by name (PVE's Server View). Rebuilt only when membership or folding
 * changes, never on a status tick.
 */
const flattenTree = memoLast(
  (
    clusters: Clusters,
    byCluster: AppState['nodeOrder'],
    guestOrder: AppState['guestOrder'],
    storageOrder: AppState['storageOrder'],
    collapsed: AppState['collapsed'],
  ): readonly TreeRow[] => {
    const rows: TreeRow[] = ['datacenter'];
    // Nodes whose cluster entry has not arrived yet still get a heading, so nothing is hidden.
    const ids = [...sortedClusterIds(clusters), ...Object.keys(byCluster).filter((id) => !clusters[id])];
    for (const id of ids) {
      rows.push(`cluster:${id}`);
      if (collapsed[id]) continue;
      for (const key of byCluster[id] ?? []) {
        rows.push(`node:${key}`);
        if (collapsed[key]) continue;
        for (const guest of guestOrder[key] ?? noKeys) rows.push(`guest:${guest}`);
        for (const storage of storageOrder[key] ?? noKeys) rows.push(`storage:${key}/${storage}`);
      }
    }
    return rows;
  },
);
export const treeRows = (
  state: Pick<AppState, 'clusters' | 'nodeOrder' | 'guestOrder' | 'storageOrder' | 'collapsed'>,
): readonly TreeRow[] =>
  flattenTree(state.clusters, state.nodeOrder, state.guestOrder, state.storageOrder, state.collapsed);
export const useTreeRows = (): readonly TreeRow[] => useAppStore(treeRows);

/** How many guests a node has (its tree row folds only when it has some). */
export const useGuestCountOf = (nodeKey: string): number => useAppStore((s) => s.guestOrder[nodeKey]?.length ?? 0);

/** How many rows fold under a node: its guests and its storages. */
export const useChildCountOf = (nodeKey: string): number =>
  useAppStore((s) => (s.guestOrder[nodeKey]?.length ?? 0) + (s.storageOrder[nodeKey]?.length ?? 0));

export const useTaskUpids = (): readonly string[] => useAppStore((s) => s.taskOrder);

const runningCount = memoLast((tasks: AppState['tasks']): number => {
  let count = 0;
  for (const task of Object.values(tasks)) if (task.status === 'running') count++;
  return count;
});
export const useRunningTaskCount = (): number => useAppStore((s) => runningCount(s.tasks));

const allNodeKeys = memoLast((clusters: Clusters, order: AppState['nodeOrder']): readonly string[] => {
  const ids = [...sortedClusterIds(clusters), ...Object.keys(order).filter((id) => !clusters[id])];
  return ids.flatMap((id) => order[id] ?? []);
});
/** Node keys of one cluster, or of all clusters when `clusterId` is undefined; stable until the order changes. */
export function nodeKeysOf(state: Pick<AppState, 'clusters' | 'nodeOrder'>, clusterId?: string): readonly string[] {
  if (clusterId !== undefined) return state.nodeOrder[clusterId] ?? noKeys;
  return allNodeKeys(state.clusters, state.nodeOrder);
}
export const useNodeKeys = (clusterId?: string): readonly string[] => useAppStore((s) => nodeKeysOf(s, clusterId));

export type StateCounts = Record<ConnectionState, number>;
export function stateCounts(
  state: Pick<AppState, 'clusters' | 'nodes' | 'nodeOrder'>,
  clusterId?: string,
): StateCounts {
  const counts: StateCounts = {
    online: 0,
    connecting: 0,
    offline: 0,
    'host-key-changed': 0,
    'auth-failed': 0,
    'agent-error': 0,
  };
  for (const key of nodeKeysOf(state, clusterId)) {
    const node = state.nodes[key];
    if (node) counts[node.state]++;
  }
  return counts;
}
export const useStateCounts = (clusterId?: string): StateCounts =>
  useAppStore(useShallow((s) => stateCounts(s, clusterId)));

/** True when there are nodes and none is online or on its way there: the whole app shows last-known state. */
export function allOffline(nodes: Nodes): boolean {
  const entries = Object.values(nodes);
  return entries.length > 0 && entries.every((n) => n.state !== 'online' && n.state !== 'connecting');
}
export const useAllOffline = (): boolean => useAppStore((s) => allOffline(s.nodes));

export interface GuestTotals {
  running: number;
  total: number;
}
const sumGuests = memoLast((counts: AppState['guestCounts'], keys: readonly string[]): GuestTotals => {
  const totals = { running: 0, total: 0 };
  for (const key of keys) {
    const c = counts[key];
    if (c === undefined) continue;
    totals.running += c.running;
    totals.total += c.total;
  }
  return totals;
});
/** Running and total guests of one cluster, or of all; recomputed only when some node's counts change. */
export const guestTotals = (
  state: Pick<AppState, 'clusters' | 'nodeOrder' | 'guestCounts'>,
  clusterId?: string,
): GuestTotals => sumGuests(state.guestCounts, nodeKeysOf(state, clusterId));
export const useGuestTotals = (clusterId?: string): GuestTotals =>
  useAppStore(useShallow((s) => guestTotals(s, clusterId)));
