// The calling side of a JSON-RPC session, typed by the contract. Used by main/core over SSH and by hdctl on a node.
import type { Readable, Writable } from 'node:stream';
import { AppError, EventMessage, type MethodName, type Params, type Result } from '../api';
import { encode, LineSplitter, ResponseMessage } from './wire';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: AppError) => void;
  cleanup: () => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds before the call fails with `timeout`; 0 for none. */
  timeoutMs?: number;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(event: EventMessage) => void>();
  private readonly closeListeners = new Set<(error: AppError) => void>();
  private closedWith: AppError | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly defaultTimeoutMs = 30_000,
  ) {}

  call<M extends MethodName>(method: M, params: Params<M>, options: CallOptions = {}): Promise<Result<M>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<Result<M>>((resolve, reject) => {
      const onAbort = () => {
        this.write(encode({ jsonrpc: '2.0', id: this.nextId++, method: 'rpc.cancel', params: { id } }));
        settle(new AppError('cancelled', `${method} was cancelled`));
      };
      const timer =
        timeoutMs > 0
          ? setTimeout(() => settle(new AppError('timeout', `${method} got no answer within ${timeoutMs} ms`)), timeoutMs)
          : undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const settle = (error: AppError) => {
        cleanup();
        reject(error);
      };
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, cleanup });
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.write(encode({ jsonrpc: '2.0', id, method, params }));
    });
  }

  onEvent(listener: (event: EventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onClose(listener: (error: AppError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  receive(line: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return this.close(new AppError('protocol-error', 'the agent sent a line that is not JSON'));
    }
    if (typeof raw === 'object' && raw !== null && 'method' in raw) {
      const { method, params } = raw as { method: unknown; params: unknown };
      const event = EventMessage.safeParse(params);
      if (method === 'event' && event.success) for (const listener of this.eventListeners) listener(event.data);
      return;
    }
    const response = ResponseMessage.safeParse(raw);
    // An error with a null id answers a line the agent could not read; nothing of ours waits on it.
    if (!response.success || typeof response.data.id !== 'number') return;
    const pending = this.pending.get(response.data.id);
    if (!pending) return;
    pending.cleanup();
    if ('error' in response.data) pending.reject(AppError.fromWire(response.data.error));
    else pending.resolve(response.data.result);
  }

  /** Fail every pending call and refuse new ones. */
  close(error = new AppError('unreachable', 'the connection to the agent closed')): void {
    if (this.closedWith) return;
    this.closedWith = error;
    for (const pending of [...this.pending.values()]) {
      pending.cleanup();
      pending.reject(error);
    }
    for (const listener of this.closeListeners) listener(error);
  }
}

/** Wire a client to a byte stream pair (an SSH channel, a unix socket, a child's stdio). */
export const connectStreams = (input: Readable, output: Writable, timeoutMs?: number): RpcClient => {
  const client = new RpcClient((line) => {
    output.write(line);
  }, timeoutMs);
  const splitter = new LineSplitter(
    (line) => client.receive(line),
    () => client.close(new AppError('protocol-error', 'the agent sent a line over 16 MiB')),
  );
  input.on('data', (chunk: Buffer) => splitter.push(chunk));
  input.on('close', () => client.close());
  input.on('end', () => client.close());
  input.on('error', (error: Error) => client.close(new AppError('unreachable', error.message)));
  return client;
};
