// The VM feature's own UI state: which VM dialog is open and which tab a VM page shows. Kept out of the app
// store's ui-slice so commands (which live outside React) can open dialogs without the app knowing about VMs.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export type VmTab = 'summary' | 'hardware' | 'options' | 'cloudinit' | 'snapshots' | 'console' | 'tasks';

export type VmDialog =
  | { kind: 'create'; nodeKey: string }
  | { kind: 'confirm'; action: 'shutdown' | 'reboot' | 'stop' | 'reset' | 'template' | 'destroy'; guestKey: string }
  | { kind: 'snapshot'; guestKey: string }
  | { kind: 'clone'; guestKey: string }
  | { kind: 'bulk'; nodeKey: string; action: 'start' | 'shutdown' | 'stop' };

interface VmUiState {
  dialog: VmDialog | null;
  tab: VmTab;
  open: (dialog: VmDialog) => void;
  close: () => void;
  setTab: (tab: VmTab) => void;
}

export const vmUiStore = createStore<VmUiState>()((set) => ({
  dialog: null,
  tab: 'summary',
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: null }),
  setTab: (tab) => set({ tab }),
}));

export const useVmUi = <T>(selector: (state: VmUiState) => T): T => useStore(vmUiStore, selector);
