// The bottom panel: every task in the inventory, running first, virtualized; resizable and collapsible.
import { memo, useRef, type PointerEvent } from 'react';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import Chip from '@mui/material/Chip';
import { styled } from '@mui/material/styles';
import ExpandMoreRounded from '@mui/icons-material/ExpandMoreRounded';
import ExpandLessRounded from '@mui/icons-material/ExpandLessRounded';
import ListAltRounded from '@mui/icons-material/ListAltRounded';
import { useAppStore, appStore } from '../../store/store';
import { useRunningTaskCount, useTask, useTaskUpids } from '../../store/selectors';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatDateTime, formatDuration } from '../../i18n/format';
import { useNow } from '../../components/use-now';
import { tableRowStyle, VirtualTable } from '../../components/virtual-table';
import { TaskStatus } from './task-status';
import { taskDescription, taskDuration, taskOutcome } from './task-format';

const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 34;
const PAD_X = 1.5;
export const taskColumns =
  '150px 80px minmax(90px, 0.8fr) minmax(140px, 1.4fr) minmax(70px, 0.6fr) minmax(70px, 0.6fr) minmax(150px, 1.2fr)';

export function TaskPanel() {
  const t = useT();
  const { open, height } = useAppStore((s) => s.taskPanel);
  const running = useRunningTaskCount();
  const drag = useRef<{ y: number; height: number } | null>(null);

  const onPointerDown = (event: PointerEvent) => {
    drag.current = { y: event.clientY, height };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    if (drag.current)
      appStore.getState().setTaskPanel({ height: drag.current.height + drag.current.y - event.clientY });
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  return (
    <Box
      component="section"
      data-testid="task-panel"
      data-open={open}
      sx={{
        flexShrink: 0,
        height: open ? height : HEADER_HEIGHT,
        display: 'flex',
        flexDirection: 'column',
        borderTop: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
        position: 'relative',
      }}
    >
      {open && (
        <Box
          title={t('tasks.resize')}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          sx={{
            position: 'absolute',
            top: -3,
            left: 0,
            right: 0,
            height: 6,
            cursor: 'row-resize',
            zIndex: 1,
            '&:hover': { bgcolor: 'primary.main', opacity: 0.4 },
          }}
        />
      )}
      <Box sx={{ height: HEADER_HEIGHT, flexShrink: 0, display: 'flex', alignItems: 'center', gap: 1, px: 1.5 }}>
        <ListAltRounded sx={{ fontSize: 18, color: 'text.secondary' }} />
        <Typography variant="subtitle2">{t('tasks.title')}</Typography>
        {running > 0 && (
          <Chip
            label={t('tasks.running', { count: running })}
            color="primary"
            sx={{ height: 20 }}
            data-testid="tasks-running"
          />
        )}
        <Box sx={{ flex: 1 }} />
        <Tooltip title={open ? t('tasks.hide') : t('tasks.show')}>
          <IconButton
            onClick={() => appStore.getState().setTaskPanel({ open: !open })}
            aria-label={open ? t('tasks.hide') : t('tasks.show')}
            data-testid="task-panel-toggle"
          >
            {open ? <ExpandMoreRounded fontSize="small" /> : <ExpandLessRounded fontSize="small" />}
          </IconButton>
        </Tooltip>
      </Box>
      {open && <TaskList />}
    </Box>
  );
}

function TaskList() {
  const t = useT();
  const upids = useTaskUpids();
  return (
    <VirtualTable
      ids={upids}
      columns={taskColumns}
      titles={[
        t('tasks.col.start'),
        t('tasks.col.duration'),
        t('tasks.col.node'),
        t('tasks.col.type'),
        t('tasks.col.id'),
        t('tasks.col.user'),
        t('tasks.col.status'),
      ]}
      rowHeight={ROW_HEIGHT}
      padX={PAD_X}
      renderRow={(upid, top) => <TaskRow upid={upid} top={top} />}
      empty={
        <Typography variant="body2" color="text.secondary" sx={{ px: PAD_X, py: 1 }}>
          {t('tasks.empty')}
        </Typography>
      }
      // A band under the panel's title bar.
      headerSx={{ py: 0.5, borderTop: 1, bgcolor: 'action.hover' }}
    />
  );
}

const Row = styled('div')(({ theme }) => ({
  ...tableRowStyle(theme, taskColumns, ROW_HEIGHT, PAD_X),
  '&[data-failed="true"]:not(:hover)': { backgroundColor: 'rgba(211, 47, 47, 0.06)' },
  '& > span': { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  '& > .num': { fontVariantNumeric: 'tabular-nums' },
  '& > .status': { minWidth: 0, display: 'flex' },
}));

const TaskRow = memo(function TaskRow({ upid, top }: { upid: string; top: number }) {
  const t = useT();
  const language = useLanguage();
  const task = useTask(upid);
  const nodeName = useAppStore((s) => (task ? (s.nodes[task.nodeKey]?.name ?? task.node) : ''));
  const now = useNow(1000, task?.status === 'running');
  if (!task) return null;
  return (
    <Row
      role="row"
      data-testid={`task-row-${upid}`}
      data-status={task.status}
      data-failed={taskOutcome(task).kind === 'error'}
      onClick={() => appStore.getState().setTaskLogUpid(upid)}
      style={{ transform: `translateY(${top}px)` }}
    >
      <span className="num">{formatDateTime(task.starttime * 1000)}</span>
      <span className="num">{formatDuration(taskDuration(task, Math.floor(now / 1000)), language)}</span>
      <span>{nodeName}</span>
      <span>{taskDescription(task.type, t)}</span>
      <span>{task.id}</span>
      <span>{task.user}</span>
      <div className="status">
        <TaskStatus task={task} />
      </div>
    </Row>
  );
});
