// The agent's QMP connection to one QEMU: line-delimited JSON over the VM's unix socket. Commands carry ids and
// their answers are matched by id; events go to listeners; the socket closing (QEMU exited or was killed) is
// reported at once, since that is how the agent learns a VM stopped.
import { createConnection, type Socket } from 'node:net';
import { AppError } from '../api/errors';

export interface QmpTimestamp {
  seconds: number;
  microseconds: number;
}

export interface QmpVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

export type QmpEventListener = (
  name: string,
  data: Record<string, unknown> | undefined,
  timestamp: QmpTimestamp,
) => void;
/** Called once when the connection ends; `error` is set when it ended for a reason other than close(). */
export type QmpCloseListener = (error?: AppError) => void;

export interface QmpConnectOptions {
  signal?: AbortSignal;
  /** For connecting, reading the greeting and negotiating capabilities together. */
  timeoutMs?: number;
  /** Where listener failures and unparseable lines are reported (they must not stop the reader). */
  log?: (message: string) => void;
}

export interface QmpExecuteOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: AppError) => void;
  /** Clears the command's timer and abort listener. */
  done: () => void;
}

const DEFAULT_CONNECT_MS = 5_000;
const DEFAULT_EXECUTE_MS = 10_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<QmpEventListener>();
  private readonly closeListeners = new Set<QmpCloseListener>();
  private greeting: ((message: Record<string, unknown>) => void) | undefined;
  private closedWith: { error: AppError | undefined } | undefined;
  /** QEMU's version from the greeting. */
  version: QmpVersion | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly socketPath: string,
    private readonly log: (message: string) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.finish(new AppError('unreachable', `QMP socket ${socketPath}: ${error.message}`, { errno: error.code })),
    );
    socket.on('close', () => this.finish(new AppError('unreachable', `QMP socket ${socketPath} closed (QEMU exited)`)));
  }

  /** Connect, read QEMU's greeting and leave capabilities negotiation mode; only then can commands run. */
  static connect(socketPath: string, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const { signal, timeoutMs = DEFAULT_CONNECT_MS, log = () => undefined } = options;
    if (signal?.aborted)
      return Promise.reject(new AppError('cancelled', `connecting to QMP socket ${socketPath} was cancelled`));
    const client = new QmpClient(createConnection(socketPath), socketPath, log);
    return new Promise<QmpClient>((resolve, reject) => {
      const fail = (error: AppError) => {
        cleanup();
        client.close();
        reject(error);
      };
      const onAbort = () => fail(new AppError('cancelled', `connecting to QMP socket ${socketPath} was cancelled`));
      const onClose: QmpCloseListener = (error) =>
        fail(error ?? new AppError('unreachable', `QMP socket ${socketPath} closed before QEMU greeted`));
      const timer = setTimeout(
        () => fail(new AppError('timeout', `QEMU did not answer on QMP socket ${socketPath} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        client.closeListeners.delete(onClose);
        client.greeting = undefined;
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      client.closeListeners.add(onClose);
      client.greeting = (message) => {
        client.greeting = undefined;
        const qmp = message.QMP;
        if (isRecord(qmp) && isRecord(qmp.version)) client.version = qmp.version as unknown as QmpVersion;
        client.execute('qmp_capabilities', undefined, { timeoutMs }).then(
          () => {
            cleanup();
            resolve(client);
          },
          (error: unknown) => fail(AppError.from(error)),
        );
      };
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Run a QMP command; resolves with its `return` value, or rejects command-failed with QEMU's error class. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, options: QmpExecuteOptions = {}): Promise<T> {
    const { timeoutMs = DEFAULT_EXECUTE_MS, signal } = options;
    if (this.closedWith)
      return Promise.reject(new AppError('unreachable', `QMP ${command}: the connection to QEMU is closed`));
    if (signal?.aborted) return Promise.reject(new AppError('cancelled', `QMP ${command} was cancelled`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const drop = (error: AppError) => {
        if (!this.pending.delete(id)) return;
        done();
        reject(error);
      };
      const onAbort = () => drop(new AppError('cancelled', `QMP ${command} was cancelled`));
      const timer = setTimeout(
        () => drop(new AppError('timeout', `QMP ${command}: QEMU did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { command, resolve: (value) => resolve(value as T), reject, done });
      const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  on(kind: 'event', listener: QmpEventListener): () => void;
  on(kind: 'close', listener: QmpCloseListener): () => void;
  /** Subscribe; returns the unsubscribe function. A close listener added after the close is called at once. */
  on(kind: 'event' | 'close', listener: QmpEventListener | QmpCloseListener): () => void {
    if (kind === 'event') {
      const l = listener as QmpEventListener;
      this.eventListeners.add(l);
      return () => this.eventListeners.delete(l);
    }
    const l = listener as QmpCloseListener;
    if (this.closedWith) {
      l(this.closedWith.error);
      return () => undefined;
    }
    this.closeListeners.add(l);
    return () => this.closeListeners.delete(l);
  }

  /** Drop the connection (QEMU keeps running); pending commands fail with unreachable. */
  close(): void {
    this.finish(undefined);
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line !== '') this.dispatch(line);
      if (this.closedWith) return;
      newline = this.buffer.indexOf('\n');
    }
  }

  private dispatch(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.log(`QMP ${this.socketPath}: ignoring a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (!isRecord(message)) return;
    if ('QMP' in message) {
      this.greeting?.(message);
      return;
    }
    if (typeof message.event === 'string') {
      const timestamp = isRecord(message.timestamp)
        ? (message.timestamp as unknown as QmpTimestamp)
        : { seconds: 0, microseconds: 0 };
      const data = isRecord(message.data) ? message.data : undefined;
      for (const listener of [...this.eventListeners]) {
        try {
          listener(message.event, data, timestamp);
        } catch (error) {
          this.log(`QMP ${this.socketPath}: a listener for ${message.event} failed: ${AppError.from(error).message}`);
        }
      }
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (pending === undefined || typeof message.id !== 'number') return; // answer to a cancelled or timed-out command
    this.pending.delete(message.id);
    pending.done();
    if ('return' in message) {
      pending.resolve(message.return);
      return;
    }
    const error = isRecord(message.error) ? message.error : {};
    const desc = typeof error.desc === 'string' ? error.desc : 'unknown error';
    const errorClass = typeof error.class === 'string' ? error.class : 'GenericError';
    pending.reject(
      new AppError('command-failed', `QMP ${pending.command}: ${desc}`, {
        class: errorClass,
        command: pending.command,
      }),
    );
  }

  /** Settle everything once: pending commands fail, close listeners hear why (nothing when we closed it). */
  private finish(error: AppError | undefined): void {
    if (this.closedWith) return;
    this.closedWith = { error };
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      p.done();
      p.reject(new AppError('unreachable', `QMP ${p.command}: the connection to QEMU closed before it answered`));
    }
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.eventListeners.clear();
    for (const listener of listeners) {
      try {
        listener(error);
      } catch (listenerError) {
        this.log(`QMP ${this.socketPath}: a close listener failed: ${AppError.from(listenerError).message}`);
      }
    }
  }
}
