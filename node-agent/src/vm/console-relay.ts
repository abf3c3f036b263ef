// `hyperdesk-agent console <vmid> vnc|serial0..3`: what the app runs over an SSH exec channel to reach a VM's
// console. Relays raw bytes between its stdio and the VM's VNC or serial unix socket; for serial it first replays
// the tail of the port's log so a console that attaches after boot still shows the banner and login prompt.
// Containers' kinds (ct-console, ct-shell) share the subcommand and are run by ct/ct-console.ts.
import { open, readlink } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../api/errors';
import { EXIT_NOPERM, EXIT_UNAVAILABLE } from '../bridge/bridge';
import { ctConsoleKinds, isCtConsoleKind, runCtConsole } from '../ct/ct-console';
import type { AgentPaths } from '../daemon/paths';
import { run } from '../exec/run';
import { vmRunPaths } from './run-paths';

export const vmConsoleKinds = ['vnc', 'serial0', 'serial1', 'serial2', 'serial3'] as const;
export type VmConsoleKind = (typeof vmConsoleKinds)[number];
// ct-console feature: one `console <id> <kind>` subcommand for VMs and containers (vmids and ctids share one range).
export const consoleKinds = [...vmConsoleKinds, ...ctConsoleKinds] as const;
export type ConsoleKind = (typeof consoleKinds)[number];

/** How much of a serial log a late console is shown: PVE's xterm.js shows nothing, a boot banner fits in this. */
export const SERIAL_REPLAY_BYTES = 64 * 1024;
/** sysexits EX_USAGE: bad vmid or kind. */
export const EXIT_USAGE = 64;
/** After stdin ends, how long the VM's side may take to close before the relay gives up on it. */
const LINGER_MS = 2000;

/** PVE's vmid range (CTs share it); anything else never names a guest, so it never reaches a path. */
const VMID = /^[1-9][0-9]{2,8}$/;

/** Parse and validate `<vmid> <kind>`; throws AppError('invalid-params') on anything else. */
export const parseConsoleArgs = (args: readonly string[]): { vmid: number; kind: ConsoleKind } => {
  const [vmidText, kindText, ...rest] = args;
  if (vmidText === undefined || kindText === undefined || rest.length > 0)
    throw new AppError(
      'invalid-params',
      'console needs exactly two arguments: <vmid> vnc|serial0..serial3|ct-console|ct-shell',
    );
  if (!VMID.test(vmidText))
    throw new AppError('invalid-params', `console: ${JSON.stringify(vmidText)} is not a vmid (100–999999999)`);
  const kind = consoleKinds.find((k) => k === kindText);
  if (kind === undefined)
    throw new AppError(
      'invalid-params',
      `console: ${JSON.stringify(kindText)} is not one of ${consoleKinds.join(', ')}`,
    );
  return { vmid: Number(vmidText), kind };
};

export interface ConsoleRelayOptions {
  paths: Pick<AgentPaths, 'run'>;
  vmid: number;
  kind: VmConsoleKind;
  stdin: Readable;
  stdout: Writable;
  /** Where the one-line error goes (process.stderr by default). */
  stderr?: Writable;
  signal?: AbortSignal;
}

const serialPort = (kind: Exclude<VmConsoleKind, 'vnc'>): number => Number(kind.slice('serial'.length));

const socketPath = (options: ConsoleRelayOptions): string => {
  const run = vmRunPaths(options.paths, options.vmid);
  return options.kind === 'vnc' ? run.vnc : run.serial(serialPort(options.kind));
};

/** The last SERIAL_REPLAY_BYTES of the log, starting after a line break so no escape sequence is cut in two. */
export const readSerialTail = async (path: string, limit = SERIAL_REPLAY_BYTES): Promise<Buffer> => {
  const file = await open(path, 'r').catch(() => undefined);
  if (file === undefined) return Buffer.alloc(0);
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - limit);
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
    const tail = buffer.subarray(0, bytesRead);
    if (start === 0) return tail;
    const nl = tail.indexOf(10);
    return nl === -1 ? tail : tail.subarray(nl + 1);
  } finally {
    await file.close();
  }
};

