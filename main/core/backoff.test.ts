import { describe, expect, it } from 'vitest';
import { Backoff, type Clock } from './backoff';

/** A clock that only moves when told to. */
class FakeClock implements Clock {
  now = 0;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pendingCount(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.now) continue;
      this.timers.delete(id);
      timer.callback();
    }
  }
}

describe('Backoff', () => {
  it('doubles the ceiling from 1 s to the 30 s cap, drawing from its upper half', () => {
    const highest = new Backoff({ random: () => 0.999999 });
    expect(Array.from({ length: 8 }, () => highest.nextDelay())).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    const lowest = new Backoff({ random: () => 0 });
    expect(Array.from({ length: 7 }, () => lowest.nextDelay())).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
  });

  it('spreads delays with the random source', () => {
    const values = [0.25, 0.75];
    const backoff = new Backoff({ random: () => values.shift() ?? 0 });
    expect(backoff.nextDelay()).toBe(625); // 500 + 0.25 * 500
    expect(backoff.nextDelay()).toBe(1750); // 1000 + 0.75 * 1000
  });

  it('starts again from the first step after reset', () => {
    const backoff = new Backoff({ random: () => 0 });
    backoff.nextDelay();
    backoff.nextDelay();
    backoff.nextDelay();
    backoff.reset();
    expect(backoff.nextDelay()).toBe(500);
  });

  it('fires a scheduled retry only once its delay has passed, on the clock it was given', () => {
    const clock = new FakeClock();
    const backoff = new Backoff({ random: () => 0, clock });
    let fired = 0;
    expect(backoff.schedule(() => (fired += 1))).toBe(500);
    expect(backoff.pending).toBe(true);
    clock.advance(499);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(backoff.pending).toBe(false);
  });

  it('replaces a pending retry instead of stacking a second one, and cancel clears it', () => {
    const clock = new FakeClock();
    const backoff = new Backoff({ random: () => 0, clock });
    let fired = 0;
    backoff.schedule(() => (fired += 1));
    backoff.schedule(() => (fired += 10));
    expect(clock.pendingCount).toBe(1);
    clock.advance(1000);
    expect(fired).toBe(10);
    backoff.schedule(() => (fired += 100));
    backoff.cancel();
    expect(clock.pendingCount).toBe(0);
    clock.advance(60_000);
    expect(fired).toBe(10);
  });
});
