import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError, type NodeStatus, type TaskInfo } from '../../node-agent/src/api';
import type { AppEventData, AppEventName, AppMethodName, AppResult } from '../core/app-api';
import type { NodeKey, SavedCluster } from '../core/config-schema';
import type { HyperdeskCoreHandle } from '../core/core-api';
import type { InventoryPatch, NodeEntry } from '../core/inventory-schema';
import { runHdctl, type HdctlEnvironment } from './run-hdctl';

const clusters: SavedCluster[] = [
  { id: 'lab', name: 'Lab', nodes: ['n1', 'n2'].map((name, i) => ({ name, host: `198.18.0.${11 + i}`, port: 22, user: 'root', auth: { method: 'agent' as const } })) },
  { id: 'prod', name: 'Prod', nodes: [{ name: 'n1', host: 'p1.example', port: 22, user: 'root', auth: { method: 'agent' } }] },
];
const onlyOne: SavedCluster[] = [{ id: 'lab', name: 'Lab', nodes: [{ name: 'n1', host: '198.18.0.11', port: 22, user: 'root', auth: { method: 'agent' } }] }];

const status = (node: string): NodeStatus => ({
  node,
  hostname: node,
  kernel: '6.1.0',
  cpuModel: 'QEMU',
  cpus: 2,
  cpu: 0.37,
  loadavg: [0, 0, 0],
  uptime: 90_061,
  memory: { total: 8 * 1024 ** 3, used: 2 * 1024 ** 3, free: 6 * 1024 ** 3 },
  swap: { total: 0, used: 0 },
  rootfs: { total: 1e10, used: 1e9, avail: 9e9 },
  agentVersion: '0.1.0',
  time: 1,
});
const upid = (node: string) => `UPID:${node}:0000ABCD:00001000:65000000:qmstart:100:root@pam:`;
const stopped = (node: string): TaskInfo => ({ upid: upid(node), node, type: 'qmstart', id: '100', user: 'root@pam', starttime: 1, endtime: 2, status: 'stopped', exitstatus: 'OK' });

/** An in-test core: nodes in given states, agent calls recorded and answered per method. */
class TestCore implements HyperdeskCoreHandle {
  readonly calls: { node: string; method: string; params: unknown }[] = [];
  readonly responses: { promptId: string; answers: string[] | null }[] = [];
  private readonly listeners = new Map<string, Set<(data: never) => void>>();
  disposed = false;
  readonly uploads: unknown[] = [];
  /** What a started upload does: the events it sends (some before start() answers, as the real core may). */
  uploadEvents: (uploadId: string) => { before: AppEventData<'upload.progress'>[]; after: AppEventData<'upload.progress'>[] } = () => ({ before: [], after: [] });

  constructor(
    readonly entries: Record<string, NodeEntry>,
    private readonly answer: (node: string, method: string, params: unknown) => unknown = () => ({}),
  ) {}

  handle<M extends AppMethodName>(method: M, params: unknown): Promise<AppResult<M>> {
    const p = params as Record<string, unknown>;
    switch (method) {
      case 'inventory.snapshot':
        return Promise.resolve({ clusters: {}, nodes: { ...this.entries }, tasks: {}, revision: 1 } as AppResult<M>);
      case 'agent.call':
        this.calls.push({ node: String(p.node), method: String(p.method), params: p.params });
        return Promise.resolve().then(() => this.answer(String(p.node), String(p.method), p.params) as AppResult<M>);
      case 'auth.respond':
        this.responses.push(p as { promptId: string; answers: string[] | null });
        return Promise.resolve({} as AppResult<M>);
      case 'storage.upload': {
        this.uploads.push(p);
        const { before, after } = this.uploadEvents('u1');
        for (const event of before) this.emit('upload.progress', event);
        setTimeout(() => after.forEach((event) => this.emit('upload.progress', event)), 1);
        return Promise.resolve({ uploadId: 'u1' } as AppResult<M>);
      }
      case 'storage.upload.cancel':
      case 'dialogs.openFile':
      case 'connections.list':
      case 'connections.probeHostKey':
      case 'connections.addNode':
      case 'connections.removeNode':
      case 'connections.trustHostKey':
      case 'preferences.get':
      case 'preferences.set':
      case 'console.open':
      case 'shell.open':
      case 'console.resize':
      case 'console.close':
        return Promise.reject(new AppError('not-supported', `${method} is not used by hdctl`));
    }
  }
  on<E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set<(data: never) => void>();
    this.listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  }
  emit<E extends AppEventName>(event: E, data: AppEventData<E>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (data: AppEventData<E>) => void)(data);
  }
  /** Change a node and tell the listeners, as the aggregator's patches do. */
  update(key: string, change: Partial<NodeEntry>): void {
    const entry = { ...this.entries[key]!, ...change };
    this.entries[key] = entry;
    const patch: InventoryPatch = { revision: 2, nodes: { [key]: entry } };
    this.emit('inventory.patch', patch);
  }
  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve();
  }
}

