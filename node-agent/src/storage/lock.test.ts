import { describe, expect, it } from 'vitest';
import { isAppError } from '../api/errors';
import { LocalStorageLocks } from './lock';

const UPID = 'UPID:n1:00001234:00005678:6745A1B2:download:local:root@pam:';

/** Wait until the lock has `n` callers queued (no sleeps: poll the queue with a deadline). */
const queued = async (locks: LocalStorageLocks, storeid: string, n: number) => {
  const deadline = Date.now() + 5000;
  while (locks.waiting(storeid) < n) {
    if (Date.now() > deadline) throw new Error(`${n} waiters never queued`);
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe('the storage lock', () => {
  it('grants the lock first come, first served', async () => {
    const locks = new LocalStorageLocks();
    const order: number[] = [];
    const first = await locks.acquire('local', { label: 'alloc' });
    const waits = [1, 2, 3, 4].map((n) =>
      locks.withLock('local', { label: `alloc ${n}` }, async () => {
        order.push(n);
        await new Promise((resolve) => setImmediate(resolve));
      }),
    );
    await queued(locks, 'local', 4);
    first();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(locks.holder('local')).toBeUndefined();
  });

  it('names the holder in the waiting line and in the locked error', async () => {
    const locks = new LocalStorageLocks();
    const release = await locks.acquire('local', { upid: UPID, label: 'download' });
    const lines: string[] = [];
    const error = await locks
      .acquire('local', { label: 'alloc' }, { timeoutMs: 50, log: (line) => lines.push(line) })
      .catch((e: unknown) => e);
    expect(lines).toEqual([`storage local is locked by task ${UPID} (download) — waiting`]);
    expect(isAppError(error, 'locked')).toBe(true);
    expect((error as Error).message).toBe(`storage local is locked by task ${UPID} (download) — wait for it or cancel it`);
    expect(locks.waiting('local')).toBe(0);
    release();
    expect(locks.holder('local')).toBeUndefined();
  });

  it('removes a waiter whose caller aborts, and the lock passes over it', async () => {
    const locks = new LocalStorageLocks();
    const release = await locks.acquire('local', { label: 'alloc' });
    const controller = new AbortController();
    const aborted = locks.acquire('local', { label: 'resize' }, { signal: controller.signal }).catch((e: unknown) => e);
    const next = locks.acquire('local', { label: 'free' });
    await queued(locks, 'local', 2);
    controller.abort();
    expect(isAppError(await aborted, 'cancelled')).toBe(true);
    expect(locks.waiting('local')).toBe(1);
    release();
    const releaseNext = await next;
    expect(locks.holder('local')).toEqual({ label: 'free' });
    releaseNext();
  });

  it('releases the lock when the body throws, and keeps storages apart', async () => {
    const locks = new LocalStorageLocks();
    const other = await locks.acquire('tank', { label: 'alloc' });
    await expect(
      locks.withLock('local', { label: 'alloc' }, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(locks.holder('local')).toBeUndefined();
    expect(await locks.withLock('local', { label: 'alloc' }, () => Promise.resolve(7))).toBe(7);
    expect(locks.holder('tank')).toEqual({ label: 'alloc' });
    other();
    other(); // releasing twice does not hand the lock on twice
    expect(locks.holder('tank')).toBeUndefined();
  });
});
