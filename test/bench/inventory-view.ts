// What a front end holds: the inventory as rebuilt from patches, with the time each patch arrived, and a way
// to wait (with a deadline) until what it shows meets a condition.
import { performance } from 'node:perf_hooks';
import { AppError } from '../../node-agent/src/api/errors';
import type { InventoryPatch, NodeEntry, TaskEntry } from '../../main/core/inventory-schema';

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

export class InventoryView {
  readonly nodes = new Map<string, NodeEntry>();
  readonly tasks = new Map<string, TaskEntry>();
  private readonly waiters = new Set<Waiter>();
  private readonly patchListeners = new Set<(patch: InventoryPatch, at: number) => void>();

  /** Apply a patch as the renderer's store does; listeners are told the arrival time (performance.now()). */
  apply(patch: InventoryPatch): void {
    const at = performance.now();
    for (const [key, entry] of Object.entries(patch.nodes ?? {})) {
      if (entry) this.nodes.set(key, entry);
      else this.nodes.delete(key);
    }
    for (const [upid, task] of Object.entries(patch.tasks ?? {})) {
      if (task) this.tasks.set(upid, task);
      else this.tasks.delete(upid);
    }
    for (const listener of this.patchListeners) listener(patch, at);
    for (const waiter of [...this.waiters]) {
      if (!waiter.check()) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  onPatch(listener: (patch: InventoryPatch, at: number) => void): () => void {
    this.patchListeners.add(listener);
    return () => this.patchListeners.delete(listener);
  }

  /** Resolves once `check` holds (now or after a later patch); a timeout error naming `what` at the deadline. */
  until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new AppError('timeout', `${what} did not show in the inventory within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
