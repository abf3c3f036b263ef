// Each node's storages with their status, as the inventory brings them (NodeEntry.storages, every 10 s) or as
// storage.status returned them; plus the ids in order, kept by identity so the tree is rebuilt only when
// storages come or go, never on a usage tick.
import type { StateCreator } from 'zustand';
import type { StorageStatusEntry } from '../../../node-agent/src/api';
import type { AppState } from './store';
import { compareNames } from './inventory-index';

export type StorageOrder = Readonly<Record<string, readonly string[]>>;

export interface StorageSlice {
  /** Storage status per node key, by storage id. */
  storages: Readonly<Record<string, Readonly<Record<string, StorageStatusEntry>>>>;
  /** Storage ids per node key, by name. */
  storageOrder: StorageOrder;
  /** Bumped after a change to storage.cfg or to a storage's content, so open pages reload. */
  storageEpoch: number;
  setNodeStorages: (nodeKey: string, entries: readonly StorageStatusEntry[] | null) => void;
  bumpStorageEpoch: () => void;
}

const sameIds = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((id, i) => id === b[i]);

/** The next storage state for one node, keeping the order's identity when the ids did not change. */
export function withNodeStorages(
  state: Pick<StorageSlice, 'storages' | 'storageOrder'>,
  nodeKey: string,
  entries: readonly StorageStatusEntry[] | null,
): Pick<StorageSlice, 'storages' | 'storageOrder'> {
  const storages = { ...state.storages };
  const storageOrder = { ...state.storageOrder };
  if (entries === null) {
    delete storages[nodeKey];
    delete storageOrder[nodeKey];
    return { storages, storageOrder };
  }
  storages[nodeKey] = Object.fromEntries(entries.map((e) => [e.storage, e]));
  const ids = entries.map((e) => e.storage).sort(compareNames);
  return {
    storages,
    storageOrder: sameIds(state.storageOrder[nodeKey], ids) ? state.storageOrder : { ...storageOrder, [nodeKey]: ids },
  };
}

export const createStorageSlice: StateCreator<AppState, [], [], StorageSlice> = (set) => ({
  storages: {},
  storageOrder: {},
  storageEpoch: 0,
  setNodeStorages: (nodeKey, entries) => set((state) => withNodeStorages(state, nodeKey, entries)),
  bumpStorageEpoch: () => set((state) => ({ storageEpoch: state.storageEpoch + 1 })),
});
