// Dev only: an in-memory window.hyperdesk with a synthetic inventory, live status ticks, tasks and prompts.
// Used by the dev preview (dev-main.tsx) and by unit tests; never part of the production bundle.
import type { AppEventData, AppEventName, Envelope, HyperdeskApi } from '../../../preload/api';
import type { AddNodeInput, AuthPrompt, Preferences } from '../../../main/core/app-api';
import type { GuestEntry, Inventory, InventoryPatch, NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import type { ErrorCode, TaskLogLine, Timeframe } from '../../../node-agent/src/api';
import {
  checkLog,
  clusterEntry,
  fingerprintOf,
  makeGuest,
  makeHistory,
  makeNode,
  makeStatus,
  makeTask,
} from './fake-data';
import { random } from './seeded-random';
import { createFakeStorageCalls } from './fake-storage-calls';
import { createFakeVmCalls } from './fake-vm-calls'; // vm feature
import { createFakeCtCalls } from './fake-ct-calls'; // ct feature

export interface FakeOptions {
  /** Extra nodes in a "bulk" cluster, for scrolling tests. */
  bulkNodes?: number;
  /** Extra finished tasks, for scrolling tests. */
  bulkTasks?: number;
  allOffline?: boolean;
  empty?: boolean;
  /** Status tick interval; 0 = no live updates. */
  tickMs?: number;
  /** Time between the log lines of a node check task. */
  taskStepMs?: number;
  preferences?: Partial<Preferences>;
  now?: number;
}

class Fail extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface FakeHyperdesk extends HyperdeskApi {
  inventory: Inventory;
  /** Apply a change and send it as inventory.patch. */
  patch: (change: Omit<InventoryPatch, 'revision'>) => void;
  dispose: () => void;
}

export function createFakeHyperdesk(options: FakeOptions = {}): FakeHyperdesk {
  const now = options.now ?? Date.now();
  const rnd = random(42);
  const listeners = new Map<AppEventName, Set<(data: never) => void>>();
  const logs = new Map<string, string[]>();
  const prompts = new Map<string, (answers: string[] | null) => void>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let preferences: Preferences = { theme: 'system', language: 'en', ...options.preferences };
  let pid = 4000;

  const inventory: Inventory = { clusters: {}, nodes: {}, tasks: {}, guests: {}, revision: 1 };
  const addCluster = (id: string, name: string, nodes: NodeEntry[]) => {
    inventory.clusters[id] = clusterEntry(id, name, nodes);
    for (const node of nodes) inventory.nodes[node.key] = node;
  };
  if (!options.empty) {
    const off = options.allOffline === true;
    addCluster('lab', 'lab', [
      makeNode('lab', 'n1', 1, off ? 'offline' : 'online', now, rnd),
      makeNode('lab', 'n2', 2, off ? 'offline' : 'online', now, rnd),
      makeNode('lab', 'n3', 3, 'offline', now, rnd),
    ]);
    const states = [
      'online',
      'online',
      'online',
      'online',
      'host-key-changed',
      'auth-failed',
      'agent-error',
      'connecting',
    ] as const;
    addCluster(
      'prod',
      'prod-shanghai',
      states.map((state, i) => makeNode('prod', `pve${i + 1}`, 20 + i, off ? 'offline' : state, now, rnd)),
    );
    if (options.bulkNodes) {
      const bulk = Array.from({ length: options.bulkNodes }, (_, i) =>
        makeNode('bulk', `node${i + 1}`, 40 + i, i % 17 === 5 ? 'offline' : 'online', now, rnd),
      );
      addCluster('bulk', 'bulk', bulk);
    }
    const n1 = inventory.nodes['lab/n1']!;
    const p2 = inventory.nodes['prod/pve2']!;
    for (const guest of [
      makeGuest(n1, 100, 'qemu', 'web1', 'running', rnd, { tags: ['prod'] }),
      makeGuest(n1, 101, 'qemu', 'db1', 'running', rnd, { lock: 'backup' }),
      makeGuest(n1, 102, 'lxc', 'cache', 'paused', rnd),
      makeGuest(n1, 110, 'lxc', 'ci-runner', 'stopped', rnd),
      makeGuest(n1, 9000, 'qemu', 'debian-12-template', 'stopped', rnd, { template: true }),
      makeGuest(p2, 200, 'qemu', 'erp', 'running', rnd),
      makeGuest(p2, 201, 'lxc', 'proxy', 'running', rnd),
    ])
      inventory.guests[guest.key] = guest;
    const start = Math.floor(now / 1000);
    const seed: TaskEntry[] = [
      makeTask(n1, pid++, start - 3600, 'node.check', { seconds: 4, exit: 'OK' }),
      makeTask(p2, pid++, start - 1800, 'node.check', { seconds: 6, exit: 'WARNINGS: 2' }),
      makeTask(n1, pid++, start - 900, 'vm.create', { seconds: 12, exit: "ERROR: storage 'local-btrfs' is full" }),
    ];
    if (!options.allOffline) seed.push({ ...makeTask(p2, pid++, start - 75, 'vm.migrate'), progress: 0.42, id: '101' });
    for (let i = 0; i < (options.bulkTasks ?? 0); i++)
      seed.push(makeTask(n1, pid++, start - 7200 - i * 30, 'node.check', { seconds: 3, exit: 'OK' }));
    for (const task of seed) {
      inventory.tasks[task.upid] = task;
      logs.set(task.upid, checkLog(task.node));
    }
  }

  const emit = <E extends AppEventName>(event: E, data: AppEventData<E>) => {
    for (const listener of listeners.get(event) ?? [])
      (listener as (d: AppEventData<E>) => void)(structuredClone(data));
  };
  const patch = (change: Omit<InventoryPatch, 'revision'>) => {
    inventory.revision++;
    for (const [field, entries] of Object.entries(change) as [
      keyof Omit<InventoryPatch, 'revision'>,
      Record<string, unknown>,
    ][]) {
      const target = inventory[field] as Record<string, unknown>;
      for (const [id, value] of Object.entries(entries)) {
        if (value === null) delete target[id];
        else target[id] = value;
      }
    }
    emit('inventory.patch', { ...change, revision: inventory.revision });
  };
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  if (options.tickMs) {
    const tick = setInterval(() => {
      const nodes: Record<string, NodeEntry> = {};
      const time = Date.now();
      for (const node of Object.values(inventory.nodes)) {
        if (node.state !== 'online' || node.cluster === 'bulk') continue;
        const next: NodeEntry = { ...node, status: makeStatus(node.name, time, rnd), asOf: time };
        // The lab's nodes send their storages with the inventory; the others are read with storage.status.
        if (node.cluster === 'lab') next.storages = storage.status(node);
        nodes[node.key] = next;
      }
      patch({ nodes });
    }, options.tickMs);
    timers.add(tick);
  }

  const startCheck = (key: string): string => {
    const node = inventory.nodes[key];
    if (!node || node.state !== 'online') throw new Fail('unreachable', `node ${key} is not connected`);
    const task = makeTask(node, pid++, Math.floor(Date.now() / 1000), 'node.check');
    task.progress = 0;
    const lines = checkLog(node.name);
    logs.set(task.upid, []);
    patch({ tasks: { [task.upid]: task } });
    lines.forEach((line, i) =>
      later((options.taskStepMs ?? 400) * (i + 1), () => {
        const current = inventory.tasks[task.upid];
        if (!current || current.status !== 'running') return;
        logs.get(task.upid)?.push(line);
        const done = i === lines.length - 1;
        const next: TaskEntry = { ...current, progress: (i + 1) / lines.length };
        if (done)
          Object.assign(next, { status: 'stopped', endtime: Math.floor(Date.now() / 1000), exitstatus: 'WARNINGS: 1' });
        if (done) delete next.progress;
        patch({ tasks: { [task.upid]: next } });
      }),
    );
    return task.upid;
  };

  // What every area's tasks need from the fake.
  const taskDeps = {
    patchTask: (task: TaskEntry) => patch({ tasks: { [task.upid]: task } }),
    currentTask: (upid: string) => inventory.tasks[upid],
    later,
    nextPid: () => pid++,
    log: (upid: string, line: string) => logs.set(upid, [...(logs.get(upid) ?? []), line]),
    stepMs: options.taskStepMs ?? 400,
  };
  const guestDeps = {
    ...taskDeps,
    guests: () => Object.values(inventory.guests),
    patchGuest: (key: string, entry: GuestEntry | null) => patch({ guests: { [key]: entry } }),
  };
  const storage = createFakeStorageCalls({ ...taskDeps, emit, node: (key) => inventory.nodes[key] });
  // The agent methods answered per area, by method prefix: storage (fake-storage-calls.ts), vm feature
  // (fake-vm-calls.ts), ct feature (fake-ct-calls.ts).
  type AreaAgent = (node: NodeEntry, method: string, params: Record<string, unknown>) => { value: unknown } | undefined;
  const areas: [string, { agent: AreaAgent }][] = [
    ['storage.', storage],
    ['vm.', createFakeVmCalls(guestDeps)],
    ['ct.', createFakeCtCalls(guestDeps)],
  ];

  const agentCall = (params: { node: string; method: string; params: Record<string, unknown> }): unknown => {
    const node = inventory.nodes[params.node];
    if (!node) throw new Fail('not-found', `node ${params.node} is not in the inventory`);
    for (const [prefix, area] of areas) {
      if (!params.method.startsWith(prefix)) continue;
      if (node.state !== 'online') throw new Fail('unreachable', `node ${node.name} is not connected`);
      try {
        const handled = area.agent(node, params.method, params.params);
        if (handled !== undefined) return handled.value;
      } catch (error) {
        const e = error as { code?: ErrorCode; message: string };
        throw new Fail(e.code ?? 'internal-error', e.message);
      }
    }
    switch (params.method) {
      case 'node.metrics': {
        if (node.asOf === undefined) throw new Fail('unreachable', `node ${node.name} has never been reached`);
        const timeframe = (params.params.timeframe ?? 'hour') as Timeframe;
        return makeHistory(
          node.name,
          timeframe,
          params.params.cf === 'max',
          node.state === 'online' ? Date.now() : node.asOf,
        );
      }
      case 'node.status':
        if (!node.status) throw new Fail('unreachable', `node ${node.name} is not connected`);
        return node.status;
      case 'node.check':
        return { upid: startCheck(params.node) };
      case 'task.log': {
        const upid = String(params.params.upid);
        const all = logs.get(upid) ?? [];
        const start = Number(params.params.start ?? 0);
        const limit = Number(params.params.limit ?? 500);
        const lines: TaskLogLine[] = all.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t }));
        return { total: all.length, lines };
      }
      case 'task.cancel': {
        const upid = String(params.params.upid);
        const task = inventory.tasks[upid];
        if (!task) throw new Fail('not-found', `task ${upid} does not exist`);
        if (task.status === 'running') {
          logs.get(upid)?.push('received interrupt');
          const stopped: TaskEntry = {
            ...task,
            status: 'stopped',
            endtime: Math.floor(Date.now() / 1000),
            exitstatus: 'ERROR: cancelled',
          };
          delete stopped.progress;
          patch({ tasks: { [upid]: stopped } });
        }
        return {};
      }
      default:
        throw new Fail('not-supported', `the fake does not implement ${params.method}`);
    }
  };

  const addNode = async (input: AddNodeInput): Promise<{ node: string }> => {
    if (input.auth === 'keyboard-interactive') {
      const promptId = `p${pid++}`;
      const prompt: AuthPrompt = {
        promptId,
        node: `${input.cluster}/${input.name ?? input.host}`,
        name: 'Duo two-factor login',
        instructions: 'Enter the password, then the six-digit code from your token.',
        prompts: [
          { prompt: 'Password: ', echo: false },
          { prompt: 'Verification code: ', echo: true },
        ],
      };
      const answers = await new Promise<string[] | null>((resolve) => {
        prompts.set(promptId, resolve);
        emit('auth.prompt', prompt);
      });
      if (answers === null) throw new Fail('cancelled', `sign-in to ${input.host} was cancelled`);
    }
    const name = input.name ?? input.host.replace(/[^a-zA-Z0-9-]/g, '-');
    // Clusters are named, as in main: an existing name joins that cluster, a new one gets a slug id.
    const cluster = Object.values(inventory.clusters).find((c) => c.name === input.cluster) ?? {
      id: slug(input.cluster),
      name: input.cluster,
      nodes: [],
    };
    const key = `${cluster.id}/${name}`;
    if (inventory.nodes[key])
      throw new Fail('already-exists', `cluster ${cluster.name} already has a node named ${name}`);
    const entry: NodeEntry = { key, cluster: cluster.id, name, host: input.host, state: 'connecting' };
    patch({ nodes: { [key]: entry }, clusters: { [cluster.id]: { ...cluster, nodes: [...cluster.nodes, key] } } });
    later(1500, () => {
      const time = Date.now();
      patch({
        nodes: {
          [key]: { ...entry, state: 'online', status: makeStatus(name, time, rnd), asOf: time, agentVersion: '0.1.0' },
        },
      });
    });
    return { node: key };
  };

  const handle = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    switch (method) {
      case 'inventory.snapshot':
        return structuredClone(inventory);
      case 'connections.list':
        return [];
      case 'connections.probeHostKey': {
        const host = String(params.host);
        await new Promise((resolve) => later(350, () => resolve(undefined)));
        if (host.startsWith('198.18.0.25'))
          throw new Fail('unreachable', `${host}:${Number(params.port ?? 22)} did not answer within 10 s`);
        const known = Object.values(inventory.nodes).some((n) => n.host === host);
        const match = host.includes('changed') ? 'changed' : known ? 'known' : 'new';
        return {
          host,
          port: Number(params.port ?? 22),
          keyType: 'ssh-ed25519',
          fingerprint: fingerprintOf(host),
          match,
        };
      }
      case 'connections.addNode': {
        const input = params as unknown as AddNodeInput;
        if (input.acceptedFingerprint !== fingerprintOf(input.host))
          throw new Fail('conflict', `the host key of ${input.host} changed since it was verified`);
        return addNode(input);
      }
      case 'connections.removeNode': {
        const key = String(params.node);
        const node = inventory.nodes[key];
        if (!node) throw new Fail('not-found', `node ${key} is not in the inventory`);
        const cluster = inventory.clusters[node.cluster];
        const guests = Object.values(inventory.guests).filter((g) => g.nodeKey === key);
        patch({
          nodes: { [key]: null },
          guests: Object.fromEntries(guests.map((g) => [g.key, null])),
          ...(cluster
            ? { clusters: { [cluster.id]: { ...cluster, nodes: cluster.nodes.filter((k) => k !== key) } } }
            : {}),
        });
        return {};
      }
      case 'auth.respond': {
        const resolve = prompts.get(String(params.promptId));
        if (!resolve) throw new Fail('not-found', `prompt ${String(params.promptId)} is not waiting`);
        prompts.delete(String(params.promptId));
        resolve(params.answers as string[] | null);
        return {};
      }
      case 'preferences.get':
        return preferences;
      case 'preferences.set':
        preferences = { ...preferences, ...(params as Partial<Preferences>) };
        return preferences;
      case 'agent.call':
        return agentCall(params as { node: string; method: string; params: Record<string, unknown> });
      case 'storage.upload':
        return storage.upload(params);
      case 'storage.upload.cancel':
        return storage.cancel(params);
      case 'dialogs.openFile':
        throw new Fail('not-supported', 'the browser host has no file picker: type the path');
      default:
        throw new Fail('not-supported', `unknown method ${method}`);
    }
  };

  const invoke = async (method: string, params: unknown): Promise<Envelope<unknown>> => {
    try {
      return { ok: true, value: structuredClone(await handle(method, (params ?? {}) as Record<string, unknown>)) };
    } catch (error) {
      if (error instanceof Fail) return { ok: false, error: { code: error.code, message: error.message } };
      return { ok: false, error: { code: 'internal-error', message: String(error) } };
    }
  };

  return {
    transport: 'web',
    inventory,
    patch,
    invoke: invoke as HyperdeskApi['invoke'],
    on: (event: AppEventName, listener: (data: never) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    dispose: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'cluster';
