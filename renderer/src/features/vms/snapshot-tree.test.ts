import { describe, expect, it } from 'vitest';
import { buildSnapshotTree, flattenSnapshotTree, NOW } from './snapshot-tree';

const shape = (rows: ReturnType<typeof flattenSnapshotTree>) => rows.map((r) => `${'  '.repeat(r.depth)}${r.name}`);

describe('snapshot tree', () => {
  it('nests snapshots by parent and puts NOW under the current one', () => {
    const tree = buildSnapshotTree(
      [
        { name: 'fresh', snaptime: 100, vmstate: false },
        { name: 'updated', parent: 'fresh', snaptime: 200, vmstate: true },
        { name: 'experiment', parent: 'fresh', snaptime: 300, vmstate: false },
        { name: 'later', parent: 'updated', snaptime: 400, vmstate: false },
      ],
      'updated',
    );
    expect(shape(flattenSnapshotTree(tree))).toEqual(['fresh', '  updated', '    later', `    ${NOW}`, '  experiment']);
  });

  it('shows only NOW without snapshots, and NOW as a root when nothing is current', () => {
    expect(shape(flattenSnapshotTree(buildSnapshotTree([], undefined)))).toEqual([NOW]);
    expect(shape(flattenSnapshotTree(buildSnapshotTree([{ name: 'a', snaptime: 1, vmstate: false }], undefined)))).toEqual([
      'a',
      NOW,
    ]);
  });

  it('makes a snapshot with a missing parent or in a cycle a root instead of losing it', () => {
    const rows = flattenSnapshotTree(
      buildSnapshotTree(
        [
          { name: 'orphan', parent: 'gone', snaptime: 5, vmstate: false },
          { name: 'x', parent: 'y', snaptime: 6, vmstate: false },
          { name: 'y', parent: 'x', snaptime: 7, vmstate: false },
        ],
        'orphan',
      ),
    );
    expect(rows.map((r) => r.name).sort()).toEqual([NOW, 'orphan', 'x', 'y'].sort());
    expect(rows.find((r) => r.name === 'orphan')?.depth).toBe(0);
  });
});
