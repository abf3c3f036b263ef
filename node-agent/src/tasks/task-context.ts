// What a task body gets: its id, a cancel signal, a log, progress, and a logged way to run commands.
import type { RunOptions, RunResult } from '../exec/run';

export interface TaskContext {
  readonly upid: string;
  readonly signal: AbortSignal;
  /** Append one line to the task log. */
  log(line: string): void;
  /** Append a warning line; the task ends `WARNINGS: n` if it otherwise succeeds. */
  warn(line: string): void;
  /** Report progress, 0..1. */
  progress(fraction: number): void;
  /** Run a command through exec/run, logging `# command args…` and its output; the task's signal applies. */
  run(command: string, args: readonly string[], options?: Omit<RunOptions, 'signal'>): Promise<RunResult>;
}

/** A task body: throw to end with ERROR; return to end OK (or WARNINGS). */
export type TaskBody = (ctx: TaskContext) => Promise<void>;
