// What the person is looking at: selection, preferences as applied, panels and open dialogs, notices.
import type { StateCreator } from 'zustand';
import type { Language, Preferences } from '../../../main/core/app-api';
import type { ErrorCode } from '../../../node-agent/src/api';
import type { MessageKey, MessageParams } from '../i18n/translate';
import type { AppState } from './store';

export type Selection =
  | { kind: 'datacenter' }
  | { kind: 'cluster'; id: string }
  | { kind: 'node'; key: string }
  | { kind: 'guest'; key: string }
  /** A storage as one node sees it: key `<nodeKey>/<storage>`. */
  | { kind: 'storage'; key: string };
export type ThemePreference = Preferences['theme'];

/** A transient message; text is looked up at render so it follows a language switch. */
export interface Notice {
  id: number;
  severity: 'success' | 'info' | 'warning' | 'error';
  key: MessageKey;
  params?: MessageParams;
  error?: { code: ErrorCode; message: string };
}

export const TASK_PANEL_MIN = 96;
export const TASK_PANEL_MAX = 720;

export interface UiSlice {
  selection: Selection;
  theme: ThemePreference;
  language: Language;
  taskPanel: { open: boolean; height: number };
  /** Cluster ids and node keys folded in the resource tree (absent = expanded; a node key has a '/'). */
  collapsed: Readonly<Record<string, true>>;
  addNodeOpen: boolean;
  removeNodeKey: string | null;
  taskLogUpid: string | null;
  paletteOpen: boolean;
  notices: readonly Notice[];
  select: (selection: Selection) => void;
  setTheme: (theme: ThemePreference) => void;
  setLanguage: (language: Language) => void;
  setTaskPanel: (patch: Partial<UiSlice['taskPanel']>) => void;
  toggleCollapsed: (id: string) => void;
  setAddNodeOpen: (open: boolean) => void;
  setRemoveNodeKey: (key: string | null) => void;
  setTaskLogUpid: (upid: string | null) => void;
  setPaletteOpen: (open: boolean) => void;
  pushNotice: (notice: Omit<Notice, 'id'>) => void;
  dismissNotice: (id: number) => void;
}

let nextNoticeId = 1;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  selection: { kind: 'datacenter' },
  theme: 'system',
  language: 'en',
  taskPanel: { open: true, height: 220 },
  collapsed: {},
  addNodeOpen: false,
  removeNodeKey: null,
  taskLogUpid: null,
  paletteOpen: false,
  notices: [],
  select: (selection) => set({ selection }),
  setTheme: (theme) => set({ theme }),
  setLanguage: (language) => set({ language }),
  setTaskPanel: (patch) =>
    set((state) => {
      const next = { ...state.taskPanel, ...patch };
      return { taskPanel: { ...next, height: clamp(next.height, TASK_PANEL_MIN, TASK_PANEL_MAX) } };
    }),
  toggleCollapsed: (id) =>
    set((state) => {
      const collapsed = { ...state.collapsed };
      if (collapsed[id]) delete collapsed[id];
      else collapsed[id] = true;
      return { collapsed };
    }),
  setAddNodeOpen: (addNodeOpen) => set({ addNodeOpen }),
  setRemoveNodeKey: (removeNodeKey) => set({ removeNodeKey }),
  setTaskLogUpid: (taskLogUpid) => set({ taskLogUpid }),
  setPaletteOpen: (paletteOpen) => set({ paletteOpen }),
  // The newest few are enough; older ones have been read or are stale.
  pushNotice: (notice) =>
    set((state) => ({ notices: [...state.notices, { ...notice, id: nextNoticeId++ }].slice(-4) })),
  dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
});
