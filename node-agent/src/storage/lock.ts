// One lock per storage (PVE's storage lock): changes that pick a free name or touch a volume's metadata run one
// at a time. Fair (first come, first served), with a deadline, cancellable, and every wait names who holds it.
// In-process: one daemon owns the node. A cluster-wide lock (etcd) can replace it behind StorageLocks.
import { AppError } from '../api/errors';

/** Who holds (or wants) a lock: a task, or a short label for a synchronous call. */
export interface LockHolder {
  upid?: string;
  /** What it does: `alloc`, `resize`, `download`… */
  label: string;
}

export interface LockOptions {
  /** How long to wait for the lock; PVE's storage lock waits 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where the waiting line goes (the caller's task log). */
  log?: (line: string) => void;
}

export type ReleaseLock = () => void;

export interface StorageLocks {
  acquire(storeid: string, holder: LockHolder, options?: LockOptions): Promise<ReleaseLock>;
  /** Run `body` holding the storage's lock; the lock is released however it ends. */
  withLock<T>(storeid: string, holder: LockHolder, body: () => Promise<T>, options?: LockOptions): Promise<T>;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

export const describeHolder = (holder: LockHolder): string =>
  holder.upid === undefined ? holder.label : `task ${holder.upid} (${holder.label})`;

interface Waiter {
  holder: LockHolder;
  grant: () => void;
}

interface Held {
  holder: LockHolder;
  queue: Waiter[];
}

export class LocalStorageLocks implements StorageLocks {
  private readonly held = new Map<string, Held>();

  /** The current holder of a storage's lock, if any. */
  holder(storeid: string): LockHolder | undefined {
    return this.held.get(storeid)?.holder;
  }

  /** How many callers wait for a storage's lock. */
  waiting(storeid: string): number {
    return this.held.get(storeid)?.queue.length ?? 0;
  }

  async acquire(storeid: string, holder: LockHolder, options: LockOptions = {}): Promise<ReleaseLock> {
    const { timeoutMs = DEFAULT_LOCK_TIMEOUT_MS, signal, log } = options;
    if (signal?.aborted) throw new AppError('cancelled', `waiting for the lock on storage ${storeid} was cancelled`);
    const entry = this.held.get(storeid);
    if (!entry) {
      this.held.set(storeid, { holder, queue: [] });
      return this.releaser(storeid);
    }
    log?.(`storage ${storeid} is locked by ${describeHolder(entry.holder)} — waiting`);
    await new Promise<void>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = entry.queue.indexOf(waiter);
        if (index !== -1) entry.queue.splice(index, 1);
      };
      const waiter: Waiter = {
        holder,
        grant: () => {
          leave();
          resolve();
        },
      };
      const onAbort = () => {
        leave();
        reject(new AppError('cancelled', `waiting for the lock on storage ${storeid} was cancelled`));
      };
      const timer = setTimeout(() => {
        leave();
        reject(
          new AppError('locked', `storage ${storeid} is locked by ${describeHolder(entry.holder)} — wait for it or cancel it`, {
            holder: entry.holder,
          }),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.queue.push(waiter);
    });
    return this.releaser(storeid);
  }

  async withLock<T>(storeid: string, holder: LockHolder, body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const release = await this.acquire(storeid, holder, options);
    try {
      return await body();
    } finally {
      release();
    }
  }

  /** Hand the lock to the first waiter (no barging: a newcomer never overtakes the queue), or free it. */
  private releaser(storeid: string): ReleaseLock {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const entry = this.held.get(storeid);
      if (!entry) return;
      const next = entry.queue[0];
      if (next === undefined) {
        this.held.delete(storeid);
        return;
      }
      entry.holder = next.holder;
      next.grant();
    };
  }
}
