// Turns metrics history and live status into the column arrays uPlot draws. Pure, so it is tested without a DOM.
import type { MetricsPoint, Timeframe } from '../../../../node-agent/src/api';

/** One time step as the charts use it; null where the source has no value (live status has no rates). */
export interface ChartPoint {
  /** Seconds since the epoch (uPlot's time unit). */
  t: number;
  cpu: number | null;
  memUsed: number | null;
  memTotal: number | null;
  netIn: number | null;
  netOut: number | null;
  diskRead: number | null;
  diskWrite: number | null;
}

export type ChartKind = 'cpu' | 'memory' | 'network' | 'disk';
export type Columns = [number[], ...(number | null)[][]];

export const timeframeSeconds: Record<Timeframe, number> = {
  hour: 3_600,
  day: 86_400,
  week: 604_800,
  month: 2_592_000,
};

export const pointFromMetrics = (p: MetricsPoint): ChartPoint => ({
  t: p.t / 1000, // MetricsPoint.t is ms by contract; uPlot wants seconds
  cpu: p.cpu,
  memUsed: p.memUsed,
  memTotal: p.memTotal,
  netIn: p.netIn,
  netOut: p.netOut,
  diskRead: p.diskRead,
  diskWrite: p.diskWrite,
});

/** Append a newer point and drop what slid out of the window; the same array when the point is not newer. */
export function appendPoint(
  points: readonly ChartPoint[],
  point: ChartPoint,
  windowSeconds: number,
): readonly ChartPoint[] {
  const last = points[points.length - 1];
  if (last !== undefined && point.t <= last.t) return points;
  const from = point.t - windowSeconds;
  const firstKept = points.findIndex((p) => p.t >= from);
  const kept = firstKept === -1 ? [] : firstKept === 0 ? points : points.slice(firstKept);
  return [...kept, point];
}

const pick = (points: readonly ChartPoint[], field: Exclude<keyof ChartPoint, 't'>, scale = 1): (number | null)[] =>
  points.map((p) => {
    const value = p[field];
    return value === null ? null : value * scale;
  });

/** uPlot's aligned data for one chart: time, then one column per series (CPU in percent). */
export function chartColumns(points: readonly ChartPoint[], kind: ChartKind): Columns {
  const time = points.map((p) => p.t);
  switch (kind) {
    case 'cpu':
      return [time, pick(points, 'cpu', 100)];
    case 'memory':
      return [time, pick(points, 'memUsed'), pick(points, 'memTotal')];
    case 'network':
      return [time, pick(points, 'netIn'), pick(points, 'netOut')];
    case 'disk':
      return [time, pick(points, 'diskRead'), pick(points, 'diskWrite')];
  }
}

/** The display unit for a chart: data is divided by `factor` so axis ticks land on round numbers of `suffix`. */
export interface ChartUnit {
  factor: number;
  suffix: string;
}

const binary = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const rates = ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s'];

/** Pick the largest unit under the data's maximum: memory in binary units, transfer rates in decimal ones. */
export function chartUnit(kind: ChartKind, columns: Columns): ChartUnit {
  if (kind === 'cpu') return { factor: 1, suffix: '%' };
  let max = 0;
  for (let i = 1; i < columns.length; i++) for (const v of columns[i] ?? []) if (v !== null && v > max) max = v;
  const [base, units] = kind === 'memory' ? [1024, binary] : [1000, rates];
  let exponent = 0;
  while (max >= base ** (exponent + 1) && exponent < units.length - 1) exponent++;
  return { factor: base ** exponent, suffix: units[exponent] ?? '' };
}

export function scaleColumns(columns: Columns, factor: number): Columns {
  if (factor === 1) return columns;
  const [time, ...series] = columns;
  return [time, ...series.map((values) => values.map((v) => (v === null ? null : v / factor)))];
}
