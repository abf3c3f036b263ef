// A guest's history charts (CPU, memory, network, disk I/O) under a timeframe and consolidation picker, for the VM
// and CT summaries alike: each passes its own metrics call. Test ids `${prefix}-timeframe`, `${prefix}-chart-<kind>`.
import { memo, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import type { Consolidation, Timeframe } from '../../../../node-agent/src/api';
import { ChartCard } from '../../components/chart-card';
import { TimeframePicker } from '../../components/timeframe-picker';
import { useLanguage, useT } from '../../i18n/use-t';
import { buildChartOptions } from '../nodes/chart-options';
import { useChartColors } from '../nodes/metrics-charts';
import { chartColumns, chartUnit, scaleColumns, type ChartKind, type ChartPoint } from '../nodes/metrics-series';
import { useGuestMetrics, type GuestMetricsLoad } from './use-guest-metrics';

const kinds = [
  { kind: 'cpu', title: 'chart.cpu' },
  { kind: 'memory', title: 'chart.memory' },
  { kind: 'network', title: 'chart.network' },
  { kind: 'disk', title: 'chart.disk' },
] as const;

export function GuestCharts(p: {
  guestKey: string;
  nodeKey: string;
  vmid: number;
  prefix: 'vm' | 'ct';
  loadMetrics: GuestMetricsLoad;
  dimmed: boolean;
}) {
  const t = useT();
  const [timeframe, setTimeframe] = useState<Timeframe>('hour');
  const [cf, setCf] = useState<Consolidation>('average');
  const metrics = useGuestMetrics(p.nodeKey, p.vmid, timeframe, cf, p.loadMetrics);
  return (
    <>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
        <TimeframePicker
          timeframe={timeframe}
          cf={cf}
          onTimeframe={setTimeframe}
          onCf={setCf}
          testId={`${p.prefix}-timeframe`}
        />
      </Box>
      {metrics.error && (
        <Alert severity="warning" data-testid={`${p.prefix}-chart-error`}>
          {t('chart.error', {
            message: t('common.labelValue', { label: t(`error.${metrics.error.code}`), value: metrics.error.message }),
          })}
        </Alert>
      )}
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 1.5 }}>
        {kinds.map(({ kind, title }) => (
          <GuestChart
            key={kind}
            kind={kind}
            title={t(title)}
            points={metrics.points}
            loading={metrics.loading}
            timeframe={timeframe}
            id={`${p.prefix}:${p.guestKey}`}
            testId={`${p.prefix}-chart-${kind}`}
            dimmed={p.dimmed}
          />
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
  /** Charts with one id share their cursor. */
  id: string;
  testId: string;
  dimmed: boolean;
}

const GuestChart = memo(function GuestChart({
  kind,
  title,
  points,
  loading,
  timeframe,
  id,
  testId,
  dimmed,
}: ChartProps) {
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
      testId={testId}
      loading={loading}
      empty={points.length === 0}
      dimmed={dimmed}
    />
  );
});
