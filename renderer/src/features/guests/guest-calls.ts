// What the VM and CT call modules share: failures as error notices, and task-starting calls that open the task
// panel and resolve to the UPID (undefined after a notice on failure).
import type { MethodName, Params, Result } from '../../../../node-agent/src/api';
import type { MessageKey, MessageParams } from '../../i18n/translate';
import { agentCall } from '../../api';
import { UiError } from '../../app-error';
import { appStore } from '../../store/store';

/** An error notice with the failure's code and message; returns the UiError for callers that show it too. */
export function notifyError(key: MessageKey, params: MessageParams, error: unknown): UiError {
  const e = UiError.from(error);
  appStore.getState().pushNotice({ severity: 'error', key, params, error: { code: e.code, message: e.message } });
  return e;
}

/** A task was started: the task panel shows it. */
export const taskStarted = (): void => appStore.getState().setTaskPanel({ open: true });

/** Start a task-returning guest method; `failure` with `notice` (default: the vmid) on failure. */
export async function startGuestTask<M extends MethodName>(
  nodeKey: string,
  method: M,
  params: Params<M> & { vmid: number },
  failure: MessageKey,
  notice: MessageParams = { vmid: params.vmid },
): Promise<string | undefined> {
  try {
    const { upid } = (await agentCall(nodeKey, method, params)) as { upid: string };
    taskStarted();
    return upid;
  } catch (error) {
    notifyError(failure, notice, error);
    return undefined;
  }
}

/**
 * Change a guest's config with the digest it was read with. A stale digest gets its own notice (someone else
 * changed the guest: reload and redo); resolves to the agent's answer, or undefined on failure.
 */
export async function setGuestConfig<M extends 'vm.set' | 'ct.set'>(
  nodeKey: string,
  method: M,
  params: Params<M> & { vmid: number },
): Promise<Result<M> | undefined> {
  const kind = method === 'vm.set' ? 'vm' : 'ct';
  try {
    return await agentCall(nodeKey, method, params);
  } catch (error) {
    const conflict = UiError.from(error).code === 'conflict';
    notifyError(conflict ? `${kind}.conflict` : `${kind}.setFailed`, { vmid: params.vmid }, error);
    return undefined;
  }
}
