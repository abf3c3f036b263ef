import { describe, expect, it } from 'vitest';
import type { MetricsPoint } from '../api/node';
import { DEFAULT_ARCHIVES, MetricsHistory, METRIC_FIELDS } from './history';

/** A 30-minute boundary, so 10 s, 5 min and 30 min slots all start here. */
const T0 = Math.floor(1_700_000_000_000 / 1_800_000) * 1_800_000;
const S = 1000;

/** A point whose fields are all derived from v, distinct per field so a column mix-up shows. */
const point = (t: number, v: number): MetricsPoint => {
  const p = { t } as MetricsPoint;
  METRIC_FIELDS.forEach((key, i) => {
    p[key] = v * (i + 1);
  });
  return p;
};

describe('MetricsHistory', () => {
  it('averages and maxes the samples that share a 10 s slot, stamped at the slot start', () => {
    const history = new MetricsHistory();
    history.add(point(T0 + 1 * S, 2));
    history.add(point(T0 + 4 * S, 8));
    history.add(point(T0 + 9 * S, 5));
    expect(history.query('hour', 'average', T0 + 9 * S)).toEqual({ step: 10, points: [point(T0, 5)] });
    expect(history.query('hour', 'max', T0 + 9 * S)).toEqual({ step: 10, points: [point(T0, 8)] });
  });

  it('omits slots with no sample so gaps show', () => {
    const history = new MetricsHistory();
    for (const offset of [0, 10, 40]) history.add(point(T0 + offset * S, offset));
    const { points } = history.query('hour', 'average', T0 + 45 * S);
    expect(points.map((p) => p.t)).toEqual([T0, T0 + 10 * S, T0 + 40 * S]);
    expect(points.map((p) => p.cpu)).toEqual([0, 10, 40]);
  });

  it('returns the last 360 slots for an hour and the whole 10 s archive for a day', () => {
    const history = new MetricsHistory();
    for (let i = 0; i < 400; i++) history.add(point(T0 + i * 10 * S, i));
    const now = T0 + 399 * 10 * S;
    const hour = history.query('hour', 'average', now);
    expect(hour.step).toBe(10);
    expect(hour.points).toHaveLength(360);
    expect(hour.points[0]?.t).toBe(T0 + 40 * 10 * S);
    expect(hour.points.at(-1)?.t).toBe(now);
    const day = history.query('day', 'average', now);
    expect(day.step).toBe(10);
    expect(day.points).toHaveLength(400);
  });

  it('consolidates into 5 min slots for a week and 30 min slots for a month', () => {
    const history = new MetricsHistory();
    // One sample every 10 s for 35 minutes, cpu = minute index.
    for (let i = 0; i < 210; i++) history.add(point(T0 + i * 10 * S, Math.floor(i / 6)));
    const now = T0 + 209 * 10 * S;
    const week = history.query('week', 'average', now);
    expect(week.step).toBe(300);
    // Minutes 0..4 average 2, 5..9 average 7, …; the last slot (30..34) average 32.
    expect(week.points.map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => T0 + k * 300 * S));
    expect(week.points.map((p) => p.cpu)).toEqual([2, 7, 12, 17, 22, 27, 32]);
    expect(history.query('week', 'max', now).points.map((p) => p.cpu)).toEqual([4, 9, 14, 19, 24, 29, 34]);
    const month = history.query('month', 'average', now);
    expect(month.step).toBe(1800);
    expect(month.points.map((p) => [p.t, p.cpu, p.rootTotal])).toEqual([
      [T0, 14.5, 14.5 * 12],
      [T0 + 1800 * S, 32, 32 * 12],
    ]);
    expect(history.query('month', 'max', now).points.map((p) => p.netIn)).toEqual([29 * 7, 34 * 7]);
  });

  it('leaves out what is older than the timeframe', () => {
    const history = new MetricsHistory();
    history.add(point(T0, 1));
    history.add(point(T0 + 2 * 3600 * S, 2));
    const now = T0 + 2 * 3600 * S;
    expect(history.query('hour', 'average', now).points.map((p) => p.cpu)).toEqual([2]);
    expect(history.query('day', 'average', now).points.map((p) => p.cpu)).toEqual([1, 2]);
    expect(history.query('day', 'average', now + 86_400 * S).points).toEqual([]);
  });

  it('overwrites a slot a whole ring later instead of mixing two days', () => {
    const history = new MetricsHistory();
    history.add(point(T0, 100));
    const nextDay = T0 + 8640 * 10 * S;
    history.add(point(nextDay, 1));
    expect(history.query('day', 'max', nextDay).points).toEqual([point(nextDay, 1)]);
    // A clock that jumps back more than a ring still records (the present wins over a future stamp).
    history.add(point(T0, 3));
    expect(history.query('day', 'max', T0).points).toEqual([point(T0, 3)]);
  });

  it('keeps its archives small', () => {
    const history = new MetricsHistory();
    expect(history.archives.map((a) => [a.step, a.slots])).toEqual(DEFAULT_ARCHIVES.map((a) => [a.step, a.slots]));
    const bytes = history.archives.reduce(
      (sum, a) => sum + a.period.byteLength + a.count.byteLength + a.sum.byteLength + a.max.byteLength,
      0,
    );
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
  });
});
