// How a task reads in the list: its outcome from the exit status, its description, its duration.
import type { TaskInfo } from '../../../../node-agent/src/api';
import { isMessageKey, type Translate } from '../../i18n/translate';

export type TaskOutcome =
  { kind: 'running' } | { kind: 'ok' } | { kind: 'warnings'; count: number } | { kind: 'error'; message: string };

/** PVE's convention: `OK`, `WARNINGS: n`, anything else is the error text. */
export function taskOutcome(task: Pick<TaskInfo, 'status' | 'exitstatus'>): TaskOutcome {
  if (task.status === 'running') return { kind: 'running' };
  const exit = task.exitstatus?.trim() ?? '';
  if (exit === 'OK') return { kind: 'ok' };
  const warnings = /^WARNINGS:\s*(\d+)/.exec(exit);
  if (warnings) return { kind: 'warnings', count: Number(warnings[1]) };
  return { kind: 'error', message: exit.replace(/^ERROR:\s*/, '') };
}

/** The localized description for known task types; the raw type otherwise (new agent, old app). */
export function taskDescription(type: string, t: Translate): string {
  const key = `taskType.${type}`;
  return isMessageKey(key) ? t(key) : type;
}

/** Seconds the task has run: to its end, or to `nowSeconds` while running. */
export const taskDuration = (task: Pick<TaskInfo, 'starttime' | 'endtime'>, nowSeconds: number): number =>
  Math.max(0, (task.endtime ?? nowSeconds) - task.starttime);
