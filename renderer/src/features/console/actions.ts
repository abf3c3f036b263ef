// The console's calls to main: open (a one-shot ws://127.0.0.1 URL), resize, close (consoleMethods in
// main/core/console-api.ts, part of the app contract).
import type { ConsoleKind } from '../../../../node-agent/src/vm/console-relay';
import { invoke } from '../../api';

const call = invoke;

export type { ConsoleKind };

export const openConsole = (
  node: string,
  vmid: number,
  kind: ConsoleKind,
  size?: { cols: number; rows: number },
): Promise<{ consoleId: string; url: string }> => call('console.open', { node, vmid, kind, ...size });

export const resizeConsole = async (consoleId: string, cols: number, rows: number): Promise<void> => {
  await call('console.resize', { consoleId, cols, rows });
};

/** Best effort: the console may already have ended on its own. */
export const closeConsole = (consoleId: string): void => {
  call('console.close', { consoleId }).catch(() => undefined);
};
