// The storage usage chart (used under total, binary units) with the node page's timeframe pickers.
import { ChartCard } from '../../components/chart-card';
import { useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import type { Consolidation, Timeframe } from '../../../../node-agent/src/api';
import { TimeframePicker } from '../../components/timeframe-picker';
import { useLanguage, useT } from '../../i18n/use-t';
import { buildChartOptions } from '../nodes/chart-options';
import { useChartColors } from '../nodes/metrics-charts';
import { chartColumns, chartUnit, scaleColumns } from '../nodes/metrics-series';
import { useStorageMetrics } from './use-storage-metrics';

export function StorageChart({ nodeKey, storage, dimmed }: { nodeKey: string; storage: string; dimmed: boolean }) {
  const t = useT();
  const language = useLanguage();
  const { colors } = useChartColors();
  const [timeframe, setTimeframe] = useState<Timeframe>('hour');
  const [cf, setCf] = useState<Consolidation>('average');
  const metrics = useStorageMetrics(nodeKey, storage, timeframe, cf);
  // Used and total are the memory chart's series: the same look, the same binary units.
  const columns = useMemo(() => chartColumns(metrics.points, 'memory'), [metrics.points]);
  const { factor, suffix } = chartUnit('memory', columns);
  const data = useMemo(() => scaleColumns(columns, factor), [columns, factor]);
  const options = useMemo(
    () =>
      buildChartOptions('memory', { factor, suffix }, colors, t, language, timeframe, `storage:${nodeKey}/${storage}`),
    [factor, suffix, colors, t, language, timeframe, nodeKey, storage],
  );
  return (
    <Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, mb: 1.5, flexWrap: 'wrap' }}>
        <TimeframePicker
          timeframe={timeframe}
          cf={cf}
          onTimeframe={setTimeframe}
          onCf={setCf}
          testId="storage-timeframe"
        />
      </Box>
      {metrics.error && (
        <Alert severity="warning" sx={{ mb: 1.5 }}>
          {t('chart.error', {
            message: t('common.labelValue', { label: t(`error.${metrics.error.code}`), value: metrics.error.message }),
          })}
        </Alert>
      )}
      <ChartCard
        title={t('storage.chart')}
        suffix={suffix}
        options={options}
        data={data}
        height={190}
        testId="chart-storage"
        loading={metrics.loading}
        empty={metrics.points.length === 0}
        dimmed={dimmed}
      />
    </Box>
  );
}
