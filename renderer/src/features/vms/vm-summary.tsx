// The VM's Summary tab: facts from the inventory and vm.status, and CPU, memory, network and disk charts.
import { memo, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import type { Consolidation, Timeframe } from '../../../../node-agent/src/api';
import { ChartCard } from '../../components/chart-card';
import { FactRow, FactsCard, UsageRow } from '../../components/facts';
import { TimeframePicker } from '../../components/timeframe-picker';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../i18n/format';
import { useLanguage, useT } from '../../i18n/use-t';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { buildChartOptions } from '../nodes/chart-options';
import { useChartColors } from '../nodes/metrics-charts';
import { chartColumns, chartUnit, scaleColumns, type ChartKind, type ChartPoint } from '../nodes/metrics-series';
import { useVmMetrics } from './use-vm-metrics';
import type { VmTabProps } from './vm-tab-props';

const kinds = [
  { kind: 'cpu', title: 'chart.cpu' },
  { kind: 'memory', title: 'chart.memory' },
  { kind: 'network', title: 'chart.network' },
  { kind: 'disk', title: 'chart.disk' },
] as const;

export function VmSummary({ guestKey, nodeKey, vmid, data }: VmTabProps) {
  const t = useT();
  const language = useLanguage();
  const guest = useGuest(guestKey);
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  const [timeframe, setTimeframe] = useState<Timeframe>('hour');
  const [cf, setCf] = useState<Consolidation>('average');
  const metrics = useVmMetrics(nodeKey, vmid, timeframe, cf);
  if (!guest) return null;
  const pair = (a: string, b: string) => `${a} / ${b}`;
  return (
    <>
      <FactsCard dimmed={!online}>
        <Box>
          <FactRow label={t('guest.state')} value={t(`guestState.${guest.status}`)} testId="vm-fact-state" />
          <FactRow label={t('vm.qmpstatus')} value={data.status?.qmpstatus ?? '—'} />
          <FactRow label={t('vm.accel')} value={data.status?.accel === undefined ? '—' : t(`vm.accel.${data.status.accel}`)} />
          <FactRow
            label={t('status.cpu')}
            value={t('status.cpuOf', { percent: formatPercent(guest.cpu, language), cpus: guest.maxcpu })}
            fraction={guest.cpu}
          />
          <UsageRow label={t('status.memory')} usage={{ used: guest.mem, total: guest.maxmem }} />
        </Box>
        <Box>
          <FactRow label={t('status.uptime')} value={formatDuration(guest.uptime, language)} />
          <FactRow label={t('guest.bootdisk')} value={formatBytes(guest.maxdisk, language)} />
          <FactRow label={t('guest.network')} value={pair(formatRate(guest.netin, language), formatRate(guest.netout, language))} />
          <FactRow label={t('guest.diskio')} value={pair(formatRate(guest.diskread, language), formatRate(guest.diskwrite, language))} />
          <FactRow label={t('vm.pid')} value={data.status?.pid === undefined ? '—' : String(data.status.pid)} />
        </Box>
      </FactsCard>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
        <TimeframePicker timeframe={timeframe} cf={cf} onTimeframe={setTimeframe} onCf={setCf} testId="vm-timeframe" />
      </Box>
      {metrics.error && (
        <Alert severity="warning">
          {t('chart.error', {
            message: t('common.labelValue', { label: t(`error.${metrics.error.code}`), value: metrics.error.message }),
          })}
        </Alert>
      )}
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 1.5 }}>
        {kinds.map(({ kind, title }) => (
          <VmChart key={kind} kind={kind} title={t(title)} points={metrics.points} loading={metrics.loading} timeframe={timeframe} id={`vm:${guestKey}`} dimmed={!online} />
        ))}
      </Box>
    </>
  );
}

interface ChartProps {
  kind: ChartKind;
  title: string;
  points: readonly ChartPoint[];
  loading: boolean;
  timeframe: Timeframe;
  id: string;
  dimmed: boolean;
}

const VmChart = memo(function VmChart({ kind, title, points, loading, timeframe, id, dimmed }: ChartProps) {
  const t = useT();
  const language = useLanguage();
  const { colors } = useChartColors();
  const columns = useMemo(() => chartColumns(points, kind), [points, kind]);
  const { factor, suffix } = chartUnit(kind, columns);
  const data = useMemo(() => scaleColumns(columns, factor), [columns, factor]);
  const options = useMemo(
    () => buildChartOptions(kind, { factor, suffix }, colors, t, language, timeframe, id),
    [kind, factor, suffix, colors, t, language, timeframe, id],
  );
  return (
    <ChartCard
      title={title}
      suffix={suffix}
      options={options}
      data={data}
      height={170}
      testId={`vm-chart-${kind}`}
      loading={loading}
      empty={points.length === 0}
      dimmed={dimmed}
    />
  );
});
