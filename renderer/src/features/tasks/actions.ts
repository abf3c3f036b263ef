// Task calls: a page of a task's log and asking a running task to stop.
import type { Result } from '../../../../node-agent/src/api';
import { agentCall } from '../../api';
import { UiError } from '../../app-error';
import { appStore } from '../../store/store';

export const fetchTaskLog = (
  nodeKey: string,
  upid: string,
  start: number,
  limit: number,
): Promise<Result<'task.log'>> => agentCall(nodeKey, 'task.log', { upid, start, limit });

/** Ask the task to stop; false (and a notice) when the request failed. */
export async function cancelTask(nodeKey: string, upid: string): Promise<boolean> {
  try {
    await agentCall(nodeKey, 'task.cancel', { upid });
    return true;
  } catch (error) {
    const e = UiError.from(error);
    appStore
      .getState()
      .pushNotice({ severity: 'error', key: 'notice.cancelFailed', error: { code: e.code, message: e.message } });
    return false;
  }
}
