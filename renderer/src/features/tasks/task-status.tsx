// A task's status cell: a progress bar while running, then an OK / warnings / error pill.
// A styled span rather than a Chip: it renders in every task row.
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import { styled } from '@mui/material/styles';
import type { TaskInfo } from '../../../../node-agent/src/api';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatPercent } from '../../i18n/format';
import { toneStyles } from '../../components/node-state';
import { taskOutcome } from './task-format';

const Pill = styled('span')({
  display: 'inline-block',
  maxWidth: '100%',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
  padding: '0 8px',
  lineHeight: '18px',
  fontSize: 11.5,
  fontWeight: 500,
  borderRadius: 10,
  border: '1px solid currentColor',
  ...toneStyles,
});

export function TaskStatus({ task }: { task: Pick<TaskInfo, 'status' | 'exitstatus' | 'progress'> }) {
  const t = useT();
  const language = useLanguage();
  const outcome = taskOutcome(task);
  switch (outcome.kind) {
    case 'running':
      return (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, width: '100%' }}>
          <LinearProgress
            variant={task.progress === undefined ? 'indeterminate' : 'determinate'}
            value={(task.progress ?? 0) * 100}
            sx={{ flex: 1, height: 5, borderRadius: 3 }}
          />
          <Box
            component="span"
            sx={{
              fontSize: 11.5,
              color: 'text.secondary',
              minWidth: 34,
              textAlign: 'right',
              fontVariantNumeric: 'tabular-nums',
            }}
          >
            {task.progress === undefined ? t('tasks.status.running') : formatPercent(task.progress, language)}
          </Box>
        </Box>
      );
    case 'ok':
      return (
        <Pill data-tone="success" data-outcome="ok">
          {t('tasks.status.ok')}
        </Pill>
      );
    case 'warnings':
      return (
        <Pill data-tone="warning" data-outcome="warnings">
          {t('tasks.status.warnings', { count: outcome.count })}
        </Pill>
      );
    case 'error': {
      const text = outcome.message
        ? t('common.labelValue', { label: t('tasks.status.error'), value: outcome.message })
        : t('tasks.status.error');
      return (
        <Pill data-tone="error" data-outcome="error" title={outcome.message}>
          {text}
        </Pill>
      );
    }
  }
}
