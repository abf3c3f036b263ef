// The storage methods through the real daemon (a child process under a temp root): storage.cfg with digests,
// a malformed file, downloads from a local http server as tasks, and concurrent allocations.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type EventMessage, type TaskInfo } from '../api';
import type { RpcClient } from '../rpc/client';
import { startDaemonProcess, type AgentProcess } from './agent-process-testkit';
import { connectAgent, type AgentConnection } from './agent-socket';
import { agentPaths, type AgentPaths } from './paths';

const T = 60_000;
let root: string;
let paths: AgentPaths;
let daemon: AgentProcess | undefined;
let server: Server;
let base: string;
const connections: AgentConnection[] = [];
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

const ISO = Buffer.alloc(3 * 1024 * 1024, 'hyperdesk iso bytes ');
const ISO_SHA256 = createHash('sha256').update(ISO).digest('hex');
/** The slow route sends half, then waits for the test to let the rest go (so progress is seen mid-download). */
let releaseSlow: (() => void) | undefined;

const open = async () => {
  const connection = await connectAgent(paths.socket, paths.node);
  connections.push(connection);
  return connection.client;
};

/** Follow one task to its end, collecting its updates. */
const follow = async (client: RpcClient, start: () => Promise<{ upid: string }>, onUpdate: (task: TaskInfo) => void = () => undefined) => {
  const updates = new Map<string, TaskInfo[]>();
  const enders = new Map<string, (task: TaskInfo) => void>();
  client.onEvent((event: EventMessage) => {
    if (event.topic !== 'task.update') return;
    const task = event.data as TaskInfo;
    updates.set(task.upid, [...(updates.get(task.upid) ?? []), task]);
    onUpdate(task);
    if (task.status === 'stopped') enders.get(task.upid)?.(task);
  });
  const { subscription } = await client.call('events.subscribe', { topics: ['task.update'] });
  const { upid } = await start();
  const end = await new Promise<TaskInfo>((resolve) => {
    const done = updates.get(upid)?.find((task) => task.status === 'stopped');
    if (done) resolve(done);
    else enders.set(upid, resolve);
  });
  await client.call('events.unsubscribe', { subscription });
  return { upid, end, updates: updates.get(upid) ?? [] };
};

