// The container feature's own UI state: which CT dialog is open and which tab a CT page shows. Kept out of the
// app store's ui-slice, as vm-ui-store is, so commands (outside React) can open dialogs.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export type CtTab = 'summary' | 'resources' | 'network' | 'dns' | 'options' | 'snapshots' | 'console' | 'tasks';
export const ctTabs: readonly CtTab[] = [
  'summary',
  'resources',
  'network',
  'dns',
  'options',
  'snapshots',
  'console',
  'tasks',
];

export type CtDialog =
  | { kind: 'create'; nodeKey: string }
  | { kind: 'confirm'; action: 'shutdown' | 'reboot' | 'stop' | 'template' | 'destroy'; guestKey: string }
  | { kind: 'snapshot'; guestKey: string }
  | { kind: 'clone'; guestKey: string };

interface CtUiState {
  dialog: CtDialog | null;
  tab: CtTab;
  open: (dialog: CtDialog) => void;
  close: () => void;
  setTab: (tab: CtTab) => void;
}

export const ctUiStore = createStore<CtUiState>()((set) => ({
  dialog: null,
  tab: 'summary',
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: null }),
  setTab: (tab) => set({ tab }),
}));

export const useCtUi = <T>(selector: (state: CtUiState) => T): T => useStore(ctUiStore, selector);
