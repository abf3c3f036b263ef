// Runs tasks in the daemon: a UPID at once, the body in the background with a logged context,
// progress and cancel, a final status, and a persisted history that survives restarts.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppError } from '../api/errors';
import type { TaskInfo } from '../api/task';
import type { AgentPaths } from '../daemon/paths';
import { loggedContext } from './logged-context';
import type { TaskBody } from './task-context';
import { loadTaskIndex, TaskIndexWriter } from './task-index';
import { TaskLogs, type TaskLogPage } from './task-log';
import type { TaskLogWriter } from './task-log-writer';
import { UpidAllocator } from './upid';

export const AGENT_STOPPED = 'the agent stopped while this task was running';
/** Finished tasks kept in the history (PVE keeps a similar bounded index); running ones are always kept. */
export const MAX_FINISHED_TASKS = 1000;
const PROGRESS_INTERVAL_MS = 250;
const MAX_EXITSTATUS = 4000;

export interface TaskSpec {
  type: string;
  id: string;
  user: string;
}

export interface TaskListQuery {
  limit: number;
  source: 'all' | 'active' | 'archive';
  type?: string | undefined;
}

export interface TaskManagerOptions {
  paths: AgentPaths;
  now?: () => number;
  log?: (message: string) => void;
}

interface TaskRecord {
  info: TaskInfo;
  controller?: AbortController;
  writer?: TaskLogWriter;
  stopReason?: 'cancel' | 'shutdown';
  warnings: number;
  lastProgressAt: number;
  progressTimer?: NodeJS.Timeout;
  stopped: Promise<void>;
  markStopped: () => void;
}

const oneLine = (text: string): string => {
  const line = text.replace(/\s*\n\s*/g, ' ').trim() || 'the task failed';
  return line.length > MAX_EXITSTATUS ? `${line.slice(0, MAX_EXITSTATUS)}…` : line;
};

export class TaskManager {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly listeners = new Set<(task: TaskInfo) => void>();
  private readonly logs: TaskLogs;
  private readonly index: TaskIndexWriter;
  private readonly allocator: UpidAllocator;
  private readonly now: () => number;
  private readonly report: (message: string) => void;
  private disposed = false;

  private constructor(
    private readonly paths: AgentPaths,
    options: TaskManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.report = options.log ?? (() => undefined);
    this.logs = new TaskLogs(paths.taskLogs, this.report);
    this.allocator = new UpidAllocator(paths.node, this.now);
    this.index = new TaskIndexWriter(join(paths.data, 'tasks', 'index.json'), () => this.snapshot(), this.report);
  }

  /** Load the history; tasks a previous daemon left running are marked stopped with an error. */
  static async open(options: TaskManagerOptions): Promise<TaskManager> {
    const manager = new TaskManager(options.paths, options);
    const loaded = await loadTaskIndex(join(options.paths.data, 'tasks', 'index.json'), manager.report);
    let recovered = 0;
    for (const info of loaded) {
      if (info.status === 'running') {
        delete info.progress;
        Object.assign(info, {
          status: 'stopped',
          exitstatus: `ERROR: ${AGENT_STOPPED}`,
          endtime: Math.max(manager.nowSeconds(), info.starttime),
        });
        manager.logs.appendToFinished(info.upid, `TASK ERROR: ${AGENT_STOPPED}`);
        recovered += 1;
      }
      manager.tasks.set(info.upid, {
        info,
        warnings: 0,
        lastProgressAt: 0,
        stopped: Promise.resolve(),
        markStopped: () => undefined,
      });
    }
    manager.prune();
    if (recovered > 0) {
      manager.report(`marked ${recovered} task(s) left running by a previous agent as stopped`);
      manager.index.changed();
      await manager.index.persisted();
    }
    return manager;
  }

  /** Start a task; returns its UPID at once, the body runs in the background. */
  spawn(spec: TaskSpec, body: TaskBody): string {
    if (this.disposed) throw new AppError('unreachable', 'the agent is shutting down and starts no new tasks');
    const { upid, starttime } = this.allocator.next(spec.type, spec.id, spec.user);
    const writer = this.logs.create(upid);
    let markStopped = () => undefined as void;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    const info: TaskInfo = {
      upid,
      node: this.paths.node,
      type: spec.type,
      id: spec.id,
      user: spec.user,
      starttime,
      status: 'running',
    };
    const record: TaskRecord = {
      info,
      controller: new AbortController(),
      writer,
      warnings: 0,
      lastProgressAt: 0,
      stopped,
      markStopped,
    };
    this.tasks.set(upid, record);
    this.index.changed();
    this.emit(record);
    const context = loggedContext({
      upid,
      signal: record.controller!.signal,
      append: (text) => writer.append(text),
      warned: () => (record.warnings += 1),
      progress: (fraction) => this.progress(record, fraction),
    });
    // Deferred so the caller hands out the UPID (and the start event goes out) before the body's first line.
    setImmediate(() => void this.execute(record, () => body(context)));
    return upid;
  }

