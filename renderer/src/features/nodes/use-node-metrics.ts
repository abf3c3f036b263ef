// A node's chart data: history from node.metrics (on timeframe change, and every minute for the coarser views),
// plus each live 10 s sample appended as it arrives through the inventory.
import { useCallback, useEffect } from 'react';
import type { Consolidation, Timeframe } from '../../../../node-agent/src/api';
import { useAppStore } from '../../store/store';
import { fetchNodeMetrics } from './actions';
import { appendPoint, pointFromMetrics, timeframeSeconds } from './metrics-series';
import { useMetricsHistory, type MetricsHistory } from './use-metrics-history';

// The hour view is fed live; coarser views are consolidated steps, reloaded each minute.
const REFRESH_MS = 60_000;

export type NodeMetrics = MetricsHistory;

export function useNodeMetrics(nodeKey: string, timeframe: Timeframe, cf: Consolidation): NodeMetrics {
  const load = useCallback(
    async () => (await fetchNodeMetrics(nodeKey, timeframe, cf)).points.map(pointFromMetrics),
    [nodeKey, timeframe, cf],
  );
  const [metrics, setMetrics] = useMetricsHistory(nodeKey, load, timeframe === 'hour' ? undefined : REFRESH_MS);
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  const sample = useAppStore((s) => s.nodes[nodeKey]?.metrics);

  useEffect(() => {
    // Live 10 s samples belong in the hour view only; coarser views are consolidated steps.
    if (!online || sample === undefined || timeframe !== 'hour') return;
    setMetrics((m) => {
      if (m.loading) return m;
      const points = appendPoint(m.points, pointFromMetrics(sample), timeframeSeconds[timeframe]);
      return points === m.points ? m : { ...m, points };
    });
  }, [sample, online, timeframe, setMetrics]);

  return metrics;
}
