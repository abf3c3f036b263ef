// Serving the built renderer (dist/renderer) safely: path resolution that cannot leave the folder, content types.
// Used by the Electron app:// protocol handler and the browser host alike.
import { extname, resolve, sep } from 'node:path';

export type ResolvedPath = { ok: true; path: string } | { ok: false; status: 400 | 403 };

/**
 * Maps a URL path (still percent-encoded) to a file under `root`. `..` segments, encoded or not,
 * NUL bytes and malformed escapes are refused before touching the disk; the final prefix check
 * catches anything the segment check missed.
 */
export const resolveRendererPath = (root: string, urlPath: string): ResolvedPath => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded.includes('\0')) return { ok: false, status: 400 };
  const segments = decoded.split(/[\\/]+/).filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.')) return { ok: false, status: 403 };
  const base = resolve(root);
  const path = resolve(base, segments.length === 0 ? 'index.html' : segments.join(sep));
  if (!path.startsWith(base + sep)) return { ok: false, status: 403 };
  return { ok: true, path };
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Unknown extensions are served as opaque bytes; with nosniff the browser will not guess. */
export const contentTypeFor = (path: string): string =>
  contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream';
