// The terminals' calls to main and the `node.shell` command's effect: shell.open (main/core/shell-api.ts) gives a
// one-shot console URL; console.resize and console.close serve shells as they serve VM consoles.
import { invoke } from '../../api';
import { translatorFor } from '../../i18n/translate';
import { appStore } from '../../store/store';
import { addTerminal, setNodeTab } from './terminal-store';
import type { TerminalConnector } from './terminal-session';

/** A root shell on the node, sized as the terminal is. */
export const nodeShellConnector = (nodeKey: string): TerminalConnector => ({
  open: (size) => invoke('shell.open', { node: nodeKey, ...size }),
  resize: async (consoleId, cols, rows) => {
    await invoke('console.resize', { consoleId, cols, rows });
  },
  // Best effort: the shell may have ended on its own (exit).
  close: (consoleId) => {
    invoke('console.close', { consoleId }).catch(() => undefined);
  },
});

/** The note written into a terminal when a new shell replaces a dropped one, in the language of the moment. */
const reconnectedNote = (): string => translatorFor(appStore.getState().language)('terminal.reconnected');

/** Open one more shell on the node; it connects when its tab is first shown. */
export const openNodeShellTab = (nodeKey: string, fontSize?: number): string =>
  addTerminal(nodeKey, nodeShellConnector(nodeKey), reconnectedNote, fontSize);

/** The `node.shell` command: the node's page, on its Shell tab, with a new shell (PVE's node >_ Shell). */
export const showNodeShell = (nodeKey: string): void => {
  appStore.getState().select({ kind: 'node', key: nodeKey });
  openNodeShellTab(nodeKey);
  setNodeTab(nodeKey, 'shell');
};
