import { describe, expect, it } from 'vitest';
import type { StorageStatusEntry } from '../../../node-agent/src/api';
import { createAppStore } from './store';
import { treeRows } from './selectors';

const status = (storage: string, used = 1): StorageStatusEntry => ({
  storage,
  type: 'dir',
  enabled: true,
  content: ['iso'],
  active: true,
  total: 10,
  used,
  avail: 10 - used,
});

describe('storage slice', () => {
  it('orders storages by name and keeps the order while only usage changes', () => {
    const store = createAppStore();
    store.getState().setNodeStorages('lab/n1', [status('local-2'), status('local'), status('local-10')]);
    const order = store.getState().storageOrder;
    expect(order['lab/n1']).toEqual(['local', 'local-2', 'local-10']);
    store.getState().setNodeStorages('lab/n1', [status('local', 5), status('local-2'), status('local-10')]);
    expect(store.getState().storageOrder).toBe(order);
    expect(store.getState().storages['lab/n1']?.local?.used).toBe(5);
  });

  it('rebuilds the order when a storage comes or goes, and forgets a node', () => {
    const store = createAppStore();
    store.getState().setNodeStorages('lab/n1', [status('local')]);
    const order = store.getState().storageOrder;
    store.getState().setNodeStorages('lab/n1', [status('local'), status('big')]);
    expect(store.getState().storageOrder).not.toBe(order);
    expect(store.getState().storageOrder['lab/n1']).toEqual(['big', 'local']);
    store.getState().setNodeStorages('lab/n1', null);
    expect(store.getState().storageOrder['lab/n1']).toBeUndefined();
    expect(store.getState().storages['lab/n1']).toBeUndefined();
  });
});

describe('storages in the resource tree', () => {
  it("lists a node's storages under it, folds them with the node, and keeps the rows through usage ticks", () => {
    const store = createAppStore();
    store.getState().applySnapshot({
      revision: 1,
      clusters: { lab: { id: 'lab', name: 'lab', nodes: ['lab/n1'] } },
      nodes: { 'lab/n1': { key: 'lab/n1', cluster: 'lab', name: 'n1', host: '198.18.0.11', state: 'online' } },
      tasks: {},
      guests: {},
    });
    store.getState().setNodeStorages('lab/n1', [status('local'), status('backup')]);
    const rows = treeRows(store.getState());
    expect(rows).toEqual(['datacenter', 'cluster:lab', 'node:lab/n1', 'storage:lab/n1/backup', 'storage:lab/n1/local']);
    store.getState().setNodeStorages('lab/n1', [status('local', 7), status('backup', 3)]);
    expect(treeRows(store.getState())).toBe(rows);
    store.getState().toggleCollapsed('lab/n1');
    expect(treeRows(store.getState())).toEqual(['datacenter', 'cluster:lab', 'node:lab/n1']);
  });
});
