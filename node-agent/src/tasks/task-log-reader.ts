// Reads pages of a task log by streaming the file in fixed-size chunks: memory stays bounded whatever
// the log's size. Finished logs get their line index built once and cached.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { TaskLogLine } from '../api/task';
import { MAX_LOG_LINE_BYTES, splitLongLine } from './log-lines';
import { CHECKPOINT_LINES, type LineIndex } from './task-log-writer';

export interface TaskLogPage {
  total: number;
  lines: TaskLogLine[];
}

const CHUNK_BYTES = 64 * 1024;
/** A page stops growing past this, whatever `limit` says: a response must stay far below the 16 MiB wire limit. */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * Call onLine for each line from byte `from` on (lines over the limit split exactly as the writer splits them);
 * stop when it returns false. The last line counts even without a trailing newline.
 */
export const scanLines = async (
  handle: FileHandle,
  from: number,
  onLine: (line: Buffer, offset: number) => boolean,
): Promise<void> => {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = from;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let lineStart = from;
  const emit = (line: Buffer): boolean => {
    const offset = lineStart;
    lineStart += line.length;
    return onLine(line, offset);
  };
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) break;
    const data = chunk.subarray(0, bytesRead);
    let at = 0;
    while (at < data.length) {
      const nl = data.indexOf(10, at);
      const end = nl === -1 ? data.length : nl;
      partial.push(Buffer.from(data.subarray(at, end)));
      partialBytes += end - at;
      if (partialBytes > MAX_LOG_LINE_BYTES) {
        const pieces = splitLongLine(Buffer.concat(partial, partialBytes));
        const last = pieces.pop()!;
        for (const piece of pieces) if (!emit(piece)) return;
        partial = [last];
        partialBytes = last.length;
      }
      if (nl === -1) break;
      const line = Buffer.concat(partial, partialBytes);
      partial = [];
      partialBytes = 0;
      if (!emit(line)) return;
      lineStart += 1; // the newline
      at = nl + 1;
    }
    position += bytesRead;
  }
  if (partialBytes > 0) emit(Buffer.concat(partial, partialBytes));
};

interface CachedIndex extends LineIndex {
  size: number;
  mtimeMs: number;
}

/** Pages of task logs; keeps the line index of the last few finished logs it read. */
export class TaskLogReader {
  private readonly cache = new Map<string, CachedIndex>();

  constructor(private readonly cacheSize = 32) {}

  /** Lines start+1 … start+limit (1-based n), and the line count. `live` is the index of a log still being written. */
  async read(path: string, start: number, limit: number, live?: LineIndex): Promise<TaskLogPage> {
    const handle = await open(path, 'r');
    try {
      const index = live ?? (await this.indexOf(path, handle));
      const total = index.total;
      if (start >= total || limit <= 0) return { total, lines: [] };
      const k = Math.min(Math.floor(start / CHECKPOINT_LINES), index.checkpoints.length - 1);
      const lines: TaskLogLine[] = [];
      let n = k * CHECKPOINT_LINES;
      let bytes = 0;
      await scanLines(handle, index.checkpoints[k] ?? 0, (line) => {
        n += 1;
        if (n <= start) return true;
        lines.push({ n, t: line.toString('utf8') });
        bytes += line.length;
        return lines.length < limit && n < total && bytes < MAX_PAGE_BYTES;
      });
      return { total, lines };
    } finally {
      await handle.close();
    }
  }

  private async indexOf(path: string, handle: FileHandle): Promise<LineIndex> {
    const info = await stat(path);
    const cached = this.cache.get(path);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) {
      this.cache.delete(path);
      this.cache.set(path, cached);
      return cached;
    }
    const checkpoints: number[] = [];
    let total = 0;
    await scanLines(handle, 0, (_line, offset) => {
      if (total % CHECKPOINT_LINES === 0) checkpoints.push(offset);
      total += 1;
      return true;
    });
    const index: CachedIndex = { total, checkpoints, size: info.size, mtimeMs: info.mtimeMs };
    this.cache.set(path, index);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return index;
  }

  forget(path: string): void {
    this.cache.delete(path);
  }
}