const isoDir = () => join(root, 'var/lib/vz/template/iso');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-daemon-storage-'));
  paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  server = createServer((request, response: ServerResponse) => {
    if (request.url === '/debian.iso') {
      response.writeHead(200, { 'content-length': ISO.length });
      response.end(ISO);
    } else if (request.url === '/slow.iso') {
      response.writeHead(200, { 'content-length': ISO.length });
      response.write(ISO.subarray(0, ISO.length / 2));
      releaseSlow = () => response.end(ISO.subarray(ISO.length / 2));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  daemon = await startDaemonProcess(paths);
}, T);

afterAll(async () => {
  for (const connection of connections) connection.close();
  if (daemon && daemon.child.exitCode === null) {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

describe('storage through the agent daemon', () => {
  it('lists the default local storage on a fresh node, adds one with the digest and refuses a stale digest', async () => {
    const client = await open();
    const fresh = await client.call('storage.list', {});
    expect(fresh.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(fresh.storages.map(({ id, type, content, enabled }) => ({ id, type, content, enabled }))).toEqual([
      { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup'], enabled: true },
    ]);
    expect(fresh.storages[0]?.config.path).toBe('/var/lib/vz');
    const added = await client.call('storage.add', { config: { type: 'dir', id: 'fast', path: '/srv/fast', content: ['images', 'rootdir'] }, digest: fresh.digest });
    expect(added.digest).not.toBe(fresh.digest);
    expect(await readFile(join(paths.config, 'storage.cfg'), 'utf8')).toContain('dir: fast\n\tpath /srv/fast\n');
    const stale = await caught(client.call('storage.add', { config: { type: 'dir', id: 'slow', path: '/srv/slow', content: ['iso'] }, digest: fresh.digest }));
    expect(isAppError(stale, 'conflict')).toBe(true);
    expect((stale as Error).message).toContain('storage.cfg changed since you read it');
    expect((await client.call('storage.list', {})).storages.map((storage) => storage.id)).toEqual(['local', 'fast']);
  });

  it('refuses to change a malformed storage.cfg, naming the line, and leaves it as it was', async () => {
    const client = await open();
    const file = join(paths.config, 'storage.cfg');
    const good = await readFile(file, 'utf8');
    const bad = `${good}\n\tcontent iso\n`;
    await writeFile(file, bad);
    try {
      const line = bad.split('\n').length - 1;
      const listed = await caught(client.call('storage.list', {}));
      expect(listed).toMatchObject({ code: 'invalid-params', details: { line } });
      expect((listed as Error).message).toContain(`storage.cfg line ${line}`);
      expect(await caught(client.call('storage.add', { config: { type: 'dir', id: 'more', path: '/srv/more', content: ['iso'] } }))).toMatchObject({
        code: 'invalid-params',
        details: { line },
      });
      expect(await readFile(file, 'utf8')).toBe(bad);
    } finally {
      await writeFile(file, good);
    }
  });

  it(
    'downloads an ISO from an http server as a task, with progress and its sha256 checked',
    async () => {
      const client = await open();
      let sawProgress = false;
      const { upid, end, updates } = await follow(
        client,
        () => client.call('storage.content.download', { storage: 'local', content: 'iso', url: `${base}/slow.iso`, filename: 'slow.iso', checksum: { algorithm: 'sha256', value: ISO_SHA256 } }),
        (task) => {
          if (!sawProgress && task.status === 'running' && task.progress !== undefined && task.progress > 0 && task.progress < 1) {
            sawProgress = true;
            releaseSlow?.();
          }
        },
      );
      expect(end.exitstatus).toBe('OK');
      expect(updates[0]).toMatchObject({ type: 'download', id: 'local', user: 'root@pam' });
      expect(sawProgress).toBe(true);
      expect(createHash('sha256').update(await readFile(join(isoDir(), 'slow.iso'))).digest('hex')).toBe(ISO_SHA256);
      const log = await client.call('task.log', { upid });
      expect(log.lines.map((line) => line.t)).toEqual(expect.arrayContaining([`size: ${ISO.length} bytes`, 'sha256 checksum verified']));
      const content = await client.call('storage.content.list', { storage: 'local', content: 'iso' });
      expect(content).toEqual([expect.objectContaining({ volid: 'local:iso/slow.iso', size: ISO.length })]);
    },
    T,
  );

  it(
    'ends a download with a wrong sha256 in ERROR and leaves no file behind',
    async () => {
      const client = await open();
      const { end } = await follow(client, () =>
        client.call('storage.content.download', { storage: 'local', content: 'iso', url: `${base}/debian.iso`, filename: 'debian.iso', checksum: { algorithm: 'sha256', value: '0'.repeat(64) } }),
      );
      expect(end.exitstatus).toMatch(/^ERROR: .*sha256 mismatch/);
      expect((await readdir(isoDir())).sort()).toEqual(['slow.iso']);
    },
    T,
  );

  it('refuses bad downloads before any task exists', async () => {
    const client = await open();
    const before = (await client.call('task.list', { type: 'download' })).length;
    const download = (params: Partial<{ url: string; filename: string; content: 'iso' | 'vztmpl'; storage: string }>) =>
      caught(client.call('storage.content.download', { storage: 'local', content: 'iso', url: `${base}/debian.iso`, filename: 'x.iso', ...params }));
    expect(await download({ url: 'file:///etc/passwd' })).toMatchObject({ code: 'invalid-params' });
    expect(await download({ url: 'ftp://127.0.0.1/x.iso' })).toMatchObject({ code: 'invalid-params' });
    expect(await download({ filename: '../x.iso' })).toMatchObject({ code: 'invalid-params' });
    expect(await download({ filename: 'dir/x.iso' })).toMatchObject({ code: 'invalid-params' });
    expect(await download({ filename: 'slow.iso' })).toMatchObject({ code: 'already-exists' });
    expect(await download({ storage: 'fast' })).toMatchObject({ code: 'invalid-params' });
    expect(await caught(client.call('storage.content.download', { storage: 'local', content: 'images' as 'iso', url: `${base}/x`, filename: 'x.raw' }))).toMatchObject({ code: 'invalid-params' });
    expect((await client.call('task.list', { type: 'download' })).length).toBe(before);
  });

  it(
    'allocates 8 volumes at once on a dir storage: 8 distinct names',
    async () => {
      const client = await open();
      const volids = await Promise.all(
        Array.from({ length: 8 }, () => client.call('storage.volume.alloc', { storage: 'fast', vmid: 200, size: 1024 * 1024, format: 'qcow2' })),
      );
      expect(new Set(volids.map((result) => result.volid)).size).toBe(8);
      const listed = await client.call('storage.content.list', { storage: 'fast', vmid: 200 });
      expect(listed.map((volume) => volume.volid).sort()).toEqual(volids.map((result) => result.volid).sort());
      expect(await caught(client.call('storage.volume.free', { volid: volids[0]!.volid, vmid: 201 }))).toMatchObject({ code: 'access-denied' });
      await client.call('storage.volume.free', { volid: volids[0]!.volid, vmid: 200 });
      const status = await client.call('storage.status', { storage: 'fast' });
      expect(status).toEqual([expect.objectContaining({ storage: 'fast', active: true })]);
      expect(status[0]!.total).toBeGreaterThan(0);
    },
    T,
  );
});
