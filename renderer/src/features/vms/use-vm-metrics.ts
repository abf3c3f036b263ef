// A VM's usage history from vm.metrics, as the node charts draw it; reloaded on timeframe change and periodically.
import { useEffect, useState } from 'react';
import type { Consolidation, Result, Timeframe } from '../../../../node-agent/src/api';
import { UiError } from '../../app-error';
import { useAppStore } from '../../store/store';
import type { ChartPoint } from '../nodes/metrics-series';
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

export interface VmMetrics {
  points: readonly ChartPoint[];
  loading: boolean;
  error: UiError | undefined;
}

export function useVmMetrics(nodeKey: string, vmid: number, timeframe: Timeframe, cf: Consolidation): VmMetrics {
  const [metrics, setMetrics] = useState<VmMetrics>({ points: [], loading: true, error: undefined });
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  useEffect(() => setMetrics({ points: [], loading: true, error: undefined }), [nodeKey, vmid, timeframe, cf]);
  useEffect(() => {
    if (!online) {
      setMetrics((m) => (m.loading ? { ...m, loading: false } : m));
      return;
    }
    let cancelled = false;
    const load = async () => {
      try {
        const result = await vmMetrics(nodeKey, { vmid, timeframe, cf });
        if (!cancelled) setMetrics({ points: result.points.map(chartPointOfVm), loading: false, error: undefined });
      } catch (error) {
        if (!cancelled) setMetrics((m) => ({ ...m, loading: false, error: UiError.from(error) }));
      }
    };
    void load();
    const timer = setInterval(() => void load(), timeframe === 'hour' ? 10_000 : 60_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [nodeKey, vmid, timeframe, cf, online]);
  return metrics;
}
