// The listeners of a NodeSessionHandle (state, hello, event), kept once for the real session and for every
// stand-in for one (tests, benchmarks): on() subscribes, emit() tells them, clear() forgets them all.
import type { NodeSessionListeners } from './node-session-api';

export type SessionEvent = keyof NodeSessionListeners;

export class SessionListeners {
  private readonly sets: { [E in SessionEvent]: Set<NodeSessionListeners[E]> } = {
    state: new Set(),
    hello: new Set(),
    event: new Set(),
  };

  /** With `report`, a listener that throws is reported and the others are still told; without it, the error propagates. */
  constructor(private readonly report?: (event: SessionEvent, error: unknown) => void) {}

  on<E extends SessionEvent>(event: E, listener: NodeSessionListeners[E]): () => void {
    const set = this.sets[event] as Set<NodeSessionListeners[E]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends SessionEvent>(event: E, ...args: Parameters<NodeSessionListeners[E]>): void {
    // A copy: a listener may unsubscribe (or subscribe another) while it is told.
    for (const listener of [...this.sets[event]]) {
      const call = () => (listener as (...a: Parameters<NodeSessionListeners[E]>) => void)(...args);
      if (!this.report) {
        call();
        continue;
      }
      try {
        call();
      } catch (error) {
        this.report(event, error);
      }
    }
  }

  clear(): void {
    for (const set of Object.values(this.sets)) set.clear();
  }
}
