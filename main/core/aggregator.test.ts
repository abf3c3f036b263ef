import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError, type GuestStatus, type NodeStatus, type TaskInfo } from '../../node-agent/src/api';
import type { InventoryPatch } from './inventory-schema';
import { Aggregator } from './aggregator';
import { hello, meta, TestSession } from './aggregator-testkit';

afterEach(() => {
  vi.useRealTimers();
});

const status = (node: string, uptime: number): NodeStatus => ({
  node,
  hostname: node,
  kernel: '6.1.0',
  cpuModel: 'QEMU',
  cpus: 2,
  cpu: 0.5,
  loadavg: [1, 1, 1],
  uptime,
  memory: { total: 4e9, used: 1e9, free: 3e9 },
  swap: { total: 0, used: 0 },
  rootfs: { total: 1e10, used: 1e9, avail: 9e9 },
  agentVersion: '0.1.1',
  time: uptime,
});
const upid = (node: string, n: number) => `UPID:${node}:${n.toString(16).toUpperCase().padStart(8, '0')}:00001000:65000000:qmstart:${n}:root@pam:`;
const task = (node: string, n: number, state: 'running' | 'stopped'): TaskInfo => ({
  upid: upid(node, n),
  node,
  type: 'qmstart',
  id: String(n),
  user: 'root@pam',
  starttime: 1_700_000_000 + n,
  status: state,
  ...(state === 'stopped' ? { endtime: 1_700_000_001 + n, exitstatus: 'OK' } : {}),
});

const guest = (vmid: number, patch: Partial<GuestStatus> = {}): GuestStatus => ({
  vmid,
  type: 'qemu',
  name: `vm${vmid}`,
  status: 'running',
  cpu: 0.1,
  maxcpu: 2,
  mem: 512e6,
  maxmem: 2e9,
  disk: 0,
  maxdisk: 32e9,
  uptime: 60,
  netin: 100,
  netout: 50,
  diskread: 0,
  diskwrite: 0,
  ...patch,
});

const setup = (options: ConstructorParameters<typeof Aggregator>[0] = {}) => {
  let clock = 1_000;
  const aggregator = new Aggregator({ seedOnHello: false, now: () => clock, ...options });
  const patches: InventoryPatch[] = [];
  aggregator.onPatch((patch) => patches.push(patch));
  return { aggregator, patches, tick: (ms: number) => (clock += ms), time: () => clock };
};

/** Four nodes (lab/n1..n4) added on fake timers, their first patch sent and dropped: where the load tests start. */
const setupFourNodes = async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const { aggregator, patches } = setup();
  const sessions = Array.from({ length: 4 }, (_, i) => new TestSession(`lab/n${i + 1}`));
  sessions.forEach((session, i) => aggregator.addNode(meta(`n${i + 1}`), session));
  await vi.advanceTimersByTimeAsync(50);
  patches.length = 0;
  return { aggregator, patches, sessions };
};

