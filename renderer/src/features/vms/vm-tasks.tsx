// The Task history tab: this VM's tasks (the task store filtered by id = vmid); a click opens the task log.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useTask } from '../../store/selectors';
import { appStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import type { MessageKey } from '../../i18n/translate';
import { formatDateTime } from '../../i18n/format';
import { TaskStatus } from '../tasks/task-status';
import { taskDescription } from '../tasks/task-format';
import { useVmTaskUpids } from './use-vm-tasks';

/** Also the container page's Task history tab (PVE's task id is the vmid for both), with its own test id. */
export function VmTasks({
  nodeKey,
  vmid,
  testId = 'vm-tasks',
  empty = 'vm.tasks.none',
}: {
  nodeKey: string;
  vmid: number;
  testId?: string;
  empty?: MessageKey;
}) {
  const t = useT();
  const upids = useVmTaskUpids(nodeKey, vmid);
  return (
    <Box role="table" data-testid={testId} sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }}>
      {upids.length === 0 && (
        <Typography color="text.secondary" sx={{ p: 1.5 }}>
          {t(empty)}
        </Typography>
      )}
      {upids.map((upid) => (
        <VmTaskRow key={upid} upid={upid} />
      ))}
    </Box>
  );
}

function VmTaskRow({ upid }: { upid: string }) {
  const t = useT();
  const task = useTask(upid);
  if (task === undefined) return null;
  return (
    <Box
      role="row"
      data-testid="vm-task-row"
      onClick={() => appStore.getState().setTaskLogUpid(upid)}
      sx={{ display: 'grid', gridTemplateColumns: '170px 1fr 1fr', gap: 2, px: 1.5, py: 0.5, cursor: 'pointer', borderBottom: 1, borderColor: 'divider', '&:hover': { bgcolor: 'action.hover' } }}
    >
      <Typography variant="body2">{formatDateTime(task.starttime * 1000)}</Typography>
      <Typography variant="body2">{taskDescription(task.type, t)}</Typography>
      <TaskStatus task={task} />
    </Box>
  );
}
