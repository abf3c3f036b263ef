// The WebSocket transport of window.hyperdesk against the real browser host (and the real core), using the ws
// package as the browser's WebSocket; the page-only parts (location.hash, sessionStorage) are left to the e2e tests.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebHost, type WebHost } from './host';
import { createWebSocketApi, type WebApi, type WebApiOptions } from '../../preload/web';
import type { AppEventData } from '../../preload/api';

let dir: string;
const hosts: WebHost[] = [];
const clients: WebApi[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-web-preload-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<html><head></head><body></body></html>');
  // The core checks the bundle against its manifest before a session starts; it is never run here.
  const bundle = '// agent bundle stand-in\n';
  await writeFile(join(dir, 'agent.js'), bundle);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: '0.1.0', digest: createHash('sha256').update(bundle).digest('hex') }));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const host of hosts.splice(0)) await host.close();
  await rm(dir, { recursive: true, force: true });
});

const start = async (options: { port?: number; token?: string } = {}): Promise<WebHost> => {
  const host = await startWebHost({ configDir: join(dir, 'config'), rendererDir: join(dir, 'renderer'), agentBundle: join(dir, 'agent.js'), ...options });
  hosts.push(host);
  return host;
};

const until = async (condition: () => boolean, deadlineMs = 5_000): Promise<void> => {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const connect = (host: WebHost, token = host.token, extra: Partial<WebApiOptions> = {}): WebApi => {
  const client = createWebSocketApi({
    url: `ws://127.0.0.1:${host.port}/api?token=${token}`,
    // A browser sets Origin to the page's origin; the ws package must be told.
    openSocket: (url) => new WebSocket(url, { origin: `http://127.0.0.1:${host.port}` }),
    initialBackoffMs: 20,
    maxBackoffMs: 100,
    ...extra,
  });
  clients.push(client);
  return client;
};

describe('preload/web.ts over the browser host', () => {
  it('invokes app methods and gets envelopes back', async () => {
    const client = connect(await start());
    expect(client.transport).toBe('web');
    const snapshot = await client.invoke('inventory.snapshot', {});
    expect(snapshot).toMatchObject({ ok: true, value: { clusters: {}, nodes: {}, tasks: {} } });
    expect(await client.invoke('preferences.set', { theme: 'light' })).toMatchObject({ ok: true, value: { theme: 'light' } });
    const bad = await client.invoke('preferences.set', { theme: 'pink' as 'light' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
  });

  it('answers unreachable after the deadline when the host refuses the token', async () => {
    const host = await start();
    const client = connect(host, 'f'.repeat(64), { reconnectDeadlineMs: 400 });
    const started = Date.now();
    const envelope = await client.invoke('inventory.snapshot', {});
    expect(envelope).toMatchObject({ ok: false, error: { code: 'unreachable' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('reconnects after the host restarts and sends calls made while it was down', async () => {
    const first = await start();
    const client = connect(first, first.token, { reconnectDeadlineMs: 15_000 });
    let restored = 0;
    client.on('connection.restored', () => (restored += 1));
    expect((await client.invoke('preferences.set', { language: 'zh-CN' })).ok).toBe(true);
    expect(restored).toBe(0);

    await first.close();
    hosts.splice(hosts.indexOf(first), 1);
    await until(() => !client.connected);
    const during = client.invoke('preferences.get', {});
    // Same port and token, same config dir: what a restarted host looks like to the page.
    await start({ port: first.port, token: first.token });
    expect(await during).toMatchObject({ ok: true, value: { language: 'zh-CN' } });
    // The page is told, so it reloads what it shows: the new host's revisions start over.
    expect(restored).toBe(1);
  });

  it('answers a call that was running when the connection dropped as unreachable, without retrying it', async () => {
    // A loopback TCP server that accepts and never speaks SSH: connections.probeHostKey waits on it.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const host = await start();
      const client = connect(host);
      expect((await client.invoke('inventory.snapshot', {})).ok).toBe(true);
      const probing = client.invoke('connections.probeHostKey', { host: '127.0.0.1', port: (silent.address() as { port: number }).port });
      await until(() => held.length > 0);
      await host.close();
      hosts.splice(hosts.indexOf(host), 1);
      const envelope = await probing;
      expect(envelope).toMatchObject({ ok: false, error: { code: 'unreachable' } });
      expect(envelope.ok ? '' : envelope.error.message).toContain('connections.probeHostKey');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('answers queued calls unreachable when the client is closed', async () => {
    const host = await start();
    const client = connect(host, 'f'.repeat(64));
    const pending = client.invoke('inventory.snapshot', {});
    client.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'unreachable' } });
    expect(await client.invoke('inventory.snapshot', {})).toMatchObject({ ok: false, error: { code: 'unreachable' } });
  });

  it('delivers core events: removing a saved node sends an inventory.patch that removes it', async () => {
    // One saved node on a closed loopback port: the core shows it (offline) until it is removed.
    await mkdir(join(dir, 'config'), { recursive: true });
    await writeFile(
      join(dir, 'config', 'connections.json'),
      JSON.stringify({ version: 1, clusters: [{ id: 'lab', name: 'Lab', nodes: [{ name: 'n1', host: '127.0.0.1', port: 1, user: 'root', auth: { method: 'agent' } }] }] }),
    );
    const client = connect(await start());
    const removed = new Promise<AppEventData<'inventory.patch'>>((resolve) => {
      const off = client.on('inventory.patch', (patch) => {
        if (patch.nodes?.['lab/n1'] !== null) return;
        off();
        resolve(patch);
      });
    });
    const before = await client.invoke('inventory.snapshot', {});
    expect(before).toMatchObject({ ok: true, value: { nodes: { 'lab/n1': { host: '127.0.0.1' } } } });
    expect(await client.invoke('connections.removeNode', { node: 'lab/n1' })).toEqual({ ok: true, value: {} });
    expect((await removed).nodes?.['lab/n1']).toBeNull();
  });
});
