// Path resolution of the built renderer, shared by the app:// handler and the browser host.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { contentTypeFor, resolveRendererPath } from './renderer-files';

const root = resolve('/srv/hyperdesk/renderer');

describe('resolveRendererPath', () => {
  it('maps / to index.html and paths to files under the root', () => {
    expect(resolveRendererPath(root, '/')).toEqual({ ok: true, path: join(root, 'index.html') });
    expect(resolveRendererPath(root, '/assets/index-B1x.js')).toEqual({ ok: true, path: join(root, 'assets', 'index-B1x.js') });
    expect(resolveRendererPath(root, '/assets/with%20space.css')).toEqual({ ok: true, path: join(root, 'assets', 'with space.css') });
  });

  it.each(['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/%2E%2E%2Fpackage.json', '/assets/..%2f..%2fpackage.json', '/..%5cpackage.json', '/./index.html', '/%2e/index.html'])(
    'refuses %s',
    (path) => {
      expect(resolveRendererPath(root, path)).toEqual({ ok: false, status: 403 });
    },
  );

  it('refuses NUL bytes and malformed escapes as bad requests', () => {
    expect(resolveRendererPath(root, '/index.html%00.png')).toEqual({ ok: false, status: 400 });
    expect(resolveRendererPath(root, '/%E0%A4%A')).toEqual({ ok: false, status: 400 });
  });

  it('never resolves outside the root, whatever the input', () => {
    const inputs = ['//etc/passwd', '/\\etc\\passwd', '/C:/Windows/win.ini', '/assets//../../x', '/%2F%2Fetc/passwd'];
    const escaped = inputs.filter((path) => {
      const resolved = resolveRendererPath(root, path);
      return resolved.ok && !resolved.path.startsWith(`${root}/`);
    });
    expect(escaped).toEqual([]);
  });
});

describe('contentTypeFor', () => {
  it('knows the renderer file types and falls back to octet-stream', () => {
    expect(contentTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('/x/a.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('/x/Makefile')).toBe('application/octet-stream');
  });
});
