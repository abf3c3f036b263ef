// The task viewer: status, the log (virtualized, following while the task runs) and Stop for a running task.
import { useEffect, useRef, useState } from 'react';
import Dialog from '@mui/material/Dialog';
import DialogTitle from '@mui/material/DialogTitle';
import DialogContent from '@mui/material/DialogContent';
import DialogActions from '@mui/material/DialogActions';
import Button from '@mui/material/Button';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Alert from '@mui/material/Alert';
import StopCircleOutlined from '@mui/icons-material/StopCircleOutlined';
import { styled } from '@mui/material/styles';
import { useAppStore, appStore } from '../../store/store';
import { useTask } from '../../store/selectors';
import { useT } from '../../i18n/use-t';
import { formatDateTime } from '../../i18n/format';
import { monoFontFamily } from '../../app/theme';
import { useVirtualRows } from '../../components/use-virtual-rows';
import { cancelTask } from './actions';
import { useTaskLog } from './use-task-log';
import { TaskStatus } from './task-status';
import { taskDescription } from './task-format';

const LINE_HEIGHT = 18;

/** Commands the task ran, warnings and errors stand out, as in PVE's task viewer. */
const lineTone = (text: string): 'command' | 'warning' | 'error' | undefined =>
  text.startsWith('# ')
    ? 'command'
    : /^(TASK )?WARN(ING)?S?:?/.test(text)
      ? 'warning'
      : /^(TASK )?ERROR:?/.test(text)
        ? 'error'
        : undefined;

const LogLines = styled('div')(({ theme }) => ({
  position: 'relative',
  minWidth: 'max-content',
  '& > div': {
    position: 'absolute',
    top: 0,
    left: 0,
    height: LINE_HEIGHT,
    lineHeight: `${LINE_HEIGHT}px`,
    whiteSpace: 'pre',
    padding: '0 16px',
  },
  '& .n': {
    color: theme.vars.palette.text.disabled,
    display: 'inline-block',
    width: 48,
    textAlign: 'right',
    marginRight: 16,
    userSelect: 'none',
  },
  '& [data-tone="command"]': { color: theme.vars.palette.primary.main },
  '& [data-tone="warning"]': { color: theme.vars.palette.warning.main },
  '& [data-tone="error"]': { color: theme.vars.palette.error.main, fontWeight: 600 },
}));

export function TaskLogDialog() {
  const upid = useAppStore((s) => s.taskLogUpid);
  const close = () => appStore.getState().setTaskLogUpid(null);
  return (
    <Dialog
      open={upid !== null}
      onClose={close}
      maxWidth="lg"
      fullWidth
      slotProps={{ paper: { sx: { height: '78vh' } } }}
    >
      {upid !== null && <TaskLogBody key={upid} upid={upid} onClose={close} />}
    </Dialog>
  );
}

function TaskLogBody({ upid, onClose }: { upid: string; onClose: () => void }) {
  const t = useT();
  const task = useTask(upid);
  const nodeName = useAppStore((s) => (task ? (s.nodes[task.nodeKey]?.name ?? task.node) : ''));
  const running = task?.status === 'running';
  const log = useTaskLog(task?.nodeKey ?? '', upid, running);
  const [follow, setFollow] = useState(true);
  const [stopping, setStopping] = useState(false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualRows({ count: log.lines.length, scrollRef, rowHeight: LINE_HEIGHT, overscan: 20 });

  useEffect(() => {
    if (follow && log.lines.length > 0) virtualizer.scrollToIndex(log.lines.length - 1, { align: 'end' });
  }, [follow, log.lines.length, virtualizer]);

  if (!task) return null;
  const stop = async () => {
    setStopping(true);
    if (!(await cancelTask(task.nodeKey, upid))) setStopping(false);
  };

  return (
    <>
      <DialogTitle sx={{ display: 'flex', alignItems: 'center', gap: 1.5, pb: 1 }}>
        <Box component="span" sx={{ flex: 1, minWidth: 0 }}>
          {t('taskLog.title', { type: taskDescription(task.type, t) })}
        </Box>
        <Box sx={{ width: 220, display: 'flex', justifyContent: 'flex-end' }}>
          <TaskStatus task={task} />
        </Box>
      </DialogTitle>
      <Box sx={{ px: 3, pb: 1, display: 'flex', gap: 2, flexWrap: 'wrap', color: 'text.secondary', fontSize: 12 }}>
        <span>{t('taskLog.node', { node: nodeName })}</span>
        <span>{t('taskLog.started', { time: formatDateTime(task.starttime * 1000) })}</span>
        <span>{t('taskLog.lines', { count: log.lines.length })}</span>
        <Box
          component="span"
          sx={{ fontFamily: monoFontFamily, fontSize: 11, wordBreak: 'break-all' }}
          data-testid="task-log-upid"
        >
          {upid}
        </Box>
      </Box>
      <DialogContent dividers sx={{ p: 0, display: 'flex', flexDirection: 'column', minHeight: 0 }}>
        {log.error && (
          <Alert severity="error" square>
            {t('common.labelValue', { label: t(`error.${log.error.code}`), value: log.error.message })}
          </Alert>
        )}
        <Box
          ref={scrollRef}
          data-testid="task-log"
          onWheel={(event) => {
            if (event.deltaY < 0) setFollow(false);
          }}
          sx={{ flex: 1, overflow: 'auto', fontFamily: monoFontFamily, fontSize: 12, bgcolor: 'action.hover', py: 0.5 }}
        >
          {!log.loading && log.lines.length === 0 && (
            <Typography variant="body2" color="text.secondary" sx={{ p: 2 }}>
              {t('taskLog.empty')}
            </Typography>
          )}
          <LogLines style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const line = log.lines[item.index];
              if (!line) return null;
              return (
                <div key={item.key} style={{ transform: `translateY(${item.start}px)` }}>
                  <span className="n">{line.n}</span>
                  <span data-tone={lineTone(line.t)}>{line.t}</span>
                </div>
              );
            })}
          </LogLines>
        </Box>
      </DialogContent>
      <DialogActions sx={{ px: 2 }}>
        <FormControlLabel
          control={<Switch size="small" checked={follow} onChange={(e) => setFollow(e.target.checked)} />}
          label={t('taskLog.follow')}
          sx={{ mr: 'auto', '& .MuiFormControlLabel-label': { fontSize: 12.5 } }}
        />
        {running && (
          <Button
            color="error"
            variant="outlined"
            startIcon={<StopCircleOutlined />}
            disabled={stopping}
            onClick={() => void stop()}
            data-testid="task-stop"
          >
            {stopping ? t('taskLog.stopping') : t('taskLog.stop')}
          </Button>
        )}
        <Button onClick={onClose} data-testid="task-log-close">
          {t('common.close')}
        </Button>
      </DialogActions>
    </>
  );
}