  list(query: TaskListQuery): TaskInfo[] {
    const result: TaskInfo[] = [];
    const records = [...this.tasks.values()];
    for (let i = records.length - 1; i >= 0 && result.length < query.limit; i -= 1) {
      const { info } = records[i]!;
      if (query.source === 'active' && info.status !== 'running') continue;
      if (query.source === 'archive' && info.status !== 'stopped') continue;
      if (query.type !== undefined && info.type !== query.type) continue;
      result.push({ ...info });
    }
    return result;
  }

  status(upid: string): TaskInfo {
    return { ...this.record(upid).info };
  }

  log(upid: string, start: number, limit: number): Promise<TaskLogPage> {
    this.record(upid);
    return this.logs.read(upid, start, limit);
  }

  /** Ask a running task to stop: its signal aborts and it ends `ERROR: cancelled`. */
  cancel(upid: string): void {
    const record = this.record(upid);
    if (record.info.status !== 'running' || !record.controller) {
      throw new AppError('conflict', `task ${upid} has already stopped (${record.info.exitstatus ?? 'unknown'})`, {
        upid,
      });
    }
    if (record.controller.signal.aborted) return;
    record.stopReason = 'cancel';
    record.writer?.append('received a request to cancel the task');
    record.controller.abort(new AppError('cancelled', `task ${upid} was cancelled`));
  }

  /** Resolves with the final status once the task has stopped. */
  async whenStopped(upid: string): Promise<TaskInfo> {
    await this.record(upid).stopped;
    return this.status(upid);
  }

  onUpdate(listener: (task: TaskInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the index on disk holds every change made so far (a spawned task survives a crash). */
  persisted(): Promise<void> {
    return this.index.persisted();
  }

  /** Stop: abort running tasks, give them graceMs to end, mark the rest stopped, write the index. */
  async dispose(graceMs = 5000): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const running = [...this.tasks.values()].filter((record) => record.info.status === 'running');
    for (const record of running) {
      record.stopReason ??= 'shutdown';
      record.controller?.abort(new AppError('cancelled', AGENT_STOPPED));
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running.map((record) => record.stopped)), deadline]);
    clearTimeout(timer);
    for (const record of running) if (record.info.status === 'running') this.finish(record, `ERROR: ${AGENT_STOPPED}`);
    this.listeners.clear();
    await this.index.persisted();
  }

  private async execute(record: TaskRecord, body: () => Promise<void>): Promise<void> {
    let exitstatus: string;
    try {
      await body();
      exitstatus = record.warnings > 0 ? `WARNINGS: ${record.warnings}` : 'OK';
    } catch (error) {
      if (record.controller?.signal.aborted)
        exitstatus = record.stopReason === 'cancel' ? 'ERROR: cancelled' : `ERROR: ${AGENT_STOPPED}`;
      else exitstatus = `ERROR: ${oneLine(AppError.from(error).message)}`;
    }
    if (record.info.status === 'running') this.finish(record, exitstatus);
  }

  private finish(record: TaskRecord, exitstatus: string): void {
    const { info } = record;
    clearTimeout(record.progressTimer);
    delete record.progressTimer;
    delete record.controller;
    delete record.writer;
    delete info.progress;
    info.status = 'stopped';
    info.exitstatus = exitstatus;
    info.endtime = Math.max(this.nowSeconds(), info.starttime);
    this.logs.finish(info.upid, `TASK ${exitstatus}`);
    this.prune();
    this.index.changed();
    this.emit(record);
    record.markStopped();
  }

  private progress(record: TaskRecord, fraction: number): void {
    if (record.info.status !== 'running') return;
    record.info.progress = fraction;
    const since = performance.now() - record.lastProgressAt;
    if (since >= PROGRESS_INTERVAL_MS) {
      record.lastProgressAt = performance.now();
      this.emit(record);
    } else {
      record.progressTimer ??= setTimeout(() => {
        delete record.progressTimer;
        if (record.info.status !== 'running') return;
        record.lastProgressAt = performance.now();
        this.emit(record);
      }, PROGRESS_INTERVAL_MS - since);
    }
  }

  private emit(record: TaskRecord): void {
    const copy = { ...record.info };
    for (const listener of this.listeners) {
      try {
        listener(copy);
      } catch (error) {
        this.report(`a task.update listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** Keep every running task and the newest MAX_FINISHED_TASKS finished ones (the map is oldest first). */
  private prune(): void {
    let finished = 0;
    for (const record of this.tasks.values()) if (record.info.status === 'stopped') finished += 1;
    for (const [upid, record] of this.tasks) {
      if (finished <= MAX_FINISHED_TASKS) break;
      if (record.info.status !== 'stopped') continue;
      this.tasks.delete(upid);
      finished -= 1;
    }
  }

  private record(upid: string): TaskRecord {
    const record = this.tasks.get(upid);
    if (!record) throw new AppError('not-found', `task ${upid} does not exist on node ${this.paths.node}`, { upid });
    return record;
  }

  private snapshot(): TaskInfo[] {
    return [...this.tasks.values()].map(({ info }) => {
      const { progress: _progress, ...rest } = info;
      return rest;
    });
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
