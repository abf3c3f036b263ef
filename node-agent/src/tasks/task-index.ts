// The persisted task list (<data>/tasks/index.json): what `task.list` shows after a restart.
// Writes are coalesced: one in flight, and at most one more carrying every change made meanwhile.
import { rename } from 'node:fs/promises';
import { z } from 'zod';
import { TaskInfo } from '../api/task';
import { isAppError } from '../api/errors';
import { writeFileAtomic } from '../fs/atomic-file';
import { readJsonFile } from '../fs/json-file';

const IndexFile = z.object({ version: z.literal(1), tasks: z.array(z.unknown()) });

/** Read the index, oldest task first. A missing file is an empty list; a corrupt one is moved aside, not fatal. */
export const loadTaskIndex = async (path: string, log: (message: string) => void): Promise<TaskInfo[]> => {
  let parsed: z.infer<typeof IndexFile> | undefined;
  try {
    parsed = await readJsonFile(path, IndexFile);
  } catch (error) {
    if (!isAppError(error, 'invalid-params')) throw error;
    const aside = `${path}.corrupt-${Date.now()}`;
    await rename(path, aside).catch(() => undefined);
    log(`the task index ${error.message}; moved it to ${aside} and started an empty one`);
    return [];
  }
  if (!parsed) return [];
  const tasks: TaskInfo[] = [];
  for (const entry of parsed.tasks) {
    const task = TaskInfo.safeParse(entry);
    if (task.success) tasks.push(task.data);
  }
  return tasks.sort((a, b) => a.starttime - b.starttime);
};

export class TaskIndexWriter {
  private changes = 0;
  private saved = 0;
  private saving = false;
  private readonly waiters: { change: number; resolve: () => void }[] = [];

  constructor(
    private readonly path: string,
    private readonly snapshot: () => TaskInfo[],
    private readonly log: (message: string) => void,
  ) {}

  /** Something changed: write soon. */
  changed(): void {
    this.changes += 1;
    void this.drain();
  }

  /** Resolves once the file holds every change made before this call. */
  persisted(): Promise<void> {
    if (this.saved >= this.changes) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ change: this.changes, resolve }));
  }

  private async drain(): Promise<void> {
    if (this.saving) return;
    this.saving = true;
    try {
      while (this.saved < this.changes) {
        const change = this.changes;
        const data = `${JSON.stringify({ version: 1, tasks: this.snapshot() })}\n`;
        try {
          await writeFileAtomic(this.path, data, 0o640);
        } catch (error) {
          // The in-memory list stays right; the next change tries again.
          this.log(`cannot write the task index ${this.path}: ${(error as Error).message}`);
        }
        this.saved = change;
        for (let i = this.waiters.length - 1; i >= 0; i -= 1) {
          const waiter = this.waiters[i]!;
          if (waiter.change <= this.saved) {
            this.waiters.splice(i, 1);
            waiter.resolve();
          }
        }
      }
    } finally {
      this.saving = false;
    }
  }
}
