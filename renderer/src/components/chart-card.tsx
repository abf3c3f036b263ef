// A titled card around one uPlot chart: its unit, a loading bar, and a note when there is nothing to draw yet.
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type uPlot from 'uplot';
import { useT } from '../i18n/use-t';
import { UplotChart, type ChartOptions } from './uplot-chart';

interface Props {
  title: string;
  suffix: string;
  options: ChartOptions;
  data: uPlot.AlignedData;
  height: number;
  testId: string;
  loading: boolean;
  empty: boolean;
  dimmed: boolean;
}

export function ChartCard({ title, suffix, options, data, height, testId, loading, empty, dimmed }: Props) {
  const t = useT();
  return (
    <Card sx={{ p: 1.5, pb: 1, position: 'relative', minWidth: 0 }}>
      <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1, mb: 0.5 }}>
        <Typography variant="subtitle2">{title}</Typography>
        <Typography variant="caption" color="text.secondary">
          ({suffix})
        </Typography>
      </Box>
      {loading && <LinearProgress sx={{ position: 'absolute', top: 0, left: 0, right: 0, height: 2 }} />}
      <UplotChart options={options} data={data} height={height} testId={testId} dimmed={dimmed} />
      {!loading && empty && (
        <Typography
          variant="body2"
          color="text.secondary"
          sx={{
            position: 'absolute',
            inset: 0,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            pointerEvents: 'none',
          }}
        >
          {t('chart.empty')}
        </Typography>
      )}
    </Card>
  );
}
