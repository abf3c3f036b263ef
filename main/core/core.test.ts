import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError, type EventMessage, type NodeStatus } from '../../node-agent/src/api';
import type { AppMethodName } from './app-api';
import { failure } from './__fixtures__/test-support';
import { createCore, provisionalName, type HyperdeskCore } from './core';
import type { InventoryPatch } from './inventory-schema';
import type { NodeSessionHandle } from './node-session-api';
import { MemorySecretStore } from './secrets-memory';
import { SessionListeners } from './session-listeners';
import { tempDirForTest } from '../../node-agent/src/fs/temp-dir';

let dir: string;
let core: HyperdeskCore | undefined;
beforeEach(async () => {
  dir = await tempDirForTest('hd-core-');
});
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

// No session is started in these tests (no saved node, or none chosen to connect), so no bundle is read.
const open = async (connect: () => boolean = () => true) => {
  core = await createCore({ configDir: dir, secrets: new MemorySecretStore(), agentBundle: join(dir, 'no-bundle.js') }, { connect });
  return core;
};

const saveNode = async (cluster = 'lab', name = 'n1') =>
  writeFile(
    join(dir, 'connections.json'),
    JSON.stringify({ version: 1, clusters: [{ id: cluster, name: cluster, nodes: [{ name, host: '198.18.0.11', port: 22, user: 'root', auth: { method: 'agent' } }] }] }),
  );

const status: NodeStatus = {
  node: 'n1',
  hostname: 'n1',
  kernel: '6.1.0',
  cpuModel: 'QEMU',
  cpus: 2,
  cpu: 0.1,
  loadavg: [0, 0, 0],
  uptime: 99,
  memory: { total: 4e9, used: 1e9, free: 3e9 },
  swap: { total: 0, used: 0 },
  rootfs: { total: 1e10, used: 1e9, avail: 9e9 },
  agentVersion: '0.1.0',
  time: 1,
};

