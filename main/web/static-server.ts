// HTTP side of the browser host: the built renderer, read-only, from 127.0.0.1 only, with the security headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { contentTypeFor, resolveRendererPath } from './renderer-files';
import { injectWebPreload } from './index-html';

export interface StaticServerOptions {
  rendererDir: string;
  /** `127.0.0.1:<port>`; other Host headers are refused, which defeats DNS rebinding. */
  host: () => string;
  headers: () => Record<string, string>;
}

export const createStaticHandler = (options: StaticServerOptions) => {
  const reply = (res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...options.headers(), 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', ...extra });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const text = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void =>
    reply(res, status, `${body}\n`, 'text/plain; charset=utf-8', extra);

  const indexPath = join(resolve(options.rendererDir), 'index.html');

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    if (req.headers.host !== options.host()) return text(res, 403, 'wrong Host header');
    const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
    if (!rawPath.startsWith('/')) return text(res, 400, 'bad request');
    const resolved = resolveRendererPath(options.rendererDir, rawPath);
    if (!resolved.ok) return text(res, resolved.status, resolved.status === 403 ? 'refused' : 'bad request');
    let body: Buffer;
    try {
      if (!(await stat(resolved.path)).isFile()) return text(res, 404, 'not found');
      body = await readFile(resolved.path);
    } catch {
      return text(res, 404, 'not found');
    }
    if (resolved.path !== indexPath) return reply(res, 200, body, contentTypeFor(resolved.path));
    try {
      return reply(res, 200, injectWebPreload(body.toString('utf8')), contentTypeFor(indexPath));
    } catch (error) {
      return text(res, 500, error instanceof Error ? error.message : String(error));
    }
  };
};
