// Summaries of measured samples: nearest-rank percentiles (what latency reports usually mean), mean and max.
import { AppError } from '../../node-agent/src/api/errors';

export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of samples at or below it. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) throw new AppError('invalid-params', 'a percentile of no samples is undefined');
  if (!(p >= 0 && p <= 100)) throw new AppError('invalid-params', `percentile ${p} is not within 0..100`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
};

export const summarize = (samples: readonly number[]): Summary => {
  if (samples.length === 0) throw new AppError('invalid-params', 'no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0]!,
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
};

/** As summarize, but undefined for no samples (a reference that produced none is shown as "—"). */
export const summarizeOrNone = (samples: readonly number[]): Summary | undefined =>
  samples.length === 0 ? undefined : summarize(samples);
