// A VM's snapshots as a tree from their parent links, with PVE's 'NOW' (the current state) as a leaf under the
// snapshot it descends from. Pure, so it is tested without a DOM.
import type { SnapshotInfo } from '../../../../node-agent/src/api';

// Not a valid snapshot name (those start with a letter), so it never collides with one.
export const NOW = '_now';

export interface SnapshotNode {
  /** The snapshot's name, or NOW for the current state. */
  name: string;
  snapshot: SnapshotInfo | undefined;
  children: SnapshotNode[];
  depth: number;
}

/** Roots (snapshots without a known parent, and NOW when nothing is current) in time order, children likewise. */
export function buildSnapshotTree(snapshots: readonly SnapshotInfo[], current: string | undefined): SnapshotNode[] {
  const byName = new Map(snapshots.map((s) => [s.name, s]));
  const nodes = new Map<string, SnapshotNode>(
    snapshots.map((s) => [s.name, { name: s.name, snapshot: s, children: [], depth: 0 }]),
  );
  const roots: SnapshotNode[] = [];
  const seen = new Set<string>();
  // A parent link to a missing snapshot (or a cycle in a hand-edited config) makes the snapshot a root.
  const parentOf = (s: SnapshotInfo): SnapshotNode | undefined => {
    if (s.parent === undefined || !byName.has(s.parent) || s.parent === s.name) return undefined;
    let p: string | undefined = s.parent;
    seen.clear();
    while (p !== undefined && !seen.has(p)) {
      if (p === s.name) return undefined;
      seen.add(p);
      p = byName.get(p)?.parent;
    }
    return nodes.get(s.parent);
  };
  const byTime = (a: SnapshotNode, b: SnapshotNode) =>
    (a.snapshot?.snaptime ?? Number.MAX_SAFE_INTEGER) - (b.snapshot?.snaptime ?? Number.MAX_SAFE_INTEGER) ||
    a.name.localeCompare(b.name);
  for (const s of snapshots) {
    const node = nodes.get(s.name)!;
    const parent = parentOf(s);
    (parent === undefined ? roots : parent.children).push(node);
  }
  const now: SnapshotNode = { name: NOW, snapshot: undefined, children: [], depth: 0 };
  const currentNode = current === undefined ? undefined : nodes.get(current);
  (currentNode === undefined ? roots : currentNode.children).push(now);
  const sortDeep = (list: SnapshotNode[], depth: number) => {
    list.sort(byTime);
    for (const node of list) {
      node.depth = depth;
      sortDeep(node.children, depth + 1);
    }
  };
  sortDeep(roots, 0);
  return roots;
}

/** The tree in display order (depth-first), for a flat list with indentation. */
export function flattenSnapshotTree(roots: readonly SnapshotNode[]): SnapshotNode[] {
  const out: SnapshotNode[] = [];
  const walk = (list: readonly SnapshotNode[]) => {
    for (const node of list) {
      out.push(node);
      walk(node.children);
    }
  };
  walk(roots);
  return out;
}
