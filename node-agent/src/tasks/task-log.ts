// Task logs in PVE's layout: <taskLogs>/<last hex digit of starttime>/<UPID>, plain lines, the last one
// `TASK OK`, `TASK WARNINGS: n` or `TASK ERROR: message`.
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../api/errors';
import { splitLongLine, textToLines } from './log-lines';
import { TaskLogReader, type TaskLogPage } from './task-log-reader';
import { TaskLogWriter } from './task-log-writer';
import { parseUpid } from './upid';

export type { TaskLogPage } from './task-log-reader';

/** The log file of a task. PVE names the subfolder by the last hex digit of the start time, upper case. */
export const taskLogPath = (taskLogs: string, upid: string): string => {
  const { starttime } = parseUpid(upid);
  // parseUpid refuses ':' and the UPID pattern has no '/' in the fields we write, but a UPID from a client
  // could still hold '/' in its id or user: never let one name a file outside the folder.
  if (basename(upid) !== upid) throw new AppError('invalid-params', `${JSON.stringify(upid)} cannot name a task log`);
  return join(taskLogs, starttime.toString(16).toUpperCase().slice(-1), upid);
};

const endsWithNewline = (path: string): boolean => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return true;
  }
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 10;
  } finally {
    closeSync(fd);
  }
};

export class TaskLogs {
  private readonly writers = new Map<string, TaskLogWriter>();
  private readonly reader = new TaskLogReader();

  constructor(
    private readonly dir: string,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  /** Create the log of a new task; lines go through the returned writer until close(). */
  create(upid: string): TaskLogWriter {
    const path = taskLogPath(this.dir, upid);
    const writer = new TaskLogWriter(path, (error) =>
      this.onError(`cannot write the log of task ${upid}: ${error.message}`),
    );
    this.writers.set(upid, writer);
    return writer;
  }

  /** End an active log with its final line and close it. */
  finish(upid: string, finalLine: string): void {
    const writer = this.writers.get(upid);
    if (!writer) return;
    writer.append(finalLine);
    writer.close();
    this.writers.delete(upid);
  }

  /** Append lines to the log of a task that no writer owns (one a previous daemon left running). */
  appendToFinished(upid: string, text: string): void {
    const path = taskLogPath(this.dir, upid);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      const pieces = textToLines(text).flatMap((line) => splitLongLine(Buffer.from(line, 'utf8')));
      const body = pieces.flatMap((piece) => [piece, Buffer.from('\n')]);
      // A daemon killed mid-write may have left a partial last line: end it first so ours stands alone.
      if (!endsWithNewline(path)) body.unshift(Buffer.from('\n'));
      appendFileSync(path, Buffer.concat(body), { mode: 0o640 });
      this.reader.forget(path);
    } catch (error) {
      this.onError(`cannot append to the log of task ${upid}: ${(error as Error).message}`);
    }
  }

  /** A page of a log: lines start+1 … start+limit and the count so far. */
  async read(upid: string, start: number, limit: number): Promise<TaskLogPage> {
    const path = taskLogPath(this.dir, upid);
    const writer = this.writers.get(upid);
    writer?.flush();
    try {
      return await this.reader.read(path, start, limit, writer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new AppError('not-found', `the log of task ${upid} does not exist`, { upid });
      throw error;
    }
  }
}
