// PVE's model of keeping a view current, as a NodeSessionHandle the aggregator can follow: no push, a poll of
// node.status every few seconds (PVE's web UI refreshes its stores every 3 s), each answer fed in as an event.
import {
  AppError,
  type EventMessage,
  type Hello,
  type MethodName,
  type Params,
  type Result,
} from '../../node-agent/src/api';
import type { CallOptions } from '../../node-agent/src/rpc/client';
import type { NodeKey } from '../../main/core/config-schema';
import type { ConnectionState } from '../../main/core/inventory-schema';
import type { NodeSessionHandle, NodeSessionListeners } from '../../main/core/node-session-api';
import { SessionListeners } from '../../main/core/session-listeners';

/** PVE's UpdateStore interval in its web UI (pvestatd itself samples only every 10 s). */
export const PVE_POLL_INTERVAL_MS = 3_000;

export type Caller = <M extends MethodName>(method: M, params: Params<M>, options?: CallOptions) => Promise<Result<M>>;

export class StatusPoller implements NodeSessionHandle {
  readonly hello: Hello | undefined = undefined;
  private readonly listeners = new SessionListeners();
  private timer: NodeJS.Timeout | undefined;
  private revision = 0;
  private readonly sent = new Map<number, number>();
  private disposed = false;
  /** Poll failures, kept for the report: a poll that failed leaves the view as it was, as in PVE. */
  readonly failures: string[] = [];

  constructor(
    readonly key: NodeKey,
    private readonly caller: Caller,
    private readonly intervalMs = PVE_POLL_INTERVAL_MS,
  ) {}

  /** Workstation time (ms) the poll that produced event `revision` was sent: how old a view showing it is. */
  sentAt(revision: number): number | undefined {
    return this.sent.get(revision);
  }

  get state(): ConnectionState {
    return 'online';
  }

  start(): void {
    if (this.timer || this.disposed) return;
    this.poll();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
  }

  reconnect(): void {
    this.start();
  }

  call<M extends MethodName>(method: M, params: Params<M>, options?: CallOptions): Promise<Result<M>> {
    if (this.disposed) return Promise.reject(new AppError('unreachable', `the poller of node ${this.key} is stopped`));
    return this.caller(method, params, options);
  }

  on<E extends keyof NodeSessionListeners>(event: E, listener: NodeSessionListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }

  dispose(): Promise<void> {
    this.disposed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    return Promise.resolve();
  }

  private poll(): void {
    // Numbered when sent: an answer overtaken by a later poll's is then dropped by the aggregator as stale.
    const revision = ++this.revision;
    this.sent.set(revision, Date.now());
    this.caller('node.status', {}).then(
      (status) => {
        if (this.disposed) return;
        const event: EventMessage = {
          subscription: 'poll',
          topic: 'node.status',
          revision,
          epoch: 'poll',
          data: status,
        };
        this.listeners.emit('event', event);
      },
      (error: unknown) => this.failures.push(AppError.from(error).message),
    );
  }
}
