// The browser host with the real core on a temp config dir: static files, headers, and the token-guarded /api socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Inventory } from '../core/inventory-schema';
import { startWebHost, type WebHost } from './host';

const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>Hyperdesk</title>
    <script type="module" crossorigin src="./assets/index-DxY1.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>`;

let dir: string;
let host: WebHost;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-web-host-'));
  await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), INDEX);
  await writeFile(join(dir, 'renderer', 'assets', 'index-DxY1.js'), 'console.log("app");\n');
  await writeFile(join(dir, 'renderer', 'web-preload.js'), '/* preload */\n');
  // Files a traversal would reach: one level above the renderer folder.
  await writeFile(join(dir, 'package.json'), '{"name":"TOP-SECRET"}\n');
  await writeFile(join(dir, 'outside.txt'), 'TOP-SECRET\n');
  host = await startWebHost({ configDir: join(dir, 'config'), rendererDir: join(dir, 'renderer'), agentBundle: join(dir, 'agent.js') });
});

afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** node:http sends the path exactly as given (fetch would normalize `..` away before sending). */
const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });

const origin = (): string => `http://127.0.0.1:${host.port}`;

/** Opens /api; resolves with the open socket or the HTTP status the host refused it with. */
/** `originHeader` null sends no Origin header at all (a non-browser client). */
const open = (query: string, originHeader: string | null = origin()): Promise<WebSocket | number> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, originHeader === null ? {} : { origin: originHeader });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });

const call = (ws: WebSocket, message: unknown): Promise<{ id: unknown; envelope: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> =>
  new Promise((resolve) => {
    const id = (message as { id?: unknown }).id ?? null;
    const onMessage = (raw: Buffer): void => {
      const parsed = JSON.parse(raw.toString()) as { id: unknown; envelope: never };
      if (parsed.id !== id) return;
      ws.off('message', onMessage);
      resolve(parsed);
    };
    ws.on('message', onMessage);
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });

describe('browser host: static files', () => {
  it('prints a loopback URL carrying a 64-hex-digit token in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves index.html with the web preload injected and the security headers', async () => {
    const reply = await get('/', { Host: `127.0.0.1:${host.port}` });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body.indexOf('<script src="web-preload.js"></script>')).toBeGreaterThan(0);
    expect(reply.body.indexOf('<script src="web-preload.js"></script>')).toBeLessThan(reply.body.indexOf('<script type="module"'));
    const csp = String(reply.headers['content-security-policy']);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:* ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets with their content type and the same headers', async () => {
    const reply = await get('/assets/index-DxY1.js');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.body).toContain('console.log("app")');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await get('/web-preload.js')).status).toBe(200);
  });

  it('answers 404 for missing files and for directories (no listing)', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    const listing = await get('/assets/');
    expect(listing.status).toBe(404);
    expect(listing.body).not.toContain('index-DxY1');
  });

  it.each([
    '/../package.json',
    '/../outside.txt',
    '/%2e%2e/package.json',
    '/%2E%2E/outside.txt',
    '/..%2fpackage.json',
    '/%2e%2e%2fpackage.json',
    '/assets/..%2f..%2foutside.txt',
    '/assets/%2e%2e/%2e%2e/outside.txt',
    '/..%5coutside.txt',
    '/.%2e/outside.txt',
    '/%252e%252e/outside.txt',
  ])('refuses the traversal %s', async (path) => {
    const reply = await get(path);
    expect(reply.status).not.toBe(200);
    expect(reply.body).not.toContain('TOP-SECRET');
  });

  it('refuses other Host names (DNS rebinding) and methods other than GET and HEAD', async () => {
    expect((await get('/', { Host: `attacker.example:${host.port}` })).status).toBe(403);
    expect((await get('/', {}, 'POST')).status).toBe(405);
    const head = await get('/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('browser host: /api WebSocket', () => {
  it('refuses a connection without the token, with a wrong token or from another origin', async () => {
    expect(await open('')).toBe(403);
    expect(await open(`?token=${'0'.repeat(64)}`)).toBe(403);
    expect(await open(`?token=${host.token.slice(0, 63)}`)).toBe(403);
    expect(await open(`?token=${host.token}`, 'http://evil.example')).toBe(403);
    expect(await open(`?token=${host.token}`, `http://localhost:${host.port}`)).toBe(403);
    expect(await open(`?token=${host.token}`, null)).toBe(403);
  });

  it('answers 404 on other paths', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, { origin: origin() });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
    expect(status).toBe(404);
  });

  it('with the token: inventory.snapshot, preferences round trip, and typed errors', async () => {
    const ws = await open(`?token=${host.token}`);
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    try {
      const snapshot = await call(ws, { id: 1, method: 'inventory.snapshot', params: {} });
      expect(snapshot.envelope.ok).toBe(true);
      expect(Inventory.safeParse(snapshot.envelope.value).success).toBe(true);

      const set = await call(ws, { id: 2, method: 'preferences.set', params: { theme: 'dark', language: 'zh-CN' } });
      expect(set.envelope).toMatchObject({ ok: true, value: { theme: 'dark', language: 'zh-CN' } });
      const got = await call(ws, { id: 3, method: 'preferences.get', params: {} });
      expect(got.envelope).toMatchObject({ ok: true, value: { theme: 'dark', language: 'zh-CN' } });

      expect((await call(ws, { id: 4, method: 'vm.destroyEverything', params: {} })).envelope).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect((await call(ws, { id: 5, method: 'preferences.set', params: { theme: 'pink' } })).envelope).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
      expect((await call(ws, { id: 6, method: 'inventory.snapshot', params: { extra: 1 } })).envelope).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
      expect((await call(ws, 'not json')).envelope).toMatchObject({ ok: false, error: { code: 'protocol-error' } });
      expect((await call(ws, { id: 7, params: {} })).envelope).toMatchObject({ ok: false, error: { code: 'protocol-error' } });
    } finally {
      ws.close();
    }
  });
});
