// The merged inventory, normalized by id: loaded once from inventory.snapshot, then kept current by inventory.patch.
// Patches that arrive before the snapshot wait for it; patches not newer than what we hold are dropped.
// Guests (16,000 and more) live in their own index, updated per patch in O(changes): see guest-index.ts.
import type { StateCreator } from 'zustand';
import type {
  ClusterEntry,
  Inventory,
  InventoryPatch,
  NodeEntry,
  TaskEntry,
} from '../../../main/core/inventory-schema';
import type { AppState } from './store';
import { indexNodes, nodeOrderChanged, orderTasks, taskOrderChanged, type NodeOrder } from './inventory-index';
import { indexGuests, patchGuests, type GuestState } from './guest-index';

export interface InventorySlice extends GuestState {
  clusters: Readonly<Record<string, ClusterEntry>>;
  nodes: Readonly<Record<string, NodeEntry>>;
  tasks: Readonly<Record<string, TaskEntry>>;
  /** Node keys per cluster id, by name; rebuilt only when nodes come, go or are renamed. */
  nodeOrder: NodeOrder;
  /** Task UPIDs, running first then newest; rebuilt only when tasks come, go or change status. */
  taskOrder: readonly string[];
  /** Revision of the last snapshot or patch applied; -1 until the snapshot arrives. */
  revision: number;
  loaded: boolean;
  /** Patches received before the snapshot, applied after it if newer. */
  pendingPatches: readonly InventoryPatch[];
  /** The link to main was re-established: what is shown stays until the next snapshot replaces it whole. */
  resyncing: boolean;
  beginResync: () => void;
  applySnapshot: (inventory: Inventory) => void;
  applyPatch: (patch: InventoryPatch) => void;
}

type Collection<T> = Readonly<Record<string, T>>;

/** A new record only when something changed, so selectors on untouched collections keep their identity. */
function merge<T>(current: Collection<T>, changes: Record<string, T | null> | undefined): Collection<T> {
  if (changes === undefined) return current;
  const keys = Object.keys(changes);
  if (keys.length === 0) return current;
  const next: Record<string, T> = { ...current };
  for (const key of keys) {
    const value = changes[key];
    if (value === null || value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}

type InventoryState = Pick<
  InventorySlice,
  'clusters' | 'nodes' | 'tasks' | 'nodeOrder' | 'taskOrder' | 'revision' | keyof GuestState
>;

/**
 * The state after one patch, or the same object when the patch is stale. Pure but for the guest table, which
 * is updated in place (its entries are replaced, never mutated).
 */
export function patchInventory<S extends InventoryState>(state: S, patch: InventoryPatch): S {
  if (patch.revision <= state.revision) return state;
  const nodes = merge(state.nodes, patch.nodes);
  const tasks = merge(state.tasks, patch.tasks);
  return {
    ...state,
    ...patchGuests(state, patch.guests),
    clusters: merge(state.clusters, patch.clusters),
    nodes,
    tasks,
    nodeOrder: nodeOrderChanged(state.nodes, patch.nodes) ? indexNodes(nodes) : state.nodeOrder,
    taskOrder: taskOrderChanged(state.tasks, patch.tasks) ? orderTasks(tasks) : state.taskOrder,
    revision: patch.revision,
  };
}

export const createInventorySlice: StateCreator<AppState, [], [], InventorySlice> = (set) => ({
  clusters: {},
  nodes: {},
  tasks: {},
  nodeOrder: {},
  taskOrder: [],
  guests: new Map(),
  guestOrder: {},
  guestCounts: {},
  revision: -1,
  loaded: false,
  pendingPatches: [],
  resyncing: false,
  // The host may have restarted (revisions start over) or patches were lost while the link was down.
  beginResync: () => set({ resyncing: true, pendingPatches: [] }),
  applySnapshot: (inventory) =>
    set((state) => {
      // A snapshot older than what patches already gave us would move the view backwards.
      if (state.loaded && !state.resyncing && inventory.revision <= state.revision) return {};
      let next: InventoryState = {
        clusters: inventory.clusters,
        nodes: inventory.nodes,
        tasks: inventory.tasks,
        nodeOrder: indexNodes(inventory.nodes),
        taskOrder: orderTasks(inventory.tasks),
        ...indexGuests(inventory.guests),
        revision: inventory.revision,
      };
      for (const patch of [...state.pendingPatches].sort((a, b) => a.revision - b.revision)) {
        next = patchInventory(next, patch);
      }
      return { ...next, loaded: true, resyncing: false, pendingPatches: [] };
    }),
  applyPatch: (patch) =>
    set((state) => {
      if (!state.loaded || state.resyncing) return { pendingPatches: [...state.pendingPatches, patch] };
      const next = patchInventory(state, patch);
      if (next === state) return {};
      const { clusters, nodes, tasks, nodeOrder, taskOrder, guests, guestOrder, guestCounts, revision } = next;
      return { clusters, nodes, tasks, nodeOrder, taskOrder, guests, guestOrder, guestCounts, revision };
    }),
});
