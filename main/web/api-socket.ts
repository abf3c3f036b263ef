// The browser host's /api WebSocket: the preload API for a page in a browser. Only a page served by this host
// (Origin) that knows the token (printed once on stdout) gets in; every message is checked like an IPC call.
import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { z } from 'zod';
import { AppError } from '../../node-agent/src/api/errors';
import { appEvents, type AppEventName } from '../core/app-api';
import type { HyperdeskCoreHandle } from '../core/core-api';
import { invokeAsEnvelope } from './envelope';

export interface ApiSocketOptions {
  server: Server;
  core: HyperdeskCoreHandle;
  token: string;
  /** `http://127.0.0.1:<port>`: the only page allowed to open the socket. */
  origin: () => string;
}

const Request = z.object({ id: z.number().int().nonnegative(), method: z.string().max(200), params: z.unknown() });

/** Constant-time, so the token cannot be guessed byte by byte from response timing. */
export const tokenMatches = (given: string | null, expected: string): boolean => {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const textOf = (raw: RawData): string =>
  (Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)).toString('utf8');

const refuse = (socket: Duplex, status: number): void => {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
};

export const attachApiSocket = (options: ApiSocketOptions): { close(): void } => {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api') return refuse(socket, 404);
    if (!tokenMatches(url.searchParams.get('token'), options.token) || req.headers.origin !== options.origin()) return refuse(socket, 403);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  options.server.on('upgrade', onUpgrade);

  const answer = (ws: WebSocket, raw: RawData, isBinary: boolean): void => {
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(textOf(raw));
    } catch {
      json = undefined;
    }
    const request = Request.safeParse(json);
    if (!request.success) {
      const id = typeof (json as { id?: unknown } | undefined)?.id === 'number' ? (json as { id: number }).id : null;
      const error = new AppError('protocol-error', 'malformed request: expected a JSON text message {id, method, params}').toWire();
      ws.send(JSON.stringify({ id, envelope: { ok: false, error } }));
      return;
    }
    const { id, method, params } = request.data;
    void invokeAsEnvelope(options.core, method, params).then((envelope) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id, envelope }));
    });
  };

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (raw, isBinary) => answer(ws, raw, isBinary));
    ws.on('error', () => ws.terminate());
  });

  const broadcast = (event: AppEventName, data: unknown): void => {
    const message = JSON.stringify({ event, data });
    for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(message);
  };
  const unsubscribe = (Object.keys(appEvents) as AppEventName[]).map((event) => options.core.on(event, (data) => broadcast(event, data)));

  return {
    close(): void {
      for (const stop of unsubscribe) stop();
      options.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
};
