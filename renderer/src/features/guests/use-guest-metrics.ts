// A guest's usage history (vm.metrics, ct.metrics) as the node charts draw it: reloaded when the view changes and
// every 10 s for the last hour (every minute for longer timeframes), as the VM and CT summaries both show it.
import { useCallback } from 'react';
import type { Consolidation, Timeframe } from '../../../../node-agent/src/api';
import type { ChartPoint } from '../nodes/metrics-series';
import { useMetricsHistory, type MetricsHistory } from '../nodes/use-metrics-history';

/** The fields vm.metrics and ct.metrics points share (ms timestamps, bytes, bytes per second). */
export interface GuestMetricsPoint {
  t: number;
  cpu: number;
  mem: number;
  maxmem: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
}

/** One kind's metrics call: a module function (vmMetrics, ctMetrics), so that it is stable across renders. */
export type GuestMetricsLoad = (
  nodeKey: string,
  params: { vmid: number; timeframe: Timeframe; cf: Consolidation },
) => Promise<{ points: readonly GuestMetricsPoint[] }>;

/** A guest sample in the node charts' shape (uPlot wants seconds; the agent's RRD points are ms, as node.metrics). */
export const chartPointOfGuest = (p: GuestMetricsPoint): ChartPoint => ({
  t: p.t / 1000,
  cpu: p.cpu,
  memUsed: p.mem,
  memTotal: p.maxmem,
  netIn: p.netin,
  netOut: p.netout,
  diskRead: p.diskread,
  diskWrite: p.diskwrite,
});

export function useGuestMetrics(
  nodeKey: string,
  vmid: number,
  timeframe: Timeframe,
  cf: Consolidation,
  loadMetrics: GuestMetricsLoad,
): MetricsHistory {
  const load = useCallback(
    async () => (await loadMetrics(nodeKey, { vmid, timeframe, cf })).points.map(chartPointOfGuest),
    [nodeKey, vmid, timeframe, cf, loadMetrics],
  );
  return useMetricsHistory(nodeKey, load, timeframe === 'hour' ? 10_000 : 60_000)[0];
}