const connectError = (error: NodeJS.ErrnoException, options: ConsoleRelayOptions, path: string): AppError => {
  const what = options.kind === 'vnc' ? 'VNC display' : `serial port ${serialPort(options.kind)}`;
  if (error.code === 'EACCES' || error.code === 'EPERM')
    return new AppError(
      'access-denied',
      `you may not open the ${what} of VM ${options.vmid} (${path}) — connect as root`,
    );
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')
    return new AppError('not-found', `VM ${options.vmid} is not running or has no ${what} (${path}) — start it first`, {
      errno: error.code,
    });
  return new AppError('unreachable', `cannot open the ${what} of VM ${options.vmid} (${path}): ${error.message}`, {
    errno: error.code,
  });
};

const connected = (path: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });

const write = (stream: Writable, data: Buffer): Promise<void> =>
  new Promise((resolve, reject) => stream.write(data, (error) => (error ? reject(error) : resolve())));

/** Relay until either side ends; resolves with the process exit code (never rejects). */
export const relayConsole = async (options: ConsoleRelayOptions): Promise<number> => {
  const { stdin, stdout, signal } = options;
  const stderr = options.stderr ?? process.stderr;
  const path = socketPath(options);
  if (signal?.aborted) return 1;
  let socket: Socket;
  try {
    socket = await connected(path);
  } catch (error) {
    const appError = connectError(error as NodeJS.ErrnoException, options, path);
    stderr.write(`error (${appError.code}): ${appError.message}\n`);
    return appError.code === 'access-denied' ? EXIT_NOPERM : EXIT_UNAVAILABLE;
  }
  // Connected first, so a stopped VM is reported as such instead of replaying its old output; the socket is held
  // paused meanwhile. QEMU keeps nothing for a new client, so bytes written during the replay are at worst shown twice.
  socket.pause();
  if (options.kind !== 'vnc') {
    const tail = await readSerialTail(vmRunPaths(options.paths, options.vmid).serialLog(serialPort(options.kind)));
    if (tail.length > 0) await write(stdout, tail).catch(() => undefined);
  }
  return new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      stdin.unpipe(socket);
      socket.unpipe(stdout);
      stdin.pause();
      socket.destroy();
      resolve(code);
    };
    const onAbort = () => finish(1);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while connecting or replaying.
    if (signal?.aborted) return finish(1);
    socket.on('error', () => finish(1));
    stdout.once('error', () => finish(1));
    socket.once('close', () => finish(0));
    // The app hung up: let the VM's side see the end, and do not wait long for it to close.
    stdin.once('end', () => {
      socket.end();
      setTimeout(() => finish(0), LINGER_MS).unref();
    });
    stdin.pipe(socket);
    socket.pipe(stdout, { end: false });
    socket.resume();
  });
};

/** The CLI entry: validate `<vmid> <kind>`, then relay on the process's stdio (or hand it to lxc-* for a CT). */
export const runConsole = async (args: readonly string[], paths: Pick<AgentPaths, 'run' | 'root'>): Promise<number> => {
  let parsed;
  try {
    parsed = parseConsoleArgs(args);
  } catch (error) {
    process.stderr.write(`error (invalid-params): ${AppError.from(error).message}\n`);
    return EXIT_USAGE;
  }
  const { vmid, kind } = parsed;
  // ct-console feature: lxc-console and lxc-attach make the pty raw themselves.
  if (isCtConsoleKind(kind)) return runCtConsole(paths, vmid, kind);
  // A serial console runs on a pty (for its size): the pty must pass every byte through untouched, with no echo,
  // line editing or CR/NL translation of its own — the guest's tty does all of that. Node's setRawMode keeps
  // output post-processing (LF → CRLF), so stty makes the pty fully raw.
  if (process.stdin.isTTY) {
    const tty = await readlink('/proc/self/fd/0');
    const result = await run('stty', ['-F', tty, 'raw', '-echo'], { timeoutMs: 5000 });
    if (result.code !== 0) {
      process.stderr.write(`error (command-failed): cannot make the terminal ${tty} raw: ${result.stderr.trim()}\n`);
      return 1;
    }
  }
  return relayConsole({ paths, vmid, kind, stdin: process.stdin, stdout: process.stdout });
};
