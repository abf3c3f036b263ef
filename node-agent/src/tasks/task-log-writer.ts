// Appends lines to one running task's log file and keeps a sparse line-offset index, so paging an
// active multi-GB log seeks instead of scanning from the top.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { splitLongLine, textToLines } from './log-lines';

/** One byte offset is remembered every this many lines. */
export const CHECKPOINT_LINES = 1024;

export interface LineIndex {
  /** Lines in the file. */
  readonly total: number;
  /** checkpoints[k] is the byte offset where line k * CHECKPOINT_LINES (0-based) starts. */
  readonly checkpoints: readonly number[];
}

const NEWLINE = Buffer.from('\n');
const FLUSH_BYTES = 64 * 1024;

export class TaskLogWriter implements LineIndex {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private bytes = 0;
  private lines = 0;
  private closed = false;
  private failed = false;
  readonly checkpoints: number[] = [];

  constructor(
    readonly path: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    this.fd = openSync(path, 'wx', 0o640);
  }

  get total(): number {
    return this.lines;
  }

  /** Append text; each line of it becomes a log line (long ones split). */
  append(text: string): void {
    if (this.closed) return;
    for (const line of textToLines(text)) {
      for (const piece of splitLongLine(Buffer.from(line, 'utf8'))) {
        if (this.lines % CHECKPOINT_LINES === 0) this.checkpoints.push(this.bytes);
        this.pending.push(piece, NEWLINE);
        this.pendingBytes += piece.length + 1;
        this.bytes += piece.length + 1;
        this.lines += 1;
      }
    }
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Write what is buffered; readers call this first so they see every counted line. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pendingBytes === 0 || this.failed) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      for (let offset = 0; offset < data.length;) offset += writeSync(this.fd, data, offset);
    } catch (error) {
      // A full or failing disk must not take the task (or the daemon) down; report once, keep counting.
      this.failed = true;
      this.onError(error as Error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
