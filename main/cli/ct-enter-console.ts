// `hdctl ct enter VMID` on the workstation: the app's console bridge (console.open kind ct-shell: an SSH channel with a
// pty running the agent's relay, lxc-attach on the node) joined to this terminal. The terminal is raw while the shell
// runs and restored however it ends; window size changes go to console.resize; the shell's exit code comes back in
// the bridge's close (1000: 0; 4000 "…exited with code N": N).
import WebSocket, { type RawData } from 'ws';
import type { EnterCt } from '../../node-agent/src/cli/run-cli';
import type { NodeKey } from '../core/config-schema';
import type { HyperdeskCoreHandle } from '../core/core-api';
import type { CliCore } from './cli-core';
import { routeCall, type RoutableNode } from './node-route';

/** This process's terminal, or streams standing in for it (the TTY parts are optional). */
export interface EnterTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
}

/** The shell's exit code from how the bridge closed: normal, or the relay's exit code in the reason. */
export const exitCodeOf = (code: number, reason: string): number => {
  if (code === 1000) return 0;
  const exited = /exited with code (\d+)\s*$/.exec(reason);
  return exited ? Number(exited[1]) : 1;
};

const sizeOf = (output: EnterTerminal['output']): { cols?: number; rows?: number } =>
  output.isTTY && output.columns && output.rows ? { cols: output.columns, rows: output.rows } : {};

const asBuffer = (raw: RawData): Buffer => (Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw));

/** Run a root shell in container `vmid` on `node` over the core's console bridge, on `terminal`; its exit code. */
export const enterCtOverConsole = async (core: HyperdeskCoreHandle, node: NodeKey, vmid: number, terminal: EnterTerminal): Promise<number> => {
  const { input, output } = terminal;
  const { consoleId, url } = await core.handle('console.open', { node, vmid, kind: 'ct-shell', ...sizeOf(output) });
  const ws = new WebSocket(url);
  const raw = input.isTTY === true && typeof input.setRawMode === 'function';
  const onInput = (chunk: Buffer | string) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, { binary: true });
  };
  const onResize = () => {
    const size = sizeOf(output);
    if (size.cols !== undefined && size.rows !== undefined) void core.handle('console.resize', { consoleId, cols: size.cols, rows: size.rows }).catch(() => undefined);
  };
  try {
    return await new Promise<number>((resolve, reject) => {
      ws.on('open', () => {
        if (raw) input.setRawMode?.(true);
        input.on('data', onInput);
        input.resume();
        output.on('resize', onResize);
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) output.write(asBuffer(data));
      });
      ws.on('close', (code, reason) => resolve(exitCodeOf(code, reason.toString('utf8'))));
      ws.on('error', (error) => reject(error));
    });
  } finally {
    input.off('data', onInput);
    output.off('resize', onResize);
    if (raw) input.setRawMode?.(false);
    input.pause();
    ws.terminate();
    await core.handle('console.close', { consoleId }).catch(() => undefined);
  }
};

/** The workstation's `ct enter`: route to the saved node, wait for it online, then enterCtOverConsole. */
export const workstationCtEnter =
  (nodes: () => Promise<RoutableNode[]>, core: CliCore, terminal: EnterTerminal = { input: process.stdin, output: process.stdout }): EnterCt =>
  async (vmid, target) => {
    const node = routeCall(await nodes(), target.node, { vmid });
    return enterCtOverConsole(await core.online(node.key), node.key, vmid, terminal);
  };