const entry = (key: NodeKey, state: NodeEntry['state'] = 'online', extra: Partial<NodeEntry> = {}): NodeEntry => {
  const [cluster, name] = key.split('/') as [string, string];
  return { key, cluster, name, host: `${name}.${cluster}`, state, ...extra };
};

const run = async (argv: string[], options: { saved?: SavedCluster[]; core?: TestCore; env?: NodeJS.ProcessEnv; onOpen?: (core: TestCore) => void } = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const opened: { configDir: string; connected: string[] }[] = [];
  const read: string[] = [];
  const saved = options.saved ?? clusters;
  const core = options.core ?? new TestCore(Object.fromEntries(saved.flatMap((c) => c.nodes.map((n) => [`${c.id}/${n.name}`, entry(`${c.id}/${n.name}`)]))));
  const environment: HdctlEnvironment = {
    env: options.env ?? { HYPERDESK_CONFIG_DIR: '/cfg/from-env' },
    io: { out: (text) => out.push(text), err: (text) => err.push(text) },
    terminal: { input: Object.assign(new PassThrough(), { isTTY: false }), output: new PassThrough() },
    readClusters: (configDir) => {
      read.push(configDir);
      return Promise.resolve(saved);
    },
    openCore: (configDir, connect) => {
      const all = saved.flatMap((c) => c.nodes.map((n): NodeKey => `${c.id}/${n.name}`));
      opened.push({ configDir, connected: all.filter(connect) });
      options.onOpen?.(core);
      return Promise.resolve(core);
    },
    pollMs: 1,
  };
  const code = await runHdctl(argv, environment);
  return { code, out: out.join(''), err: err.join(''), opened, read, core };
};

