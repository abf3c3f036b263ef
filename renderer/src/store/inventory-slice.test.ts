import { describe, expect, it } from 'vitest';
import type { GuestEntry, Inventory, NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import { createAppStore } from './store';
import { allOffline, guestTotals, treeRows } from './selectors';

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
  guests: {},
});

describe('inventory slice', () => {
  it('takes a whole new snapshot after the link came back, even with revisions that started over', () => {
    const store = createAppStore();
    store.getState().applySnapshot(snapshot(50));
    store.getState().beginResync();
    // Patches that arrive meanwhile wait for the snapshot; what is shown stays until then.
    store.getState().applyPatch({ revision: 3, nodes: { 'lab/n2': node('lab/n2', 'online') } });
    expect(store.getState().nodes['lab/n2']?.state).toBe('offline');
    store.getState().applySnapshot({ ...snapshot(2), nodes: { 'lab/n1': node('lab/n1', 'connecting') } });
    const s = store.getState();
    expect(s.revision).toBe(3);
    expect(s.nodes['lab/n1']?.state).toBe('connecting');
    expect(s.nodes['lab/n2']?.state).toBe('online');
    expect(s.resyncing).toBe(false);
    store.getState().applySnapshot(snapshot(1));
    expect(store.getState().revision).toBe(3);
  });

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
      guests: {},
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

const guest = (nodeKey: string, vmid: number, patch: Partial<GuestEntry> = {}): GuestEntry => ({
  vmid,
  type: 'qemu',
  name: `vm${vmid}`,
  status: 'running',
  cpu: 0.1,
  maxcpu: 1,
  mem: 1,
  maxmem: 2,
  disk: 0,
  maxdisk: 8,
  uptime: 1,
  netin: 0,
  netout: 0,
  diskread: 0,
  diskwrite: 0,
  ...patch,
  key: `${nodeKey}/${vmid}`,
  nodeKey,
});
const guestMap = (...entries: GuestEntry[]) => Object.fromEntries(entries.map((g) => [g.key, g]));

describe('guests in the store', () => {
  const withGuests = (revision: number, ...entries: GuestEntry[]): Inventory => ({ ...snapshot(revision), guests: guestMap(...entries) });

  it('orders each node by vmid, applies updates and removals, and drops stale patches', () => {
    const store = createAppStore();
    store.getState().applySnapshot(withGuests(1, guest('lab/n1', 1000), guest('lab/n1', 101), guest('lab/n1', 200), guest('lab/n2', 100)));
    expect(store.getState().guestOrder).toEqual({ 'lab/n1': ['lab/n1/101', 'lab/n1/200', 'lab/n1/1000'], 'lab/n2': ['lab/n2/100'] });

    store.getState().applyPatch({ revision: 2, guests: { 'lab/n1/200': guest('lab/n1', 200, { status: 'stopped', cpu: 0 }), 'lab/n2/100': null } });
    let s = store.getState();
    expect(s.guests.get('lab/n1/200')).toMatchObject({ status: 'stopped', cpu: 0 });
    expect(s.guests.has('lab/n2/100')).toBe(false);
    expect(s.guestOrder['lab/n2']).toBeUndefined();

    store.getState().applyPatch({ revision: 2, guests: { 'lab/n1/101': guest('lab/n1', 101, { name: 'late' }) } });
    store.getState().applyPatch({ revision: 1, guests: { 'lab/n1/999': guest('lab/n1', 999) } });
    s = store.getState();
    expect(s.guests.get('lab/n1/101')?.name).toBe('vm101');
    expect(s.guests.has('lab/n1/999')).toBe(false);
    expect(s.revision).toBe(2);
  });

  it('keeps the node order arrays while the set of guests is unchanged and merges new vmids in place', () => {
    const store = createAppStore();
    store.getState().applySnapshot(withGuests(1, guest('lab/n1', 100), guest('lab/n1', 300), guest('lab/n2', 100)));
    const order = store.getState().guestOrder;
    const counts = store.getState().guestCounts;
    const rows = treeRows(store.getState());
    // A CPU tick: entries change, order, counts and the tree rows keep their identity.
    store.getState().applyPatch({ revision: 2, guests: { 'lab/n1/100': guest('lab/n1', 100, { cpu: 0.9 }) } });
    expect(store.getState().guestOrder).toBe(order);
    expect(store.getState().guestCounts).toBe(counts);
    expect(treeRows(store.getState())).toBe(rows);
    expect(store.getState().guests.get('lab/n1/100')?.cpu).toBe(0.9);

    store.getState().applyPatch({ revision: 3, guests: { 'lab/n1/200': guest('lab/n1', 200), 'lab/n1/50': guest('lab/n1', 50), 'lab/n1/300': null } });
    const next = store.getState().guestOrder;
    expect(next['lab/n1']).toEqual(['lab/n1/50', 'lab/n1/100', 'lab/n1/200']);
    expect(next['lab/n2']).toBe(order['lab/n2']);
  });

  it('counts running and total guests per node, cluster and datacenter', () => {
    const store = createAppStore();
    store.getState().applySnapshot({
      ...withGuests(1, guest('lab/n1', 100), guest('lab/n1', 101, { status: 'stopped' }), guest('lab/n2', 102, { status: 'paused' })),
      clusters: { lab: { id: 'lab', name: 'lab', nodes: ['lab/n1', 'lab/n2'] }, prod: { id: 'prod', name: 'prod', nodes: ['prod/p1'] } },
      nodes: { 'lab/n1': node('lab/n1'), 'lab/n2': node('lab/n2'), 'prod/p1': node('prod/p1') },
    });
    store.getState().applyPatch({ revision: 2, guests: { 'prod/p1/200': guest('prod/p1', 200), 'lab/n1/101': guest('lab/n1', 101) } });
    const s = store.getState();
    expect(s.guestCounts['lab/n1']).toEqual({ running: 2, total: 2 });
    expect(guestTotals(s, 'lab')).toEqual({ running: 2, total: 3 });
    expect(guestTotals(s)).toEqual({ running: 3, total: 4 });
    store.getState().applyPatch({ revision: 3, nodes: { 'prod/p1': null }, guests: { 'prod/p1/200': null } });
    expect(guestTotals(store.getState())).toEqual({ running: 2, total: 3 });
  });

  it('lists guests under their node in the tree and hides them when the node is folded', () => {
    const store = createAppStore();
    store.getState().applySnapshot(withGuests(1, guest('lab/n2', 105), guest('lab/n1', 101), guest('lab/n1', 100)));
    expect(treeRows(store.getState())).toEqual([
      'datacenter',
      'cluster:lab',
      'node:lab/n1',
      'guest:lab/n1/100',
      'guest:lab/n1/101',
      'node:lab/n2',
      'guest:lab/n2/105',
    ]);
    store.getState().toggleCollapsed('lab/n1');
    expect(treeRows(store.getState())).toEqual(['datacenter', 'cluster:lab', 'node:lab/n1', 'node:lab/n2', 'guest:lab/n2/105']);
    store.getState().toggleCollapsed('lab');
    expect(treeRows(store.getState())).toEqual(['datacenter', 'cluster:lab']);
  });

  it('applies guest patches that arrived before the snapshot only when newer than it', () => {
    const store = createAppStore();
    store.getState().applyPatch({ revision: 3, guests: { 'lab/n1/100': guest('lab/n1', 100, { name: 'old' }) } });
    store.getState().applyPatch({ revision: 9, guests: { 'lab/n1/101': guest('lab/n1', 101), 'lab/n1/100': guest('lab/n1', 100, { status: 'stopped' }) } });
    store.getState().applySnapshot(withGuests(5, guest('lab/n1', 100, { name: 'web' })));
    const s = store.getState();
    expect(s.guests.get('lab/n1/100')).toMatchObject({ name: 'vm100', status: 'stopped' });
    expect(s.guestOrder['lab/n1']).toEqual(['lab/n1/100', 'lab/n1/101']);
    expect(s.guestCounts['lab/n1']).toEqual({ running: 1, total: 2 });
  });

  it('keeps 16,000 guests current through 1,000 changes without re-sorting', () => {
    const store = createAppStore();
    const all: GuestEntry[] = [];
    const nodes: Record<string, NodeEntry> = {};
    for (let n = 1; n <= 32; n++) {
      nodes[`lab/n${n}`] = node(`lab/n${n}`);
      for (let v = 0; v < 500; v++) all.push(guest(`lab/n${n}`, 100 + v));
    }
    store.getState().applySnapshot({ ...withGuests(1, ...all), nodes });
    const order = store.getState().guestOrder;
    const rows = treeRows(store.getState());
    expect(rows).toHaveLength(2 + 32 + 16_000);
    for (let i = 0; i < 1000; i++) {
      const n = (i % 32) + 1;
      const vmid = 100 + ((i * 7) % 500);
      store.getState().applyPatch({ revision: 2 + i, guests: { [`lab/n${n}/${vmid}`]: guest(`lab/n${n}`, vmid, { cpu: i / 1000 }) } });
    }
    expect(store.getState().guestOrder).toBe(order);
    expect(treeRows(store.getState())).toBe(rows);
    expect(store.getState().guests.get('lab/n8/593')?.cpu).toBe(0.999);
  });
});
