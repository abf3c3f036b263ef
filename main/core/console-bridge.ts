// Consoles for the renderer: one SSH exec channel (running the agent's `console` relay on the node) bridged to a
// one-shot WebSocket on 127.0.0.1 that noVNC or xterm.js opens. The URL carries a fresh 32-byte token, the
// socket takes exactly one connection and gives up after 10 s without one (as PVE's vncproxy does).
// Binary frames are the console's bytes; a text frame is flow control from the viewer (flow-control message below).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { AppError } from '../../node-agent/src/api/errors';
import type { ConsoleKind } from '../../node-agent/src/vm/console-relay';
import type { SshConnection } from './ssh-connection';
import { chunkBatcher } from './chunk-batcher';

/** terminal feature: a node shell (shell-command.ts) is a terminal too: it gets a pty like a serial console. */
export type BridgeKind = ConsoleKind | 'shell';

export interface ConsoleOpenOptions {
  ssh: SshConnection;
  /** The remote command: a constant string plus validated vmid and kind (consoleAgentCommand). */
  command: string;
  kind: BridgeKind;
  /** The serial terminal's first size; resize() changes it later. */
  cols?: number;
  rows?: number;
}

export interface OpenedConsole {
  consoleId: string;
  /** ws://127.0.0.1:<port>/console/<token>: good for one connection, within connectTimeoutMs. */
  url: string;
}

export interface ConsoleBridgesOptions {
  connectTimeoutMs?: number;
  /** Told once when a console ends (for logs and to let the renderer know), with the node side's last words. */
  onClosed?: (consoleId: string, reason: string | undefined) => void;
}

/** PVE's vncproxy waits this long for the viewer. */
export const CONSOLE_CONNECT_TIMEOUT_MS = 10_000;
/** Stop reading from the node while this much is queued towards a slow viewer. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** WebSocket close codes 4000–4999 are the application's: the node side failed. */
const CLOSE_NODE_FAILED = 4000;

/**
 * A text frame from the viewer: `{"pause":true}` while xterm.js has too much queued for rendering, `{"pause":false}`
 * once it caught up. A browser cannot pause a WebSocket's TCP stream, so the bridge pauses the SSH channel instead and
 * the node's program blocks on a full pty. Anything else in a text frame is ignored (never typed into the console).
 */
export const parseFlowControl = (text: string): { pause: boolean } | undefined => {
  try {
    const message = JSON.parse(text) as unknown;
    if (typeof message !== 'object' || message === null || !('pause' in message)) return undefined;
    return typeof message.pause === 'boolean' ? { pause: message.pause } : undefined;
  } catch {
    return undefined;
  }
};

interface Console {
  readonly server: Server;
  readonly timer: NodeJS.Timeout;
  ws?: WebSocket;
  channel?: ClientChannel;
  stderr: string;
  closed: boolean;
  /** The terminal size the viewer asked for last; a resize may come before the channel exists. */
  size: { cols: number; rows: number };
  /** Terminals (serialN, ct-console, ct-shell, shell) have a pty; VNC ignores sizes. */
  readonly serial: boolean;
  /** Why the channel is paused: the viewer asked (flow control), or too much is queued on the WebSocket. */
  viewerPaused: boolean;
  backlogged: boolean;
}

const asBuffer = (raw: RawData): Buffer =>
  Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);

const pathMatches = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const refuse = (socket: Duplex, status: number): void => {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
};

/** A close reason must fit in 123 bytes; the node's last stderr line says what went wrong. */
const closeReason = (stderr: string): string => {
  const line = stderr.trim().split('\n').pop() ?? '';
  return Buffer.from(line)
    .subarray(0, 123)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
};

const validSize = (cols: number, rows: number): boolean =>
  Number.isInteger(cols) && Number.isInteger(rows) && cols >= 1 && rows >= 1 && cols <= 1000 && rows <= 1000;

export class ConsoleBridges {
  private readonly consoles = new Map<string, Console>();
  private readonly connectTimeoutMs: number;
  private disposed = false;

