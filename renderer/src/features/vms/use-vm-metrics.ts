// A VM's usage history from vm.metrics, as the node charts draw it; reloaded on timeframe change and periodically.
import { useCallback } from 'react';
import type { Consolidation, Result, Timeframe } from '../../../../node-agent/src/api';
import type { ChartPoint } from '../nodes/metrics-series';
import { useMetricsHistory, type MetricsHistory } from '../nodes/use-metrics-history';
import { vmMetrics } from './actions';

type VmPoint = Result<'vm.metrics'>['points'][number];

/** A VM sample in the node charts' shape (uPlot wants seconds; the agent's RRD points are ms, as node.metrics). */
export const chartPointOfVm = (p: VmPoint): ChartPoint => ({
  t: p.t / 1000,
  cpu: p.cpu,
  memUsed: p.mem,
  memTotal: p.maxmem,
  netIn: p.netin,
  netOut: p.netout,
  diskRead: p.diskread,
  diskWrite: p.diskwrite,
});

export type VmMetrics = MetricsHistory;

export function useVmMetrics(nodeKey: string, vmid: number, timeframe: Timeframe, cf: Consolidation): VmMetrics {
  const load = useCallback(
    async () => (await vmMetrics(nodeKey, { vmid, timeframe, cf })).points.map(chartPointOfVm),
    [nodeKey, vmid, timeframe, cf],
  );
  return useMetricsHistory(nodeKey, load, timeframe === 'hour' ? 10_000 : 60_000)[0];
}
