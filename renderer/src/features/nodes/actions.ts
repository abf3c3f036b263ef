// Node calls: metrics history for the charts and the prerequisite check task.
import type { Consolidation, Result, Timeframe } from '../../../../node-agent/src/api';
import { agentCall } from '../../api';
import { UiError } from '../../app-error';
import { appStore } from '../../store/store';

export const fetchNodeMetrics = (
  key: string,
  timeframe: Timeframe,
  cf: Consolidation,
): Promise<Result<'node.metrics'>> => agentCall(key, 'node.metrics', { timeframe, cf });

/** Start node.check; the task shows up in the task panel through the inventory. */
export async function runNodeCheck(key: string): Promise<void> {
  const state = appStore.getState();
  const name = state.nodes[key]?.name ?? key;
  try {
    await agentCall(key, 'node.check', {});
    appStore.getState().setTaskPanel({ open: true });
    appStore.getState().pushNotice({ severity: 'info', key: 'node.checkStarted', params: { node: name } });
  } catch (error) {
    const e = UiError.from(error);
    appStore.getState().pushNotice({
      severity: 'error',
      key: 'notice.checkFailed',
      params: { node: name },
      error: { code: e.code, message: e.message },
    });
  }
}