describe('hdctl routing', () => {
  it('sends a command to the node named by --node and connects only that node', async () => {
    const result = await run(['task', 'list', '--node', 'prod/n1', '--limit', '5']);
    expect(result.code).toBe(0);
    expect(result.core.calls).toEqual([{ node: 'prod/n1', method: 'task.list', params: { limit: 5 } }]);
    expect(result.opened).toEqual([{ configDir: '/cfg/from-env', connected: ['prod/n1'] }]);
    expect(result.core.disposed).toBe(true);
  });

  it('accepts a node name that is unique, and refuses one that is in several clusters', async () => {
    const unique = await run(['--node', 'n2', 'node', 'status']);
    expect(unique.code).toBe(0);
    expect(unique.core.calls[0]?.node).toBe('lab/n2');
    const ambiguous = await run(['task', 'list', '--node', 'n1']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toContain('lab/n1, prod/n1');
    expect(ambiguous.core.calls).toEqual([]);
  });

  it('needs --node when several nodes are saved, and lists them', async () => {
    const result = await run(['task', 'list']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--node.*lab\/n1, lab\/n2, prod\/n1/);
    expect(result.opened).toEqual([]);
  });

  it('uses the only saved node without --node', async () => {
    const result = await run(['node', 'status', '--output', 'json'], { saved: onlyOne, core: new TestCore({ 'lab/n1': entry('lab/n1') }, () => status('n1')) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ node: 'n1', cpus: 2 });
  });

  it('takes the node of `node status NODE` positionally', async () => {
    const result = await run(['-o', 'json', 'node', 'status', 'lab/n2']);
    expect(result.code).toBe(0);
    expect(result.core.calls).toEqual([{ node: 'lab/n2', method: 'node.status', params: {} }]);
  });

  it('routes a task command by the node its UPID names, also while following the log', async () => {
    const saved: SavedCluster[] = [{ id: 'lab', name: 'Lab', nodes: clusters[0]!.nodes }];
    const core = new TestCore({ 'lab/n1': entry('lab/n1'), 'lab/n2': entry('lab/n2') }, (_node, method, params) => {
      if (method === 'task.status') return stopped('n2');
      const start = (params as { start?: number }).start ?? 0;
      return start === 0 ? { total: 2, lines: [{ n: 1, t: 'starting VM 100' }, { n: 2, t: 'TASK OK' }] } : { total: 2, lines: [] };
    });
    const result = await run(['task', 'log', upid('n2'), '--follow'], { saved, core });
    expect(result.code).toBe(0);
    expect(result.out).toBe('starting VM 100\nTASK OK\n');
    expect(new Set(core.calls.map((call) => call.node))).toEqual(new Set(['lab/n2']));
    expect(core.calls.map((call) => call.method)).toContain('task.status');
  });

  it('reports why a node is not online with exit code 1', async () => {
    const core = new TestCore({ 'lab/n1': entry('lab/n1', 'offline', { error: { code: 'unreachable', message: '198.18.0.11:22 did not answer' } }) });
    const result = await run(['node', 'status'], { saved: onlyOne, core });
    expect(result.code).toBe(1);
    expect(result.err).toContain('error (unreachable): 198.18.0.11:22 did not answer');
    expect(core.calls).toEqual([]);
  });

  it('refuses interactive authentication without a terminal: access-denied', async () => {
    const core = new TestCore({ 'lab/n1': entry('lab/n1', 'connecting') });
    const result = await run(['node', 'status'], {
      saved: onlyOne,
      core,
      // After hdctl has subscribed, as a real prompt comes after the SSH handshake.
      onOpen: (c) =>
        setImmediate(() => {
          c.emit('auth.prompt', { promptId: 'p1', node: 'lab/n1', name: 'Password', instructions: '', prompts: [{ prompt: 'Password:', echo: false }] });
          c.update('lab/n1', { state: 'auth-failed', error: { code: 'cancelled', message: 'connecting to lab/n1 was cancelled' } });
        }),
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain('error (access-denied)');
    expect(core.responses).toEqual([{ promptId: 'p1', answers: null }]);
  });
});

describe('hdctl node list', () => {
  it('waits for connecting nodes to settle, then prints every node as JSON', async () => {
    const core = new TestCore({
      'lab/n1': entry('lab/n1', 'online', { status: status('n1'), asOf: 5 }),
      'lab/n2': entry('lab/n2', 'connecting'),
      'prod/n1': entry('prod/n1', 'offline', { status: status('n1'), asOf: 3 }),
    });
    const result = await run(['node', 'list', '--output', 'json'], {
      core,
      onOpen: (c) => setImmediate(() => c.update('lab/n2', { state: 'online', status: status('n2'), asOf: 9 })),
    });
    expect(result.code).toBe(0);
    expect(result.opened[0]?.connected).toEqual(['lab/n1', 'lab/n2', 'prod/n1']);
    const printed = JSON.parse(result.out) as NodeEntry[];
    expect(printed.map((e) => [e.key, e.state, e.asOf])).toEqual([
      ['lab/n1', 'online', 5],
      ['lab/n2', 'online', 9],
      ['prod/n1', 'offline', 3],
    ]);
  });

  it('prints a table with state, CPU, memory, uptime and the error', async () => {
    const core = new TestCore({
      'lab/n1': entry('lab/n1', 'online', { status: status('n1'), asOf: Date.UTC(2025, 0, 2, 3, 4, 5) }),
      'lab/n2': entry('lab/n2', 'auth-failed', { error: { code: 'access-denied', message: 'root@n2 refused the key' } }),
    });
    const result = await run(['node', 'list'], { saved: [{ ...clusters[0]! }], core });
    expect(result.code).toBe(0);
    const [header, first, second] = result.out.trimEnd().split('\n');
    expect(header).toMatch(/^CLUSTER\s+NAME\s+HOST\s+STATE\s+CPU\s+MEMORY\s+UPTIME\s+AS OF\s+ERROR$/);
    expect(first).toMatch(/^lab\s+n1\s+n1\.lab\s+online\s+37%\s+2\.0\/8\.0 GiB\s+1d 1h\s+2025-01-0\d \d\d:04:05$/);
    expect(second).toMatch(/^lab\s+n2\s+n2\.lab\s+auth-failed\s+-\s+-\s+-\s+-\s+access-denied: root@n2 refused the key$/);
  });

  it('reads the config dir from --config-dir before HYPERDESK_CONFIG_DIR', async () => {
    // Offline nodes: the listing does not wait for a first status that a stand-in core never sends.
    const core = new TestCore(Object.fromEntries(clusters.flatMap((c) => c.nodes.map((n) => [`${c.id}/${n.name}`, entry(`${c.id}/${n.name}`, 'offline')]))));
    const result = await run(['node', 'list', '--config-dir', '/cfg/flag'], { core });
    expect(result.read).toEqual(['/cfg/flag']);
    expect(result.opened[0]?.configDir).toBe('/cfg/flag');
  });

  it('shows help without reading the config', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('node');
    expect(result.read).toEqual([]);
    const usage = await run(['node', 'list', '--bogus']);
    expect(usage.code).toBe(2);
  });
});

describe('hdctl storage content upload', () => {
  const progress = (state: AppEventData<'upload.progress'>['state'], sent: number, extra: Partial<AppEventData<'upload.progress'>> = {}): AppEventData<'upload.progress'> => ({
    uploadId: 'u1', node: 'lab/n1', storage: 'local', content: 'iso', filename: 'x.iso', state, sent, total: 200 * 1024 * 1024, ...extra,
  });

  it('starts the upload on the routed node, prints progress on stderr and the sha256 on stdout', async () => {
    const core = new TestCore({ 'lab/n1': entry('lab/n1') });
    const sha256 = 'ab'.repeat(32);
    core.uploadEvents = () => ({
      before: [progress('hashing', 0)],
      after: [progress('uploading', 84 * 1024 * 1024, { sha256 }), progress('verifying', 200 * 1024 * 1024, { sha256 }), progress('done', 200 * 1024 * 1024, { sha256, volid: 'local:iso/x.iso' })],
    });
    const result = await run(['storage', 'content', 'upload', '--storage', 'local', '--content', 'iso', '/tmp/x.iso'], { saved: onlyOne, core });
    expect(result.code).toBe(0);
    expect(core.uploads).toEqual([{ node: 'lab/n1', storage: 'local', content: 'iso', path: '/tmp/x.iso' }]);
    expect(result.err).toContain('hashing 0% (0.0 of 200.0 MiB)');
    expect(result.err).toContain('resuming at 84.0 MiB');
    expect(result.err).toContain('uploading 42% (84.0 of 200.0 MiB)');
    expect(result.out).toBe(`${sha256}  local:iso/x.iso\n`);
  });

  it('exits 1 with the error of a failed upload, and 2 without --content', async () => {
    const core = new TestCore({ 'lab/n1': entry('lab/n1') });
    core.uploadEvents = () => ({ before: [], after: [progress('failed', 0, { error: { code: 'unreachable', message: 'the connection to node lab/n1 dropped' } })] });
    const failed = await run(['storage', 'content', 'upload', '--node', 'n1', '--storage', 'local', '--content', 'iso', 'x.iso'], { saved: onlyOne, core });
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('error (unreachable): the connection to node lab/n1 dropped');
    const usage = await run(['storage', 'content', 'upload', '--storage', 'local', 'x.iso'], { saved: onlyOne });
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('--content wants iso or vztmpl');
  });
});
