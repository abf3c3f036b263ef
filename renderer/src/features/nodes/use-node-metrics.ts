// A node's chart data: history from node.metrics (on timeframe change, and every minute for the coarser views),
// plus each live 10 s sample appended as it arrives through the inventory.
import { useEffect, useState } from 'react';
import type { Consolidation, Timeframe } from '../../../../node-agent/src/api';
import { UiError } from '../../app-error';
import { useAppStore } from '../../store/store';
import { fetchNodeMetrics } from './actions';
import { appendPoint, pointFromMetrics, timeframeSeconds, type ChartPoint } from './metrics-series';

// The hour view is fed live; coarser views are consolidated steps, reloaded each minute.
const REFRESH_MS = 60_000;

export interface NodeMetrics {
  points: readonly ChartPoint[];
  loading: boolean;
  error: UiError | undefined;
}

export function useNodeMetrics(nodeKey: string, timeframe: Timeframe, cf: Consolidation): NodeMetrics {
  const [metrics, setMetrics] = useState<NodeMetrics>({ points: [], loading: true, error: undefined });
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  const sample = useAppStore((s) => s.nodes[nodeKey]?.metrics);

  // A new node or view starts empty; losing the connection keeps what was drawn (the last-known history).
  useEffect(() => setMetrics({ points: [], loading: true, error: undefined }), [nodeKey, timeframe, cf]);

  useEffect(() => {
    // Offline nodes have no agent to ask: keep the history already drawn, the page says it is last-known.
    if (!online) {
      setMetrics((m) => (m.loading ? { ...m, loading: false } : m));
      return;
    }
    let cancelled = false;
    const load = async () => {
      try {
        const result = await fetchNodeMetrics(nodeKey, timeframe, cf);
        if (!cancelled) setMetrics({ points: result.points.map(pointFromMetrics), loading: false, error: undefined });
      } catch (error) {
        if (!cancelled) setMetrics((m) => ({ ...m, loading: false, error: UiError.from(error) }));
      }
    };
    void load();
    const timer = timeframe !== 'hour' ? setInterval(() => void load(), REFRESH_MS) : undefined;
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [nodeKey, timeframe, cf, online]);

  useEffect(() => {
    // Live 10 s samples belong in the hour view only; coarser views are consolidated steps.
    if (!online || sample === undefined || timeframe !== 'hour') return;
    setMetrics((m) => {
      if (m.loading) return m;
      const points = appendPoint(m.points, pointFromMetrics(sample), timeframeSeconds[timeframe]);
      return points === m.points ? m : { ...m, points };
    });
  }, [sample, online, timeframe]);

  return metrics;
}
