// The timeframe (hour/day/week/month) and consolidation (average/max) pickers above history charts.
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import type { Consolidation, Timeframe } from '../../../node-agent/src/api';
import { useT } from '../i18n/use-t';

const timeframes: Timeframe[] = ['hour', 'day', 'week', 'month'];
const consolidations: Consolidation[] = ['average', 'max'];

export function TimeframePicker({
  timeframe,
  cf,
  onTimeframe,
  onCf,
  testId = 'metrics-timeframe',
}: {
  timeframe: Timeframe;
  cf: Consolidation;
  onTimeframe: (timeframe: Timeframe) => void;
  onCf: (cf: Consolidation) => void;
  testId?: string;
}) {
  const t = useT();
  return (
    <>
      <ToggleButtonGroup
        exclusive
        value={timeframe}
        onChange={(_, value: Timeframe | null) => value && onTimeframe(value)}
        aria-label={t('timeframe.label')}
        data-testid={testId}
      >
        {timeframes.map((value) => (
          <ToggleButton key={value} value={value} data-testid={`timeframe-${value}`}>
            {t(`timeframe.${value}`)}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      <ToggleButtonGroup
        exclusive
        value={cf}
        onChange={(_, value: Consolidation | null) => value && onCf(value)}
        aria-label={t('cf.label')}
      >
        {consolidations.map((value) => (
          <ToggleButton key={value} value={value}>
            {t(`cf.${value}`)}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
    </>
  );
}
