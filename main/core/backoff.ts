// Reconnect pacing: exponential backoff with jitter (about 1 s doubling to a 30 s cap), reset on success.
// Jitter spreads the reconnects of many nodes (or many workstations) after a shared outage.

export interface Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Random in [0, 1); injectable for tests. */
  random?: () => number;
  clock?: Clock;
}

export class Backoff {
  private attempt = 0;
  private timer: unknown;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private readonly clock: Clock;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1_000;
    this.maxMs = options.maxMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The next delay: the ceiling doubles from initialMs up to maxMs, and the delay is drawn from the
   * upper half of it ("equal jitter"), so retries are spread but never collapse to zero.
   */
  nextDelay(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Run `callback` after the next delay; replaces a retry already scheduled. Returns the delay. */
  schedule(callback: () => void): number {
    this.cancel();
    const delay = this.nextDelay();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      callback();
    }, delay);
    return delay;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  cancel(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** After a success: the next failure starts again from initialMs. */
  reset(): void {
    this.attempt = 0;
  }
}
