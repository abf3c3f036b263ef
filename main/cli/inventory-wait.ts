// Waiting on the inventory: until the chosen nodes satisfy a condition (e.g. have left 'connecting'), or a deadline.
import type { HyperdeskCoreHandle } from '../core/core-api';
import type { NodeEntry } from '../core/inventory-schema';

export interface WaitOptions {
  deadlineMs: number;
  /** While this says true (a person is answering a prompt), the deadline is pushed back. */
  paused?: () => boolean;
}

/** Resolves with the entries of `keys` once every one satisfies `done`, or with what there is at the deadline. */
export const waitForNodes = async (
  core: HyperdeskCoreHandle,
  keys: readonly string[],
  done: (entry: NodeEntry) => boolean,
  options: WaitOptions,
): Promise<NodeEntry[]> => {
  const latest = new Map<string, NodeEntry>();
  const snapshot = await core.handle('inventory.snapshot', {});
  for (const key of keys) {
    const entry = snapshot.nodes[key];
    if (entry) latest.set(key, entry);
  }
  const collect = () => keys.flatMap((key) => latest.get(key) ?? []);
  const finished = () => keys.every((key) => {
    const entry = latest.get(key);
    return entry === undefined || done(entry);
  });
  if (finished()) return collect();
  return new Promise((resolve) => {
    let remaining = options.deadlineMs;
    const step = 100;
    const finish = () => {
      clearInterval(timer);
      off();
      resolve(collect());
    };
    const off = core.on('inventory.patch', (patch) => {
      for (const key of keys) {
        const entry = patch.nodes?.[key];
        if (entry) latest.set(key, entry);
        else if (entry === null) latest.delete(key);
      }
      if (finished()) finish();
    });
    // The deadline counts only time nobody is typing an answer to a prompt.
    const timer = setInterval(() => {
      if (options.paused?.()) return;
      remaining -= step;
      if (remaining <= 0) finish();
    }, step);
  });
};
