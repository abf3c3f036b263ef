// The facts of a summary page (a node's status, a guest's), PVE-style: label and value rows in a two-column card,
// with a usage bar under the rows that have one.
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { useLanguage, useT } from '../i18n/use-t';
import { formatBytes, formatPercent } from '../i18n/format';

/** Two columns of rows (one on narrow windows); dimmed shows last-known values of a node that is not online. */
export function FactsCard({ dimmed = false, children }: { dimmed?: boolean; children: ReactNode }) {
  return (
    <Card
      sx={{
        p: 1.5,
        px: 2,
        display: 'grid',
        gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' },
        columnGap: 4,
        opacity: dimmed ? 0.6 : 1,
        filter: dimmed ? 'grayscale(1)' : 'none',
        transition: 'opacity 200ms',
      }}
    >
      {children}
    </Card>
  );
}

export interface FactRowProps {
  icon?: ReactNode;
  label: string;
  value: ReactNode;
  testId?: string;
  /** 0..1: draws a usage bar, amber past 80 %, red past 95 %. */
  fraction?: number;
}

export function FactRow({ icon, label, value, testId, fraction }: FactRowProps) {
  const color = fraction === undefined ? 'primary' : fraction > 0.95 ? 'error' : fraction > 0.8 ? 'warning' : 'primary';
  return (
    <Box sx={{ py: 0.75 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        {icon !== undefined && (
          <Box sx={{ color: 'text.secondary', display: 'flex', '& svg': { fontSize: 17 } }}>{icon}</Box>
        )}
        <Typography variant="body2" color="text.secondary" sx={{ flex: '0 0 auto' }}>
          {label}
        </Typography>
        <Typography
          variant="body2"
          data-testid={testId}
          sx={{
            flex: 1,
            textAlign: 'right',
            fontWeight: 500,
            fontVariantNumeric: 'tabular-nums',
            overflow: 'hidden',
            textOverflow: 'ellipsis',
            whiteSpace: 'nowrap',
          }}
        >
          {value}
        </Typography>
      </Box>
      {fraction !== undefined && (
        <LinearProgress
          variant="determinate"
          value={Math.min(100, fraction * 100)}
          color={color}
          // Under the label, past the icon when there is one.
          sx={{ mt: 0.5, ml: icon === undefined ? 0 : 3.25, height: 4, borderRadius: 2 }}
        />
      )}
    </Box>
  );
}

/** A row for memory, swap, a disk: `42 % (1.2 GiB of 4 GiB)` over its bar; no usage yet shows "no data". */
export function UsageRow({
  usage,
  ...row
}: Omit<FactRowProps, 'value' | 'fraction'> & { usage: { used: number; total: number } | undefined }) {
  const t = useT();
  const language = useLanguage();
  if (usage === undefined) return <FactRow {...row} value={t('common.noData')} fraction={0} />;
  const fraction = usage.total > 0 ? usage.used / usage.total : 0;
  const amounts = { used: formatBytes(usage.used, language), total: formatBytes(usage.total, language) };
  return (
    <FactRow
      {...row}
      value={`${formatPercent(fraction, language)} (${t('status.usedOfTotal', amounts)})`}
      fraction={fraction}
    />
  );
}