describe('HyperdeskCore.handle', () => {
  it('rejects invalid params with invalid-params naming the method and the fields', async () => {
    const c = await open();
    const addNode = await failure(c.handle('connections.addNode', { cluster: 'lab', host: 'bad host!', user: 'root' }));
    expect(addNode.code).toBe('invalid-params');
    expect(addNode.message).toContain('connections.addNode');
    expect(addNode.message).toContain('host');
    expect(addNode.message).toContain('auth');
    expect(addNode.message).toContain('acceptedFingerprint');
    expect(addNode.details?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'host' })]));

    const probe = await failure(c.handle('connections.probeHostKey', { host: 'h', port: 70000 }));
    expect(probe).toMatchObject({ code: 'invalid-params' });
    expect(probe.message).toMatch(/connections\.probeHostKey.*port/);

    const extra = await failure(c.handle('inventory.snapshot', { everything: true }));
    expect(extra.message).toContain('inventory.snapshot');

    const unknown = await failure(c.handle('vm.destroyAll' as AppMethodName, {}));
    expect(unknown.code).toBe('not-found');
  });

  it('answers agent.call for an unknown node with not-found', async () => {
    const c = await open();
    const error = await failure(c.handle('agent.call', { node: 'lab/n1', method: 'node.status', params: {} }));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain('lab/n1');
  });

  it('checks the agent method and its params before touching the node', async () => {
    await saveNode();
    const c = await open(() => false);
    const method = await failure(c.handle('agent.call', { node: 'lab/n1', method: 'vm.explode', params: {} }));
    expect(method).toMatchObject({ code: 'not-found' });
    expect(method.message).toContain('vm.explode');
    const params = await failure(c.handle('agent.call', { node: 'lab/n1', method: 'node.metrics', params: { timeframe: 'decade' } }));
    expect(params.code).toBe('invalid-params');
    expect(params.message).toMatch(/node\.metrics.*timeframe/);
    const internal = await failure(c.handle('agent.call', { node: 'lab/n1', method: 'rpc.cancel', params: { id: 1 } }));
    expect(internal.code).toBe('not-supported');
    // Valid, but this core was told not to connect the node.
    const notConnected = await failure(c.handle('agent.call', { node: 'lab/n1', method: 'node.status', params: {} }));
    expect(notConnected.code).toBe('unreachable');
  });

  it('refuses addNode without a key file for key auth, and a duplicate name, before any network', async () => {
    await saveNode();
    const c = await open(() => false);
    const base = { cluster: 'lab', host: '198.18.0.12', user: 'root', acceptedFingerprint: `SHA256:${'A'.repeat(43)}` };
    await expect(c.handle('connections.addNode', { ...base, auth: 'key' })).rejects.toMatchObject({ code: 'invalid-params' });
    const duplicate = await failure(c.handle('connections.addNode', { ...base, name: 'n1', auth: 'agent' }));
    expect(duplicate.code).toBe('already-exists');
    expect(JSON.parse(await readFile(join(dir, 'connections.json'), 'utf8'))).toMatchObject({ clusters: [{ nodes: [{ name: 'n1' }] }] });
  });

  it('answers removeNode and auth.respond for unknown objects with not-found', async () => {
    const c = await open();
    await expect(c.handle('connections.removeNode', { node: 'lab/n7' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(c.handle('auth.respond', { promptId: 'nope', answers: null })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('saves preferences and reads them back after a restart', async () => {
    const c = await open();
    await expect(c.handle('preferences.get', {})).resolves.toEqual({ theme: 'system', language: 'en' });
    await expect(c.handle('preferences.set', { language: 'zh-CN' })).resolves.toEqual({ theme: 'system', language: 'zh-CN' });
    await expect(c.handle('preferences.set', { theme: 'purple' })).rejects.toMatchObject({ code: 'invalid-params' });
    await c.dispose();
    const again = await open();
    await expect(again.handle('preferences.get', {})).resolves.toEqual({ theme: 'system', language: 'zh-CN' });
  });

  it('shows a saved node from the offline cache with its asOf before it connects', async () => {
    await saveNode();
    await mkdir(join(dir, 'cache'));
    const cached = { key: 'lab/n1', cluster: 'lab', name: 'n1', host: '198.18.0.11', status, asOf: 1234, agentVersion: '0.1.0' };
    await writeFile(join(dir, 'cache/lab.json'), JSON.stringify({ version: 1, cluster: 'lab', savedAt: 1234, nodes: [cached] }));
    const c = await open(() => false);
    const inventory = await c.handle('inventory.snapshot', {});
    expect(inventory.clusters).toEqual({ lab: { id: 'lab', name: 'lab', nodes: ['lab/n1'] } });
    expect(inventory.nodes['lab/n1']).toMatchObject({ state: 'offline', status: { uptime: 99 }, asOf: 1234 });
    await expect(c.handle('connections.list', {})).resolves.toMatchObject([{ id: 'lab', nodes: [{ name: 'n1' }] }]);
  });

  it('runs saved nodes through an injected session factory and carries their guests to snapshot and patches', async () => {
    await saveNode();
    const listeners = new SessionListeners();
    const made: string[] = [];
    const session: NodeSessionHandle = {
      key: 'lab/n1',
      state: 'online',
      hello: { protocolVersion: 1, agentVersion: '0.1.0', agentDigest: 'd'.repeat(64), node: 'n1', capabilities: ['events'] },
      start: () => undefined,
      reconnect: () => undefined,
      call: () => Promise.reject(new AppError('not-supported', 'not in this test')),
      on: (event, listener) => listeners.on(event, listener),
      dispose: () => Promise.resolve(),
    };
    core = await createCore(
      { configDir: dir, secrets: new MemorySecretStore(), agentBundle: join(dir, 'no-bundle.js') },
      { sessionFactory: (key, node) => (made.push(`${key}@${node.host}`), session) },
    );
    expect(made).toEqual(['lab/n1@198.18.0.11']);
    const patches: InventoryPatch[] = [];
    core.on('inventory.patch', (patch) => patches.push(patch));
    const data = { vmid: 100, type: 'lxc', name: 'ct100', status: 'running', cpu: 0.5, maxcpu: 1, mem: 1, maxmem: 2, disk: 0, maxdisk: 8, uptime: 5, netin: 0, netout: 0, diskread: 0, diskwrite: 0 };
    const event: EventMessage = { subscription: 's', topic: 'guest.update', revision: 1, epoch: 'e', data };
    listeners.emit('event', event);
    const inventory = await core.handle('inventory.snapshot', {});
    expect(inventory.nodes['lab/n1']?.state).toBe('online');
    expect(inventory.guests).toEqual({ 'lab/n1/100': { ...data, key: 'lab/n1/100', nodeKey: 'lab/n1' } });
    await vi.waitFor(() => expect(patches.some((p) => p.guests?.['lab/n1/100']?.name === 'ct100')).toBe(true));
  });

  it('fails to start on an invalid connections.json and leaves it alone', async () => {
    await writeFile(join(dir, 'connections.json'), '{"version": 2}');
    await expect(open()).rejects.toMatchObject({ code: 'invalid-params' });
    expect(await readFile(join(dir, 'connections.json'), 'utf8')).toBe('{"version": 2}');
  });
});

describe('provisionalName', () => {
  it('takes the first label of a host name and makes an address a valid node name', () => {
    expect(provisionalName('pve1.example.org')).toBe('pve1');
    expect(provisionalName('198.18.0.11')).toBe('198-18-0-11');
    expect(provisionalName('fe80::1')).toBe('fe80-1');
    expect(provisionalName('_')).toBe('node');
  });
});
