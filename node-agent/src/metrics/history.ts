// An RRD-like metrics history: fixed-size round-robin archives at three resolutions, each consolidated as
// average and max (rrdtool's RRA AVERAGE/MAX), kept in typed arrays so a month of 10 s samples stays ~2.5 MB.
// Generic over its field list: the node's metrics and each storage's usage share the same archives.
import type { Consolidation, MetricsPoint, Timeframe } from '../api/node';

/** A sample: a time stamp (ms) and one number per consolidated field. */
export type RrdPoint<F extends string> = { t: number } & Record<F, number>;

/** The consolidated fields, in storage order. Changing this list changes the file layout (see history-file). */
export const METRIC_FIELDS = [
  'cpu',
  'load',
  'memUsed',
  'memTotal',
  'swapUsed',
  'swapTotal',
  'netIn',
  'netOut',
  'diskRead',
  'diskWrite',
  'rootUsed',
  'rootTotal',
] as const satisfies readonly Exclude<keyof MetricsPoint, 't'>[];

export interface ArchiveSpec {
  /** Seconds per slot. */
  step: number;
  slots: number;
}

/** 10 s for a day, 5 min for a week, 30 min for a month (PVE keeps similar resolutions). */
export const DEFAULT_ARCHIVES: readonly ArchiveSpec[] = [
  { step: 10, slots: 8640 },
  { step: 300, slots: 2016 },
  { step: 1800, slots: 1488 },
];

/** Which archive answers a timeframe, and how many of its most recent slots. */
const TIMEFRAMES: Record<Timeframe, { archive: number; slots: number }> = {
  hour: { archive: 0, slots: 360 },
  day: { archive: 0, slots: 8640 },
  week: { archive: 1, slots: 2016 },
  month: { archive: 2, slots: 1488 },
};

/** One round-robin archive. Slot i holds period p (= floor(t / step)) when period[i] === p; NaN means empty. */
export class Archive<F extends string = (typeof METRIC_FIELDS)[number]> {
  readonly period: Float64Array;
  /** Samples consolidated into the slot so far; the average is sum / count. */
  readonly count: Uint32Array;
  /** slots × FIELDS, row-major. Sums rather than running means: exact for integer byte counts. */
  readonly sum: Float64Array;
  readonly max: Float64Array;

  constructor(
    readonly step: number,
    readonly slots: number,
    readonly fields: readonly F[] = METRIC_FIELDS as unknown as readonly F[],
  ) {
    this.period = new Float64Array(slots).fill(Number.NaN);
    this.count = new Uint32Array(slots);
    this.sum = new Float64Array(slots * fields.length);
    this.max = new Float64Array(slots * fields.length);
  }

  private slotOf(period: number): number {
    return ((period % this.slots) + this.slots) % this.slots;
  }

  add(point: RrdPoint<F>): void {
    if (!Number.isFinite(point.t)) return;
    const period = Math.floor(point.t / 1000 / this.step);
    const slot = this.slotOf(period);
    const base = slot * this.fields.length;
    // Any other period in this slot is at least a whole ring away: either expired, or stamped by a clock that
    // was wrong far into the future. Either way the present wins (rrdtool would refuse updates until then).
    if (this.period[slot] !== period) {
      this.period[slot] = period;
      this.count[slot] = 1;
      this.fields.forEach((key, f) => {
        this.sum[base + f] = point[key];
        this.max[base + f] = point[key];
      });
      return;
    }
    this.count[slot] = (this.count[slot] ?? 0) + 1;
    this.fields.forEach((key, f) => {
      const value: number = point[key];
      this.sum[base + f] = (this.sum[base + f] ?? 0) + value;
      if (value > (this.max[base + f] ?? Number.NEGATIVE_INFINITY)) this.max[base + f] = value;
    });
  }

  /** The held points for periods first..last, oldest first; empty or stale slots are omitted so gaps show. */
  points(cf: Consolidation, first: number, last: number): RrdPoint<F>[] {
    const result: RrdPoint<F>[] = [];
    for (let period = first; period <= last; period++) {
      const slot = this.slotOf(period);
      if (this.period[slot] !== period) continue;
      const base = slot * this.fields.length;
      const count = this.count[slot] || 1;
      const point = { t: period * this.step * 1000 } as RrdPoint<F>;
      const values = point as Record<F, number>;
      this.fields.forEach((key, f) => {
        values[key] = cf === 'max' ? (this.max[base + f] ?? 0) : (this.sum[base + f] ?? 0) / count;
      });
      result.push(point);
    }
    return result;
  }
}

/** Archives for one field list. The field list is part of the saved file's layout (see history-file). */
export class RrdHistory<F extends string> {
  readonly archives: readonly Archive<F>[];

  constructor(
    readonly fields: readonly F[],
    specs: readonly ArchiveSpec[] = DEFAULT_ARCHIVES,
  ) {
    this.archives = specs.map((spec) => new Archive<F>(spec.step, spec.slots, fields));
  }

  /** Consolidate one sample into every archive (each coarse slot averages/maxes the raw samples it covers). */
  add(point: RrdPoint<F>): void {
    for (const archive of this.archives) archive.add(point);
  }

  /** The points of a timeframe ending at `now` (ms), stamped at slot starts; step in seconds. */
  query(timeframe: Timeframe, cf: Consolidation, now: number): { step: number; points: RrdPoint<F>[] } {
    const { archive: index, slots } = TIMEFRAMES[timeframe];
    const archive = this.archives[index];
    if (archive === undefined) throw new Error(`metrics history has no archive ${index} for timeframe ${timeframe}`);
    const last = Math.floor(now / 1000 / archive.step);
    return { step: archive.step, points: archive.points(cf, last - Math.min(slots, archive.slots) + 1, last) };
  }
}

/** The node's metrics history (node.metrics). */
export class MetricsHistory extends RrdHistory<(typeof METRIC_FIELDS)[number]> {
  constructor(specs: readonly ArchiveSpec[] = DEFAULT_ARCHIVES) {
    super(METRIC_FIELDS, specs);
  }

  override query(timeframe: Timeframe, cf: Consolidation, now: number): { step: number; points: MetricsPoint[] } {
    return super.query(timeframe, cf, now);
  }
}