describe('Aggregator', () => {
  it('follows the connection state and keeps the error of a failed one', () => {
    const { aggregator } = setup();
    const session = new TestSession('lab/n1');
    aggregator.addNode(meta('n1'), session);
    expect(aggregator.entry('lab/n1')).toMatchObject({ state: 'connecting', cluster: 'lab', name: 'n1', host: 'n1.lab' });
    session.setState('auth-failed', new AppError('access-denied', 'root@n1.lab refused the key'));
    expect(aggregator.entry('lab/n1')).toMatchObject({ state: 'auth-failed', error: { code: 'access-denied', message: 'root@n1.lab refused the key' } });
    session.setState('online');
    session.sayHello(hello('n1'));
    const entry = aggregator.entry('lab/n1');
    expect(entry).toMatchObject({ state: 'online', agentVersion: '0.1.0' });
    expect(entry?.error).toBeUndefined();
    expect(aggregator.snapshot().clusters).toEqual({ lab: { id: 'lab', name: 'LAB', nodes: ['lab/n1'] } });
  });

  it('applies node.status, drops stale revisions and accepts a new epoch', () => {
    const { aggregator, tick, time } = setup();
    const session = new TestSession('lab/n1');
    aggregator.addNode(meta('n1'), session);
    session.setState('online');
    session.emit('node.status', status('n1', 10), 5);
    expect(aggregator.entry('lab/n1')).toMatchObject({ status: { uptime: 10 }, asOf: time(), epoch: 'e1', revision: 5, agentVersion: '0.1.1' });
    const firstAsOf = time();
    tick(1000);
    session.emit('node.status', status('n1', 4), 4);
    session.emit('node.status', status('n1', 5), 5);
    expect(aggregator.entry('lab/n1')).toMatchObject({ status: { uptime: 10 }, asOf: firstAsOf, revision: 5 });
    // The agent restarted: its revisions start over under a new epoch.
    session.emit('node.status', status('n1', 1), 1, 'e2');
    expect(aggregator.entry('lab/n1')).toMatchObject({ status: { uptime: 1 }, asOf: time(), epoch: 'e2', revision: 1 });
    // Data that does not match the contract is ignored.
    session.emit('node.status', { node: 'n1' }, 2, 'e2');
    expect(aggregator.entry('lab/n1')?.status?.uptime).toBe(1);
  });

  it('keeps the newest metrics sample for live charts', () => {
    const { aggregator } = setup();
    const session = new TestSession('lab/n1');
    aggregator.addNode(meta('n1'), session);
    session.setState('online');
    const point = { t: 1_764_000_000_000, cpu: 0.5, load: 1, memUsed: 1, memTotal: 2, swapUsed: 0, swapTotal: 0, netIn: 10, netOut: 20, diskRead: 30, diskWrite: 40, rootUsed: 1, rootTotal: 2 };
    session.emit('node.metrics', point, 1);
    expect(aggregator.entry('lab/n1')?.metrics).toEqual(point);
    session.emit('node.metrics', { ...point, t: 'soon' }, 2);
    expect(aggregator.entry('lab/n1')?.metrics).toEqual(point);
  });

  it('keeps the last status and its asOf when a node goes offline', () => {
    const { aggregator, tick } = setup();
    const session = new TestSession('lab/n1');
    aggregator.addNode(meta('n1'), session);
    session.setState('online');
    session.emit('node.status', status('n1', 42), 1);
    const asOf = aggregator.entry('lab/n1')?.asOf;
    tick(60_000);
    session.setState('offline', new AppError('unreachable', 'n1.lab:22 did not answer'));
    expect(aggregator.entry('lab/n1')).toMatchObject({ state: 'offline', status: { uptime: 42 }, asOf, error: { code: 'unreachable' } });
  });

  it('shows a node with no session from its last-known state', () => {
    const { aggregator } = setup();
    aggregator.addNode(meta('n1'), undefined, { status: status('n1', 9), asOf: 123, agentVersion: '0.0.9' });
    expect(aggregator.snapshot().nodes['lab/n1']).toEqual({ key: 'lab/n1', cluster: 'lab', name: 'n1', host: 'n1.lab', state: 'offline', status: status('n1', 9), asOf: 123, agentVersion: '0.0.9' });
  });

  it('keeps every running task and the newest finished ones per node', () => {
    const { aggregator, patches } = setup({ maxFinishedTasks: 3 });
    const session = new TestSession('lab/n1');
    aggregator.addNode(meta('n1'), session);
    session.emit('task.update', task('n1', 100, 'running'), 1);
    for (let n = 1; n <= 5; n++) session.emit('task.update', task('n1', n, 'stopped'), 1 + n);
    aggregator.flush();
    const tasks = aggregator.snapshot().tasks;
    expect(Object.keys(tasks).sort()).toEqual([upid('n1', 100), upid('n1', 3), upid('n1', 4), upid('n1', 5)].sort());
    expect(tasks[upid('n1', 100)]).toMatchObject({ status: 'running', nodeKey: 'lab/n1' });
    // The trimmed ones were announced and then removed in the same patch.
    const last = patches.at(-1);
    expect(last?.tasks?.[upid('n1', 1)]).toBeNull();
    expect(last?.tasks?.[upid('n1', 2)]).toBeNull();
    expect(last?.tasks?.[upid('n1', 5)]).toMatchObject({ status: 'stopped', exitstatus: 'OK' });

    session.emit('task.update', task('n1', 100, 'stopped'), 10);
    const after = aggregator.snapshot().tasks;
    expect(after[upid('n1', 100)]?.status).toBe('stopped');
    expect(after[upid('n1', 3)]).toBeUndefined();
  });

  it('coalesces a burst of 1000 events into one patch with only the changed entries', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { aggregator, patches } = setup();
    const busy = new TestSession('lab/n1');
    const quiet = new TestSession('lab/n2');
    aggregator.addNode(meta('n1'), busy);
    aggregator.addNode(meta('n2'), quiet);
    await vi.advanceTimersByTimeAsync(50);
    patches.length = 0;

    for (let i = 1; i <= 1000; i++) busy.emit('node.status', status('n1', i), i);
    expect(patches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(patches).toHaveLength(1);
    const patch = patches[0];
    expect(Object.keys(patch?.nodes ?? {})).toEqual(['lab/n1']);
    expect(patch?.nodes?.['lab/n1']?.status?.uptime).toBe(1000);
    expect(patch?.clusters).toBeUndefined();
    expect(patch?.tasks).toBeUndefined();
    expect(patch?.revision).toBe(aggregator.snapshot().revision);
  });

  it('sends at most 20 patches a second under 1000 changes a second', async () => {
    const { patches, sessions } = await setupFourNodes();
    for (let ms = 1; ms <= 1000; ms++) {
      const session = sessions[ms % 4];
      session?.emit('task.update', task(`n${(ms % 4) + 1}`, ms, ms % 3 === 0 ? 'stopped' : 'running'), ms);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(patches.length).toBeGreaterThanOrEqual(15);
    expect(patches.length).toBeLessThanOrEqual(20);
    const taskCount = patches.reduce((sum, p) => sum + Object.keys(p.tasks ?? {}).length, 0);
    expect(taskCount).toBe(1000);
  });

  it('announces a removed node, its tasks and its emptied cluster as null', () => {
    const { aggregator, patches } = setup();
    const session = new TestSession('solo/n9');
    aggregator.addNode(meta('n9', 'solo'), session);
    session.emit('task.update', task('n9', 1, 'running'), 1);
    aggregator.flush();
    aggregator.removeNode('solo/n9');
    session.emit('node.status', status('n9', 1), 2);
    aggregator.flush();
    expect(patches.at(-1)).toMatchObject({ nodes: { 'solo/n9': null }, clusters: { solo: null }, tasks: { [upid('n9', 1)]: null } });
    expect(aggregator.snapshot()).toMatchObject({ nodes: {}, clusters: {}, tasks: {} });
  });

  it('seeds status and tasks on hello without overriding a newer event', async () => {
    const { aggregator } = setup({ seedOnHello: true });
    const session = new TestSession('lab/n1');
    let answerStatus: (status: NodeStatus) => void = () => undefined;
    session.answers.set('node.status', () => new Promise((resolve) => (answerStatus = resolve)));
    session.answers.set('task.list', () => Promise.resolve([task('n1', 2, 'running'), task('n1', 1, 'stopped')]));
    aggregator.addNode(meta('n1'), session);
    session.setState('online');
    session.sayHello(hello('n1'));
    session.emit('node.status', status('n1', 500), 1);
    answerStatus(status('n1', 400));
    await vi.waitFor(() => expect(Object.keys(aggregator.snapshot().tasks)).toHaveLength(2));
    expect(aggregator.entry('lab/n1')?.status?.uptime).toBe(500);
  });

  it('learns on reconnect that a task it saw running has ended', async () => {
    const { aggregator } = setup({ seedOnHello: true });
    const session = new TestSession('lab/n1');
    aggregator.addNode(meta('n1'), session);
    session.setState('online');
    session.emit('task.update', task('n1', 7, 'running'), 1);
    session.emit('task.update', task('n1', 8, 'running'), 2);
    session.setState('offline', new AppError('unreachable', 'gone'));
    // While offline, task 7 ended; task 8 ended too and is in the recent list.
    session.answers.set('node.status', () => Promise.resolve(status('n1', 1)));
    session.answers.set('task.list', () => Promise.resolve([task('n1', 8, 'stopped')]));
    session.answers.set('task.status', () => Promise.resolve(task('n1', 7, 'stopped')));
    session.setState('online');
    session.sayHello(hello('n1'));
    await vi.waitFor(() => {
      const tasks = aggregator.snapshot().tasks;
      expect(tasks[upid('n1', 7)]?.status).toBe('stopped');
      expect(tasks[upid('n1', 8)]?.status).toBe('stopped');
    });
  });

  describe('guests', () => {
    it('applies guest.update and guest.remove under the node, keyed <nodeKey>/<vmid>, without re-sending the node', () => {
      const { aggregator, patches } = setup();
      const session = new TestSession('lab/n1');
      aggregator.addNode(meta('n1'), session);
      session.setState('online');
      aggregator.flush();
      patches.length = 0;

      session.emit('guest.update', guest(100), 1);
      session.emit('guest.update', guest(101, { type: 'lxc', name: 'ct101', status: 'stopped', template: true, tags: ['db'] }), 2);
      aggregator.flush();
      expect(patches).toHaveLength(1);
      expect(patches[0]?.nodes).toBeUndefined();
      expect(patches[0]?.guests).toEqual({
        'lab/n1/100': { ...guest(100), key: 'lab/n1/100', nodeKey: 'lab/n1' },
        'lab/n1/101': { ...guest(101, { type: 'lxc', name: 'ct101', status: 'stopped', template: true, tags: ['db'] }), key: 'lab/n1/101', nodeKey: 'lab/n1' },
      });

      session.emit('guest.update', guest(100, { status: 'paused', cpu: 0 }), 3);
      session.emit('guest.remove', { vmid: 101, type: 'qemu' }, 4); // not the guest we hold: an lxc
      session.emit('guest.remove', { vmid: 555, type: 'qemu' }, 5); // never seen
      aggregator.flush();
      expect(patches.at(-1)?.guests).toEqual({ 'lab/n1/100': expect.objectContaining({ status: 'paused', cpu: 0 }) as unknown });
      expect(Object.keys(aggregator.snapshot().guests).sort()).toEqual(['lab/n1/100', 'lab/n1/101']);

      session.emit('guest.remove', { vmid: 101, type: 'lxc' }, 6);
      aggregator.flush();
      expect(patches.at(-1)?.guests).toEqual({ 'lab/n1/101': null });
      expect(Object.keys(aggregator.snapshot().guests)).toEqual(['lab/n1/100']);
    });

    it('drops stale guest events and ones that do not match the contract', () => {
      const { aggregator } = setup();
      const session = new TestSession('lab/n1');
      aggregator.addNode(meta('n1'), session);
      session.emit('guest.update', guest(100, { cpu: 0.5 }), 10);
      session.emit('guest.update', guest(100, { cpu: 0.9 }), 9);
      session.emit('guest.update', guest(100, { cpu: 0.8 }), 10);
      session.emit('guest.remove', { vmid: 100, type: 'qemu' }, 7);
      expect(aggregator.snapshot().guests['lab/n1/100']?.cpu).toBe(0.5);
      session.emit('guest.update', { ...guest(100), vmid: 42 }, 11);
      session.emit('guest.update', { ...guest(100), cpu: 2 }, 12);
      expect(Object.keys(aggregator.snapshot().guests)).toEqual(['lab/n1/100']);
      expect(aggregator.snapshot().guests['lab/n1/100']?.cpu).toBe(0.5);
      // A restarted agent (new epoch) counts from 1 again.
      session.emit('guest.update', guest(100, { cpu: 0.2 }), 1, 'e2');
      expect(aggregator.snapshot().guests['lab/n1/100']?.cpu).toBe(0.2);
    });

    it("keeps a node's guests as last known while it is offline, and removes them with the node", () => {
      const { aggregator, patches } = setup();
      const session = new TestSession('lab/n1');
      const other = new TestSession('lab/n2');
      aggregator.addNode(meta('n1'), session);
      aggregator.addNode(meta('n2'), other);
      session.setState('online');
      for (let vmid = 100; vmid < 110; vmid++) session.emit('guest.update', guest(vmid), vmid);
      other.emit('guest.update', guest(200), 1);
      session.setState('offline', new AppError('unreachable', 'n1.lab:22 did not answer'));
      aggregator.flush();
      expect(aggregator.entry('lab/n1')?.state).toBe('offline');
      expect(Object.values(aggregator.snapshot().guests).filter((g) => g.nodeKey === 'lab/n1')).toHaveLength(10);
      expect(aggregator.snapshot().guests['lab/n1/105']).toMatchObject({ status: 'running', cpu: 0.1 });

      patches.length = 0;
      aggregator.removeNode('lab/n1');
      aggregator.flush();
      const removed = patches[0]?.guests ?? {};
      expect(Object.keys(removed)).toHaveLength(10);
      expect(Object.values(removed).every((entry) => entry === null)).toBe(true);
      expect(Object.keys(aggregator.snapshot().guests)).toEqual(['lab/n2/200']);
    });

    it('coalesces 1000 guest events into a few patches carrying each guest once, with its newest values', async () => {
      const { aggregator, patches, sessions } = await setupFourNodes();
      // 1000 changes in one second: 4 nodes × 25 guests, each changed 10 times.
      for (let i = 0; i < 1000; i++) {
        const node = i % 4;
        const vmid = 100 + (Math.floor(i / 4) % 25);
        sessions[node]?.emit('guest.update', guest(vmid, { cpu: i / 1000 }), i + 1);
        await vi.advanceTimersByTimeAsync(1);
      }
      await vi.advanceTimersByTimeAsync(50);
      expect(patches.length).toBeGreaterThanOrEqual(15);
      expect(patches.length).toBeLessThanOrEqual(21);
      expect(patches.every((p) => p.nodes === undefined && p.tasks === undefined)).toBe(true);
      const perPatch = patches.map((p) => Object.keys(p.guests ?? {}).length);
      expect(Math.max(...perPatch)).toBeLessThanOrEqual(100);
      const final: Record<string, number> = {};
      for (const patch of patches) for (const [key, entry] of Object.entries(patch.guests ?? {})) if (entry) final[key] = entry.cpu;
      expect(Object.keys(final)).toHaveLength(100);
      expect(final['lab/n4/124']).toBe(0.999);
      expect(aggregator.snapshot().guests['lab/n1/100']?.cpu).toBe(0.9);
    });

    it('sends one patch for a burst of 1000 guest events', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { aggregator, patches } = setup();
      const session = new TestSession('lab/n1');
      aggregator.addNode(meta('n1'), session);
      await vi.advanceTimersByTimeAsync(50);
      patches.length = 0;
      for (let i = 0; i < 1000; i++) session.emit('guest.update', guest(100 + (i % 500), { uptime: i }), i + 1);
      expect(patches).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(50);
      expect(patches).toHaveLength(1);
      expect(Object.keys(patches[0]?.guests ?? {})).toHaveLength(500);
      expect(patches[0]?.guests?.['lab/n1/100']?.uptime).toBe(500);
      expect(patches[0]?.revision).toBe(aggregator.snapshot().revision);
    });
  });
});
