import { describe, expect, it } from 'vitest';
import type { StorageStatusEntry } from '../../node-agent/src/api';
import { Aggregator } from './aggregator';
import { hello, meta, TestSession } from './aggregator-testkit';
import { NodeEntry, type InventoryPatch } from './inventory-schema';

const entry = (storage: string, used: number, patch: Partial<StorageStatusEntry> = {}): StorageStatusEntry => ({
  storage,
  type: 'dir',
  content: ['images', 'iso'],
  enabled: true,
  total: 1000,
  used,
  avail: 1000 - used,
  active: true,
  ...patch,
});

const setup = (seedOnHello = false) => {
  const aggregator = new Aggregator({ seedOnHello, now: () => 1_000 });
  const session = new TestSession('lab/n1');
  aggregator.addNode(meta('n1'), session);
  session.setState('online');
  return { aggregator, session };
};

describe('Aggregator: storages', () => {
  it('applies storage.status to the node entry, which the inventory schema accepts', () => {
    const { aggregator, session } = setup();
    expect(aggregator.entry('lab/n1')?.storages).toBeUndefined();
    session.emit('storage.status', { storages: [entry('local', 100), entry('tank', 0, { active: false, error: 'storage tank did not report its status within 5 s' })] }, 3);
    const node = aggregator.entry('lab/n1');
    expect(node?.storages?.map((s) => [s.storage, s.used, s.active])).toEqual([
      ['local', 100, true],
      ['tank', 0, false],
    ]);
    expect(node).toMatchObject({ epoch: 'e1', revision: 3 });
    expect(NodeEntry.parse(node)).toEqual(node);
    expect(aggregator.snapshot().nodes['lab/n1']?.storages).toHaveLength(2);
  });

  it('drops a stale storage.status and ignores data that does not match the contract', () => {
    const { aggregator, session } = setup();
    session.emit('storage.status', { storages: [entry('local', 500)] }, 7);
    session.emit('storage.status', { storages: [entry('local', 100)] }, 6);
    session.emit('storage.status', { storages: [entry('local', 200)] }, 7);
    expect(aggregator.entry('lab/n1')?.storages?.[0]?.used).toBe(500);
    session.emit('storage.status', { storages: [{ storage: 'local' }] }, 8);
    expect(aggregator.entry('lab/n1')?.storages?.[0]?.used).toBe(500);
    // A restarted agent (new epoch) starts its revisions over.
    session.emit('storage.status', { storages: [] }, 1, 'e2');
    expect(aggregator.entry('lab/n1')?.storages).toEqual([]);
  });

  it('keeps the last-known storages while the node is offline, and takes them from the offline cache', () => {
    const { aggregator, session } = setup();
    session.emit('storage.status', { storages: [entry('local', 300)] }, 1);
    session.setState('offline');
    expect(aggregator.entry('lab/n1')).toMatchObject({ state: 'offline', storages: [{ storage: 'local', used: 300 }] });
    aggregator.addNode(meta('n2'), undefined, { storages: [entry('nas', 42)] });
    expect(aggregator.entry('lab/n2')?.storages).toEqual([entry('nas', 42)]);
  });

  it('sends the node entry with its storages in the next patch', () => {
    const { aggregator, session } = setup();
    aggregator.flush();
    const patches: InventoryPatch[] = [];
    aggregator.onPatch((patch) => patches.push(patch));
    session.emit('storage.status', { storages: [entry('local', 1)] }, 1);
    aggregator.flush();
    expect(patches).toHaveLength(1);
    expect(patches[0]?.nodes?.['lab/n1']?.storages).toEqual([entry('local', 1)]);
  });

  it('seeds storages on hello (enabled ones, as the event carries), never over a newer event', async () => {
    const first = setup(true);
    first.session.answers.set('storage.status', () => Promise.resolve([entry('local', 10), entry('off', 0, { enabled: false, active: false })]));
    first.session.sayHello(hello('n1'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.aggregator.entry('lab/n1')?.storages).toEqual([entry('local', 10)]);

    const second = setup(true);
    let answer: (storages: StorageStatusEntry[]) => void = () => undefined;
    second.session.answers.set('storage.status', () => new Promise((resolve) => (answer = resolve)));
    second.session.sayHello(hello('n1'));
    second.session.emit('storage.status', { storages: [entry('local', 99)] }, 1);
    answer([entry('local', 10)]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(second.aggregator.entry('lab/n1')?.storages).toEqual([entry('local', 99)]);
    first.aggregator.dispose();
    second.aggregator.dispose();
  });
});
