// The open terminals: tabs per node (zustand, for the views) and the live sessions behind them (a Map, because
// xterm instances and sockets are not state). Also which tab each node's page shows, so the `node.shell` command,
// which runs outside React, can turn a node page to its Shell tab.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { initialFontSize } from './font-size';
import { TerminalSession, type TerminalConnector } from './terminal-session';

export interface TerminalTab {
  id: string;
  nodeKey: string;
  /** Shown as "Shell n": counts per node, never reused while the window lives. */
  n: number;
}

interface TerminalsState {
  tabs: readonly TerminalTab[];
  /** The tab shown per node. */
  active: Readonly<Record<string, string>>;
  /** The node page's tab per node ('summary' when absent). */
  nodeTabs: Readonly<Record<string, string>>;
}

export const terminalsStore = createStore<TerminalsState>()(() => ({ tabs: [], active: {}, nodeTabs: {} }));
export const useTerminals = <T>(selector: (state: TerminalsState) => T): T => useStore(terminalsStore, selector);

const sessions = new Map<string, TerminalSession>();
const counters = new Map<string, number>();
let nextId = 1;

export const sessionOf = (id: string): TerminalSession | undefined => sessions.get(id);

/** A new terminal tab on the node, made the node's active one; returns its id. */
export const addTerminal = (
  nodeKey: string,
  connector: TerminalConnector,
  reconnectedNote: () => string,
  fontSize = initialFontSize(),
): string => {
  const id = `terminal-${nextId++}`;
  const n = (counters.get(nodeKey) ?? 0) + 1;
  counters.set(nodeKey, n);
  sessions.set(id, new TerminalSession(connector, fontSize, reconnectedNote));
  terminalsStore.setState((s) => ({ tabs: [...s.tabs, { id, nodeKey, n }], active: { ...s.active, [nodeKey]: id } }));
  return id;
};

/** End the terminal's shell and drop its tab; the node's next tab (or the one before) becomes active. */
export const closeTerminal = (id: string): void => {
  sessions.get(id)?.dispose();
  sessions.delete(id);
  terminalsStore.setState((s) => {
    const tab = s.tabs.find((t) => t.id === id);
    if (tab === undefined) return s;
    const siblings = s.tabs.filter((t) => t.nodeKey === tab.nodeKey);
    const at = siblings.findIndex((t) => t.id === id);
    const next = siblings[at + 1] ?? siblings[at - 1];
    const active = { ...s.active };
    if (active[tab.nodeKey] === id) {
      if (next === undefined) delete active[tab.nodeKey];
      else active[tab.nodeKey] = next.id;
    }
    return { tabs: s.tabs.filter((t) => t.id !== id), active };
  });
};

export const setActiveTerminal = (nodeKey: string, id: string): void =>
  terminalsStore.setState((s) => ({ active: { ...s.active, [nodeKey]: id } }));

export const setNodeTab = (nodeKey: string, tab: string): void =>
  terminalsStore.setState((s) => ({ nodeTabs: { ...s.nodeTabs, [nodeKey]: tab } }));
