import { describe, expect, it } from 'vitest';
import type { Inventory, NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import { createAppStore } from './store';
import { allOffline, treeRows } from './selectors';

const node = (key: string, state: NodeEntry['state'] = 'online'): NodeEntry => {
  const [cluster = '', name = ''] = key.split('/');
  return { key, cluster, name, host: `198.18.0.${name.length}`, state };
};
const task = (upid: string, starttime: number, status: TaskEntry['status'] = 'stopped'): TaskEntry => ({
  upid,
  node: 'n1',
  nodeKey: 'lab/n1',
  type: 'node.check',
  id: '',
  user: 'root',
  starttime,
  status,
});
const snapshot = (revision: number): Inventory => ({
  revision,
  clusters: { lab: { id: 'lab', name: 'lab', nodes: ['lab/n1', 'lab/n2'] } },
  nodes: { 'lab/n1': node('lab/n1'), 'lab/n2': node('lab/n2', 'offline') },
  tasks: {},
});

describe('inventory slice', () => {
  it('applies a newer patch: replaces, adds and removes entries', () => {
    const store = createAppStore();
    store.getState().applySnapshot(snapshot(5));
    store.getState().applyPatch({
      revision: 6,
      nodes: { 'lab/n1': node('lab/n1', 'offline'), 'lab/n2': null, 'lab/n3': node('lab/n3', 'connecting') },
    });
    const s = store.getState();
    expect(s.revision).toBe(6);
    expect(s.nodes['lab/n1']?.state).toBe('offline');
    expect(s.nodes['lab/n2']).toBeUndefined();
    expect(s.nodes['lab/n3']?.state).toBe('connecting');
  });

  it('drops patches whose revision is not newer than the current one', () => {
    const store = createAppStore();
    store.getState().applySnapshot(snapshot(5));
    store.getState().applyPatch({ revision: 5, nodes: { 'lab/n1': node('lab/n1', 'auth-failed') } });
    store.getState().applyPatch({ revision: 3, nodes: { 'lab/n1': node('lab/n1', 'agent-error') } });
    expect(store.getState().nodes['lab/n1']?.state).toBe('online');
    expect(store.getState().revision).toBe(5);
  });

  it('keeps untouched collections identical so their selectors do not re-run', () => {
    const store = createAppStore();
    store.getState().applySnapshot(snapshot(1));
    const before = store.getState();
    store.getState().applyPatch({ revision: 2, tasks: { [U1]: task(U1, 100) } });
    const after = store.getState();
    expect(after.nodes).toBe(before.nodes);
    expect(after.clusters).toBe(before.clusters);
    expect(after.tasks).not.toBe(before.tasks);
  });

  it('holds patches that arrive before the snapshot and applies only the newer ones after it', () => {
    const store = createAppStore();
    store.getState().applyPatch({ revision: 4, nodes: { 'lab/n1': node('lab/n1', 'agent-error') } });
    store.getState().applyPatch({ revision: 7, nodes: { 'lab/n2': node('lab/n2', 'online') } });
    expect(store.getState().loaded).toBe(false);
    expect(store.getState().nodes).toEqual({});
    store.getState().applySnapshot(snapshot(5));
    const s = store.getState();
    expect(s.loaded).toBe(true);
    expect(s.revision).toBe(7);
    expect(s.nodes['lab/n1']?.state).toBe('online'); // revision 4 was already in the snapshot
    expect(s.nodes['lab/n2']?.state).toBe('online'); // revision 7 is newer than the snapshot
    expect(s.pendingPatches).toEqual([]);
  });

  it('ignores a snapshot older than the state it already holds', () => {
    const store = createAppStore();
    store.getState().applySnapshot(snapshot(5));
    store.getState().applyPatch({ revision: 9, nodes: { 'lab/n2': null } });
    store.getState().applySnapshot(snapshot(8));
    expect(store.getState().nodes['lab/n2']).toBeUndefined();
  });
});

const U1 = 'UPID:n1:0000AAAA:00000001:00000064:node.check::root:';
const U2 = 'UPID:n1:0000AAAB:00000002:000000C8:node.check::root:';
const U3 = 'UPID:n1:0000AAAC:00000003:0000012C:node.check::root:';

describe('derived selectors', () => {
  it('flattens the tree by cluster, naturally sorted, and hides folded clusters', () => {
    const store = createAppStore();
    store.getState().applySnapshot({
      revision: 1,
      clusters: {
        prod: { id: 'prod', name: 'prod', nodes: [] },
        lab: { id: 'lab', name: 'lab', nodes: [] },
      },
      nodes: { 'lab/n10': node('lab/n10'), 'lab/n2': node('lab/n2'), 'prod/p1': node('prod/p1') },
      tasks: {},
    });
    expect(treeRows(store.getState())).toEqual([
      'datacenter',
      'cluster:lab',
      'node:lab/n2',
      'node:lab/n10',
      'cluster:prod',
      'node:prod/p1',
    ]);
    store.getState().toggleCollapsed('lab');
    expect(treeRows(store.getState())).toEqual(['datacenter', 'cluster:lab', 'cluster:prod', 'node:prod/p1']);
  });

  it('orders tasks running first, then newest first, and keeps the order through progress-only patches', () => {
    const store = createAppStore();
    store.getState().applySnapshot({
      ...snapshot(1),
      tasks: { [U1]: task(U1, 100), [U2]: task(U2, 200), [U3]: task(U3, 50, 'running') },
    });
    const order = store.getState().taskOrder;
    expect(order).toEqual([U3, U2, U1]);
    store.getState().applyPatch({ revision: 2, tasks: { [U3]: { ...task(U3, 50, 'running'), progress: 0.5 } } });
    expect(store.getState().taskOrder).toBe(order);
    store.getState().applyPatch({ revision: 3, tasks: { [U3]: { ...task(U3, 50), exitstatus: 'OK' } } });
    expect(store.getState().taskOrder).toEqual([U2, U1, U3]);
  });

  it('rebuilds the node order when a node is added or renamed, not on a state change', () => {
    const store = createAppStore();
    store.getState().applySnapshot(snapshot(1));
    const order = store.getState().nodeOrder;
    expect(order).toEqual({ lab: ['lab/n1', 'lab/n2'] });
    store.getState().applyPatch({ revision: 2, nodes: { 'lab/n1': node('lab/n1', 'offline') } });
    expect(store.getState().nodeOrder).toBe(order);
    store.getState().applyPatch({ revision: 3, nodes: { 'lab/n0': node('lab/n0') } });
    expect(store.getState().nodeOrder).toEqual({ lab: ['lab/n0', 'lab/n1', 'lab/n2'] });
    store.getState().applyPatch({ revision: 4, nodes: { 'lab/n0': { ...node('lab/n0'), name: 'z9' } } });
    expect(store.getState().nodeOrder).toEqual({ lab: ['lab/n1', 'lab/n2', 'lab/n0'] });
  });

  it('calls the datacenter all-offline only when no node is online or connecting', () => {
    expect(allOffline({})).toBe(false);
    expect(allOffline({ a: node('c/a', 'offline'), b: node('c/b', 'auth-failed') })).toBe(true);
    expect(allOffline({ a: node('c/a', 'offline'), b: node('c/b', 'connecting') })).toBe(false);
  });
});
