// A storage's usage history from storage.metrics, reloaded on timeframe change and periodically while online.
import { useCallback } from 'react';
import type { Consolidation, StoragePoint, Timeframe } from '../../../../node-agent/src/api';
import type { ChartPoint } from '../nodes/metrics-series';
import { useMetricsHistory, type MetricsHistory } from '../nodes/use-metrics-history';
import { fetchStorageMetrics } from './actions';

// Storage usage moves slowly; the hour view is reloaded often enough to look live, coarser views each minute.
const refreshMs = (timeframe: Timeframe): number => (timeframe === 'hour' ? 20_000 : 60_000);

/** A usage sample as the shared chart code draws it: used and total in the memory chart's two series. */
export const chartPointOf = (p: StoragePoint): ChartPoint => ({
  t: p.t / 1000,
  cpu: null,
  memUsed: p.used,
  memTotal: p.total,
  netIn: null,
  netOut: null,
  diskRead: null,
  diskWrite: null,
});

export type StorageMetrics = MetricsHistory;

export function useStorageMetrics(
  nodeKey: string,
  storage: string,
  timeframe: Timeframe,
  cf: Consolidation,
): StorageMetrics {
  const load = useCallback(
    async () => (await fetchStorageMetrics(nodeKey, storage, timeframe, cf)).points.map(chartPointOf),
    [nodeKey, storage, timeframe, cf],
  );
  return useMetricsHistory(nodeKey, load, refreshMs(timeframe))[0];
}
