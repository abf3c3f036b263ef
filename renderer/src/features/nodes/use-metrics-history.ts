// The loading loop every usage chart shares (node, VM, storage): a view's history, loaded when the view changes
// and every `refreshMs` after while the node is online. An offline node keeps the history already drawn (the page
// says it is last-known); a failed load keeps the points and shows the error.
import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { UiError } from '../../app-error';
import { useAppStore } from '../../store/store';
import type { ChartPoint } from './metrics-series';

export interface MetricsHistory {
  points: readonly ChartPoint[];
  loading: boolean;
  error: UiError | undefined;
}

/**
 * `load` names the view: callers wrap it in useCallback over what selects the view (node, guest or storage,
 * timeframe, consolidation), so a new view starts empty and loads afresh. `refreshMs` undefined: load once.
 */
export function useMetricsHistory(
  nodeKey: string,
  load: () => Promise<ChartPoint[]>,
  refreshMs: number | undefined,
): [MetricsHistory, Dispatch<SetStateAction<MetricsHistory>>] {
  const [metrics, setMetrics] = useState<MetricsHistory>({ points: [], loading: true, error: undefined });
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  useEffect(() => setMetrics({ points: [], loading: true, error: undefined }), [load]);
  useEffect(() => {
    if (!online) {
      setMetrics((m) => (m.loading ? { ...m, loading: false } : m));
      return;
    }
    let cancelled = false;
    const reload = async () => {
      try {
        const points = await load();
        if (!cancelled) setMetrics({ points, loading: false, error: undefined });
      } catch (error) {
        if (!cancelled) setMetrics((m) => ({ ...m, loading: false, error: UiError.from(error) }));
      }
    };
    void reload();
    const timer = refreshMs === undefined ? undefined : setInterval(() => void reload(), refreshMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [load, refreshMs, online]);
  return [metrics, setMetrics];
}
