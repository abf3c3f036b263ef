// One row of a guest config list (VM hardware, CT resources and network): label, the value now, and the pending
// value or pending removal beside it. Test ids `${testId}` and `${testId}-pending` unless `pendingTestId` is given.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useT } from '../../i18n/use-t';

export function PendingRow(p: {
  label: string;
  now: string;
  pending: string | undefined;
  deleting: boolean;
  selected: boolean;
  onSelect: () => void;
  testId: string;
  pendingTestId?: string;
}) {
  const t = useT();
  const pendingTestId = p.pendingTestId ?? `${p.testId}-pending`;
  return (
    <Box
      role="row"
      onClick={p.onSelect}
      aria-selected={p.selected}
      data-testid={p.testId}
      data-pending={p.pending !== undefined || p.deleting}
      sx={{
        display: 'grid',
        gridTemplateColumns: '220px 1fr',
        gap: 2,
        px: 1.5,
        py: 0.75,
        cursor: 'pointer',
        borderBottom: 1,
        borderColor: 'divider',
        bgcolor: p.selected ? 'action.selected' : undefined,
        '&:last-of-type': { borderBottom: 0 },
      }}
    >
      <Typography variant="body2" sx={{ fontWeight: 500 }}>
        {p.label}
      </Typography>
      <Box sx={{ minWidth: 0 }}>
        <Typography
          variant="body2"
          sx={{ wordBreak: 'break-all', textDecoration: p.deleting ? 'line-through' : undefined }}
        >
          {p.now === '' ? '—' : p.now}
        </Typography>
        {p.deleting && (
          <Typography variant="caption" color="warning.main" data-testid={pendingTestId}>
            {t('vm.hw.pendingDelete')}
          </Typography>
        )}
        {p.pending !== undefined && !p.deleting && (
          <Typography variant="body2" color="warning.main" sx={{ wordBreak: 'break-all' }} data-testid={pendingTestId}>
            {t('vm.hw.pendingValue', { value: p.pending })}
          </Typography>
        )}
      </Box>
    </Box>
  );
}
