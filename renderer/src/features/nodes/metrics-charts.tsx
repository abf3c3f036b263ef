// The node's four history charts with timeframe (hour/day/week/month) and consolidation (average/max) pickers.
import { ChartCard } from '../../components/chart-card';
import { memo, useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import Alert from '@mui/material/Alert';
import { useColorScheme, useTheme } from '@mui/material/styles';
import type { Consolidation, Timeframe } from '../../../../node-agent/src/api';
import { TimeframePicker } from '../../components/timeframe-picker';
import { useLanguage, useT } from '../../i18n/use-t';
import { buildChartOptions, chartColors, type ChartColors } from './chart-options';
import { chartColumns, chartUnit, scaleColumns, type ChartKind, type ChartPoint } from './metrics-series';
import { useNodeMetrics } from './use-node-metrics';

const kinds: { kind: ChartKind; title: 'chart.cpu' | 'chart.memory' | 'chart.network' | 'chart.disk' }[] = [
  { kind: 'cpu', title: 'chart.cpu' },
  { kind: 'memory', title: 'chart.memory' },
  { kind: 'network', title: 'chart.network' },
  { kind: 'disk', title: 'chart.disk' },
];

export function useChartColors(): { colors: ChartColors; mode: 'light' | 'dark' } {
  const theme = useTheme();
  const { colorScheme } = useColorScheme();
  const mode = colorScheme === 'dark' ? 'dark' : 'light';
  const palette = theme.colorSchemes[mode]?.palette ?? theme.palette;
  return useMemo(
    () => ({ mode, colors: chartColors(mode, palette.text.secondary, palette.divider, palette.primary.main) }),
    [mode, palette],
  );
}

export function MetricsCharts({ nodeKey, dimmed }: { nodeKey: string; dimmed: boolean }) {
  const t = useT();
  const [timeframe, setTimeframe] = useState<Timeframe>('hour');
  const [cf, setCf] = useState<Consolidation>('average');
  const metrics = useNodeMetrics(nodeKey, timeframe, cf);
  return (
    <Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, mb: 1.5, flexWrap: 'wrap' }}>
        <TimeframePicker timeframe={timeframe} cf={cf} onTimeframe={setTimeframe} onCf={setCf} />
        <Box sx={{ flex: 1 }} />
        {metrics.loading && (
          <Typography variant="caption" color="text.secondary">
            {t('chart.loading')}
          </Typography>
        )}
      </Box>
      {metrics.error && (
        <Alert severity="warning" sx={{ mb: 1.5 }}>
          {t('chart.error', {
            message: t('common.labelValue', { label: t(`error.${metrics.error.code}`), value: metrics.error.message }),
          })}
        </Alert>
      )}
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 1.5 }}>
        {kinds.map(({ kind, title }) => (
          <MetricsChart
            key={kind}
            kind={kind}
            title={t(title)}
            points={metrics.points}
            loading={metrics.loading}
            timeframe={timeframe}
            nodeKey={nodeKey}
            dimmed={dimmed}
          />
        ))}
      </Box>
    </Box>
  );
}

interface ChartProps {
  kind: ChartKind;
  title: string;
  points: readonly ChartPoint[];
  loading: boolean;
  timeframe: Timeframe;
  nodeKey: string;
  dimmed: boolean;
}

const MetricsChart = memo(function MetricsChart({
  kind,
  title,
  points,
  loading,
  timeframe,
  nodeKey,
  dimmed,
}: ChartProps) {
  const t = useT();
  const language = useLanguage();
  const { colors } = useChartColors();
  const columns = useMemo(() => chartColumns(points, kind), [points, kind]);
  const { factor, suffix } = chartUnit(kind, columns);
  const data = useMemo(() => scaleColumns(columns, factor), [columns, factor]);
  const options = useMemo(
    () => buildChartOptions(kind, { factor, suffix }, colors, t, language, timeframe, `metrics:${nodeKey}`),
    [kind, factor, suffix, colors, t, language, timeframe, nodeKey],
  );
  return (
    <ChartCard
      title={title}
      suffix={suffix}
      options={options}
      data={data}
      height={170}
      testId={`chart-${kind}`}
      loading={loading}
      empty={points.length === 0}
      dimmed={dimmed}
    />
  );
});
