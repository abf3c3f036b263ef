// window.hyperdesk in a browser: the same API as the Electron preload, over the browser host's
// token-guarded WebSocket (main/web/host.ts). Bundled as an IIFE and loaded before the app bundle.
// Wire: `{id, method, params}` → `{id, envelope}`; pushes `{event, data}`.
import type { AppMethodName, AppParams, AppResult, Envelope, HyperdeskApi } from './api';
import { createEventListeners } from './event-listeners';

/** The subset of the WebSocket API used here; the browser's WebSocket and the ws package both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  /** Typed `never` so both DOM and ws handler types fit; the handler assigned below reads `event.data`. */
  onmessage: ((event: never) => void) | null;
}

export interface WebApiOptions {
  /** ws://127.0.0.1:<port>/api?token=… */
  url: string;
  openSocket: (url: string) => SocketLike;
  /** How long invoke() waits for a dropped connection to come back before answering unreachable. */
  reconnectDeadlineMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface WebApi extends HyperdeskApi {
  /** True while the socket is open (tests poll it; the page does not need it). */
  readonly connected: boolean;
  /** Stops reconnecting and closes the socket (tests; the page never needs it). */
  close(): void;
}

type Answer = (envelope: Envelope<unknown>) => void;
interface Queued { id: number; message: string; method: string; answer: Answer; timer: ReturnType<typeof setTimeout> }

const OPEN = 1;
const unreachable = (message: string): Envelope<never> => ({ ok: false, error: { code: 'unreachable', message } });

const isEnvelope = (value: unknown): value is Envelope<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';

export const createWebSocketApi = (options: WebApiOptions): WebApi => {
  const deadline = options.reconnectDeadlineMs ?? 10_000;
  const initialBackoff = options.initialBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const listeners = createEventListeners();
  const inFlight = new Map<number, { method: string; answer: Answer }>();
  const queued = new Set<Queued>();
  let socket: SocketLike | undefined;
  let nextId = 1;
  let backoff = initialBackoff;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const onMessage = (raw: unknown): void => {
    let message: { id?: unknown; envelope?: unknown; event?: unknown; data?: unknown };
    try {
      message = JSON.parse(String(raw)) as typeof message;
    } catch {
      return;
    }
    if (typeof message.event === 'string') return listeners.dispatch(message.event, message.data);
    if (typeof message.id !== 'number') return;
    const call = inFlight.get(message.id);
    if (call === undefined) return;
    inFlight.delete(message.id);
    call.answer(isEnvelope(message.envelope) ? message.envelope : { ok: false, error: { code: 'protocol-error', message: `the host sent a malformed answer to ${call.method}` } });
  };

  const send = (item: { id: number; message: string; method: string; answer: Answer }): void => {
    inFlight.set(item.id, { method: item.method, answer: item.answer });
    socket?.send(item.message);
  };

  let opened = false;
  const connect = (): void => {
    retryTimer = undefined;
    const current = options.openSocket(options.url);
    socket = current;
    current.onopen = () => {
      backoff = initialBackoff;
      if (opened) listeners.dispatch('connection.restored', {});
      opened = true;
      for (const item of queued) {
        clearTimeout(item.timer);
        queued.delete(item);
        send(item);
      }
    };
    current.onmessage = (event: { data: unknown }) => onMessage(event.data);
    current.onerror = () => undefined; // a close event always follows; reconnecting happens there
    current.onclose = () => {
      if (socket !== current) return;
      socket = undefined;
      // The answer is lost with the socket; the call may or may not have run, so it is not retried.
      for (const [id, call] of inFlight) {
        inFlight.delete(id);
        call.answer(unreachable(`the connection to the Hyperdesk host dropped while ${call.method} was running; it may or may not have completed`));
      }
      if (closed) return;
      retryTimer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    };
  };

  const api: WebApi = {
    transport: 'web',
    get connected(): boolean {
      return socket !== undefined && socket.readyState === OPEN;
    },
    invoke<M extends AppMethodName>(method: M, params: AppParams<M>): Promise<Envelope<AppResult<M>>> {
      return new Promise((resolve) => {
        const answer = resolve as Answer;
        if (closed) return answer(unreachable(`${method}: the connection to the Hyperdesk host is closed`));
        const id = nextId++;
        const message = JSON.stringify({ id, method, params });
        if (socket !== undefined && socket.readyState === OPEN) return send({ id, message, method, answer });
        const item: Queued = {
          id,
          message,
          method,
          answer,
          timer: setTimeout(() => {
            queued.delete(item);
            answer(unreachable(`${method}: the Hyperdesk host did not answer within ${Math.round(deadline / 1000)} s — is it still running?`));
          }, deadline),
        };
        queued.add(item);
      });
    },
    on: listeners.on,
    close(): void {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      for (const item of queued) {
        clearTimeout(item.timer);
        item.answer(unreachable(`${item.method}: the connection to the Hyperdesk host is closed`));
      }
      queued.clear();
      socket?.close();
    },
  };
  connect();
  return api;
};

const TOKEN_KEY = 'hyperdesk.token';

/** The token arrives once in the URL fragment (never sent to the server), then lives in this tab's sessionStorage. */
const takeToken = (): string | undefined => {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash !== null && fromHash !== '') {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromHash);
    } catch {
      // storage disabled: the token works until the next reload
    }
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
};

const noToken = (): HyperdeskApi => ({
  transport: 'web',
  invoke: (method) =>
    Promise.resolve({
      ok: false,
      error: { code: 'access-denied', message: `${method}: no access token — open the URL the Hyperdesk host printed (it ends in #token=…)` },
    }),
  on: () => () => undefined,
});

const install = (): void => {
  const token = takeToken();
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const api: HyperdeskApi =
    token === undefined
      ? noToken()
      : createWebSocketApi({ url: `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`, openSocket: (url) => new WebSocket(url) });
  // Only the API itself is exposed (not close() or the socket), frozen so the app cannot swap it.
  const exposed: HyperdeskApi = {
    transport: api.transport,
    invoke: (method, params) => api.invoke(method, params),
    on: (event, listener) => api.on(event, listener),
  };
  Object.defineProperty(window, 'hyperdesk', { value: Object.freeze(exposed), enumerable: true });
};

if (typeof window !== 'undefined' && typeof location !== 'undefined' && typeof WebSocket !== 'undefined') install();
