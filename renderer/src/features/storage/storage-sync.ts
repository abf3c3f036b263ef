// Keeps the store's storages current: copies NodeEntry.storages from the inventory when the aggregator sends them,
// reads storage.status when a node (or one of its storages) is selected and the inventory has none (again after
// content changed), and bumps the storage epoch when a task ends, so an open content list shows what it made.
import type { StorageStatusEntry } from '../../../../node-agent/src/api';
import type { NodeEntry } from '../../../../main/core/inventory-schema';
import type { AppState } from '../../store/store';
import { appStore } from '../../store/store';
import { refreshNodeStorages } from './actions';
import { splitStorageKey } from './storage-format';

/** NodeEntry.storages arrives with the inventory (every 10 s) once the node's agent samples storages. */
const storagesOf = (node: NodeEntry | undefined): readonly StorageStatusEntry[] | undefined => node?.storages;

export const selectedNodeKey = (state: Pick<AppState, 'selection'>): string | undefined => {
  const { selection } = state;
  if (selection.kind === 'node') return selection.key;
  if (selection.kind === 'storage') return splitStorageKey(selection.key).nodeKey;
  return undefined;
};

function syncInventoryStorages(state: AppState, previous: AppState): void {
  for (const [key, node] of Object.entries(state.nodes)) {
    const storages = storagesOf(node);
    if (storages !== undefined && storages !== storagesOf(previous.nodes[key])) state.setNodeStorages(key, storages);
  }
  for (const key of Object.keys(state.storageOrder))
    if (state.nodes[key] === undefined) state.setNodeStorages(key, null);
}

function taskEnded(state: AppState, previous: AppState): boolean {
  for (const [upid, before] of Object.entries(previous.tasks)) {
    if (before.status !== 'running') continue;
    const after = state.tasks[upid];
    if (after !== undefined && after.status !== 'running') return true;
  }
  return false;
}

/** Start syncing; returns the function that stops it. */
export function startStorageSync(): () => void {
  const fetched = new Set<string>();
  const fetchIfNeeded = (state: AppState) => {
    const key = selectedNodeKey(state);
    const node = key === undefined ? undefined : state.nodes[key];
    if (key === undefined || node?.state !== 'online' || storagesOf(node) !== undefined || fetched.has(key)) return;
    fetched.add(key);
    // A failure leaves the tree without storages; the node page still works, and selecting again retries.
    refreshNodeStorages(key).catch(() => fetched.delete(key));
  };
  fetchIfNeeded(appStore.getState());
  return appStore.subscribe((state, previous) => {
    if (state.nodes !== previous.nodes) syncInventoryStorages(state, previous);
    if (state.selection !== previous.selection) {
      fetched.clear();
      fetchIfNeeded(state);
    } else if (state.nodes !== previous.nodes) fetchIfNeeded(state);
    if (state.tasks !== previous.tasks && taskEnded(state, previous)) state.bumpStorageEpoch();
    // Content changed (an upload, a download, a delete): the selected node's usage changed too.
    if (state.storageEpoch !== previous.storageEpoch) {
      fetched.clear();
      fetchIfNeeded(state);
    }
  });
}