  constructor(private readonly options: ConsoleBridgesOptions = {}) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONSOLE_CONNECT_TIMEOUT_MS;
  }

  async open(options: ConsoleOpenOptions): Promise<OpenedConsole> {
    if (this.disposed) throw new AppError('internal-error', 'the console service was disposed');
    if (options.ssh.closed) throw new AppError('unreachable', `the SSH connection to ${options.ssh.host} is closed`);
    // Every kind but VNC is a terminal: lxc-console/lxc-attach (ct-console, ct-shell) need the pty as much as serial.
    const serial = options.kind !== 'vnc';
    const size = { cols: options.cols ?? 80, rows: options.rows ?? 24 };
    if (!validSize(size.cols, size.rows))
      throw new AppError('invalid-params', `a terminal of ${size.cols}x${size.rows} is not possible`);
    const consoleId = randomUUID();
    const path = `/console/${randomBytes(32).toString('hex')}`;
    const server = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
    const entry: Console = {
      server,
      timer: setTimeout(() => this.close(consoleId), this.connectTimeoutMs),
      stderr: '',
      closed: false,
      size,
      serial,
      viewerPaused: false,
      backlogged: false,
    };
    this.consoles.set(consoleId, entry);

    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (entry.ws !== undefined || entry.closed || !pathMatches(req.url ?? '', path)) return refuse(socket, 403);
      wss.handleUpgrade(req, socket, head, (ws) => {
        entry.ws = ws;
        clearTimeout(entry.timer);
        // One-shot: nobody else gets in, not even with the token.
        server.close();
        this.attach(consoleId, entry, ws, options, serial);
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.close(consoleId);
      throw new AppError('internal-error', `cannot listen for the console on 127.0.0.1: ${(error as Error).message}`);
    }
    const { port } = server.address() as AddressInfo;
    return { consoleId, url: `ws://127.0.0.1:${port}${path}` };
  }

  /** The viewer is connected: open the channel, then pipe frames both ways. */
  private attach(consoleId: string, entry: Console, ws: WebSocket, options: ConsoleOpenOptions, serial: boolean): void {
    // Frames that arrive before the channel is open are kept, in order.
    const early: Buffer[] = [];
    ws.on('message', (raw, isBinary) => {
      if (!isBinary) {
        const flow = parseFlowControl(asBuffer(raw).toString('utf8'));
        if (flow !== undefined) {
          entry.viewerPaused = flow.pause;
          this.applyFlow(entry);
        }
        return;
      }
      const data = asBuffer(raw);
      if (entry.channel === undefined) return void early.push(data);
      if (!entry.channel.write(data)) {
        ws.pause();
        entry.channel.once('drain', () => ws.resume());
      }
    });
    ws.on('close', () => this.close(consoleId));
    ws.on('error', () => this.close(consoleId));

    const pty = { ...entry.size };
    options.ssh.exec(options.command, serial ? { pty } : {}).then(
      (channel) => {
        if (entry.closed) return void channel.close();
        entry.channel = channel;
        if (serial && (entry.size.cols !== pty.cols || entry.size.rows !== pty.rows))
          channel.setWindow(entry.size.rows, entry.size.cols, 0, 0);
        channel.stderr.on(
          'data',
          (chunk: Buffer) => (entry.stderr = (entry.stderr + chunk.toString('utf8')).slice(-4096)),
        );
        const output = chunkBatcher((data) => {
          if (ws.readyState !== WebSocket.OPEN) return;
          ws.send(data, { binary: true });
          if (ws.bufferedAmount > HIGH_WATER_BYTES && !entry.backlogged) {
            entry.backlogged = true;
            this.applyFlow(entry);
            this.resumeWhenDrained(entry, ws);
          }
        });
        channel.on('data', (chunk: Buffer) => output.push(chunk));
        channel.on('exit', (code: number | null) => {
          if (code !== 0 && code !== null) entry.stderr ||= `the console relay on the node exited with code ${code}`;
        });
        channel.on('close', () => {
          output.flush();
          this.close(consoleId);
        });
        for (const data of early.splice(0)) channel.write(data);
        // A pause asked for before the channel existed holds from the start.
        this.applyFlow(entry);
      },
      (error: unknown) => {
        entry.stderr = AppError.from(error).message;
        this.close(consoleId);
      },
    );
  }

  /** ws has no drain event: look again shortly until the viewer has taken what is queued. */
  private resumeWhenDrained(entry: Console, ws: WebSocket): void {
    const check = () => {
      if (entry.closed) return;
      if (ws.bufferedAmount <= HIGH_WATER_BYTES / 2) {
        entry.backlogged = false;
        this.applyFlow(entry);
      } else setTimeout(check, 10).unref();
    };
    setTimeout(check, 10).unref();
  }

  /** The channel reads only while neither the viewer nor the WebSocket's queue holds it back. */
  private applyFlow(entry: Console): void {
    if (entry.channel === undefined || entry.closed) return;
    if (entry.viewerPaused || entry.backlogged) entry.channel.pause();
    else entry.channel.resume();
  }

  /** Change the serial terminal's size (the node's pty gets SIGWINCH); ignored for VNC. Unknown consoles: not-found. */
  resize(consoleId: string, cols: number, rows: number): void {
    const entry = this.consoles.get(consoleId);
    if (entry === undefined) throw new AppError('not-found', `console ${consoleId} is not open`);
    if (!validSize(cols, rows)) throw new AppError('invalid-params', `a terminal of ${cols}x${rows} is not possible`);
    // Before the channel is open the size is kept, and the pty starts with it.
    entry.size = { cols, rows };
    if (entry.serial) entry.channel?.setWindow(rows, cols, 0, 0);
  }

  /** End a console: its WebSocket, its channel and its listener. Closing twice is harmless. */
  close(consoleId: string): void {
    const entry = this.consoles.get(consoleId);
    if (entry === undefined) return;
    this.consoles.delete(consoleId);
    entry.closed = true;
    clearTimeout(entry.timer);
    entry.server.close();
    const reason = entry.stderr === '' ? undefined : closeReason(entry.stderr);
    if (entry.ws !== undefined && entry.ws.readyState === WebSocket.OPEN) {
      if (reason === undefined) entry.ws.close(1000);
      else entry.ws.close(CLOSE_NODE_FAILED, reason);
      // A viewer that never answers the close handshake is not waited for.
      const ws = entry.ws;
      setTimeout(() => ws.terminate(), 2000).unref();
    } else entry.ws?.terminate();
    entry.channel?.close();
    this.options.onClosed?.(consoleId, reason);
  }

  /** The ids of consoles still open (waiting for a viewer or connected). */
  openIds(): string[] {
    return [...this.consoles.keys()];
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.consoles.keys()]) this.close(id);
  }
}
