// Follow a task: page its log, printing new lines, until the task has stopped and every line is out.
import type { MethodName, Params, Result } from '../api';
import type { TaskInfo, TaskLogLine } from '../api/task';

export type CallFn = <M extends MethodName>(method: M, params: Params<M>) => Promise<Result<M>>;

export interface FollowOptions {
  /** Lines already seen (start after them). */
  start?: number;
  pollMs: number;
  /** Called with each new log line; omit to follow silently. */
  onLine?: (line: TaskLogLine) => void;
  /** Called when a running task reports a different progress (0..1). */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

const PAGE = 500;

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Resolves with the task's final status. Reads the log once more after seeing it stopped, for the tail. */
export const followTask = async (call: CallFn, upid: string, options: FollowOptions): Promise<TaskInfo> => {
  let start = options.start ?? 0;
  let stopped: TaskInfo | undefined;
  let progress: number | undefined;
  for (;;) {
    const page = await call('task.log', { upid, start, limit: PAGE });
    for (const line of page.lines) options.onLine?.(line);
    start += page.lines.length;
    if (page.lines.length > 0 && start < page.total) continue;
    if (stopped) return stopped;
    const status = await call('task.status', { upid });
    if (status.progress !== undefined && status.progress !== progress) {
      progress = status.progress;
      options.onProgress?.(progress);
    }
    if (status.status === 'stopped') {
      stopped = status;
      continue;
    }
    if (options.signal?.aborted) return status;
    await pause(options.pollMs, options.signal);
  }
};

/** OK and WARNINGS are success, as in PVE. */
export const taskSucceeded = (task: TaskInfo): boolean =>
  task.exitstatus === 'OK' || (task.exitstatus?.startsWith('WARNINGS') ?? false);
