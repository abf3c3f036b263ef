// Orderings derived from the inventory (nodes per cluster by name, tasks running-first then newest), kept
// in the store and rebuilt only when a patch changes what they depend on: a status tick costs nothing here.
import type { NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';

export type NodeOrder = Readonly<Record<string, readonly string[]>>;
type Changes<T> = Record<string, T | null> | undefined;

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
export const compareNames = (a: string, b: string): number => collator.compare(a, b);

/** Node keys grouped by cluster id, each group by name (n2 before n10). */
export function indexNodes(nodes: Readonly<Record<string, NodeEntry>>): NodeOrder {
  const byCluster: Record<string, string[]> = {};
  for (const node of Object.values(nodes)) (byCluster[node.cluster] ??= []).push(node.key);
  for (const keys of Object.values(byCluster))
    keys.sort((a, b) => compareNames(nodes[a]?.name ?? a, nodes[b]?.name ?? b));
  return byCluster;
}

/** True when a patch adds, removes, renames or moves a node. */
export function nodeOrderChanged(before: Readonly<Record<string, NodeEntry>>, changes: Changes<NodeEntry>): boolean {
  if (changes === undefined) return false;
  for (const [key, next] of Object.entries(changes)) {
    const prev = before[key];
    if (next === null || prev === undefined) {
      if (next !== null || prev !== undefined) return true;
      continue;
    }
    if (prev.name !== next.name || prev.cluster !== next.cluster) return true;
  }
  return false;
}

/** Running tasks first, then newest first (start time, then UPID for a stable order). */
export function orderTasks(tasks: Readonly<Record<string, TaskEntry>>): string[] {
  return Object.values(tasks)
    .sort((a, b) => {
      if (a.status !== b.status) return a.status === 'running' ? -1 : 1;
      return b.starttime - a.starttime || (a.upid < b.upid ? 1 : a.upid > b.upid ? -1 : 0);
    })
    .map((t) => t.upid);
}

/** True when a patch adds or removes a task or changes its status or start (progress alone keeps the order). */
export function taskOrderChanged(before: Readonly<Record<string, TaskEntry>>, changes: Changes<TaskEntry>): boolean {
  if (changes === undefined) return false;
  for (const [upid, next] of Object.entries(changes)) {
    const prev = before[upid];
    if (next === null || prev === undefined) {
      if (next !== null || prev !== undefined) return true;
      continue;
    }
    if (prev.status !== next.status || prev.starttime !== next.starttime) return true;
  }
  return false;
}
