// A storage's usage history from storage.metrics, reloaded on timeframe change and periodically while online.
import { useEffect, useState } from 'react';
import type { Consolidation, StoragePoint, Timeframe } from '../../../../node-agent/src/api';
import { UiError } from '../../app-error';
import { useAppStore } from '../../store/store';
import type { ChartPoint } from '../nodes/metrics-series';
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

export interface StorageMetrics {
  points: readonly ChartPoint[];
  loading: boolean;
  error: UiError | undefined;
}

export function useStorageMetrics(
  nodeKey: string,
  storage: string,
  timeframe: Timeframe,
  cf: Consolidation,
): StorageMetrics {
  const [metrics, setMetrics] = useState<StorageMetrics>({ points: [], loading: true, error: undefined });
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  useEffect(() => setMetrics({ points: [], loading: true, error: undefined }), [nodeKey, storage, timeframe, cf]);
  useEffect(() => {
    if (!online) {
      setMetrics((m) => (m.loading ? { ...m, loading: false } : m));
      return;
    }
    let cancelled = false;
    const load = async () => {
      try {
        const result = await fetchStorageMetrics(nodeKey, storage, timeframe, cf);
        if (!cancelled) setMetrics({ points: result.points.map(chartPointOf), loading: false, error: undefined });
      } catch (error) {
        if (!cancelled) setMetrics((m) => ({ ...m, loading: false, error: UiError.from(error) }));
      }
    };
    void load();
    const timer = setInterval(() => void load(), refreshMs(timeframe));
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [nodeKey, storage, timeframe, cf, online]);
  return metrics;
}
