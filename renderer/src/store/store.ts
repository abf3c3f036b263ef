// The one store, combined from slices. Components read it only through selectors (see selectors.ts).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { createInventorySlice, type InventorySlice } from './inventory-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { createAuthPromptSlice, type AuthPromptSlice } from './auth-prompt-slice';
import { createStorageSlice, type StorageSlice } from './storage-slice';

export type AppState = InventorySlice & UiSlice & AuthPromptSlice & StorageSlice;

/** A fresh store; tests make their own, the app uses `appStore`. */
export const createAppStore = (): StoreApi<AppState> =>
  createStore<AppState>()((...a) => ({
    ...createInventorySlice(...a),
    ...createUiSlice(...a),
    ...createAuthPromptSlice(...a),
    ...createStorageSlice(...a),
  }));

export const appStore = createAppStore();

/** Select a slice of state; re-renders only when the selected value changes (Object.is). */
export const useAppStore = <T>(selector: (state: AppState) => T): T => useStore(appStore, selector);
