// The app:// scheme that serves dist/renderer to the window.
// Why not file://: every file on disk shares the file:// origin, so CSP 'self', the navigation guard and the
// IPC sender check could not tell our page from any other local file; ES module scripts are also treated as
// cross-origin there. A privileged standard scheme gives the renderer a real origin (app://hyperdesk) and lets
// us attach the CSP header to every response ourselves.
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_HOST, APP_SCHEME } from './origin-policy';
import { contentTypeFor, resolveRendererPath } from '../web/renderer-files';
import { rendererCsp, securityHeaders } from '../web/csp';

/** Must run before app 'ready'. */
export const registerAppScheme = (): void => {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
};

const plain = (status: number, text: string, headers: Record<string, string>): Response =>
  new Response(text, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });

/** Serves files from `rendererDir` on app://hyperdesk/ with the renderer's CSP. Call after 'ready'. */
export const serveRenderer = (rendererDir: string): void => {
  const headers = securityHeaders(rendererCsp());
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return plain(404, 'not found', headers);
    const resolved = resolveRendererPath(rendererDir, url.pathname);
    if (!resolved.ok) return plain(resolved.status, 'refused', headers);
    try {
      const body = await readFile(resolved.path);
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': contentTypeFor(resolved.path) } });
    } catch {
      return plain(404, 'not found', headers);
    }
  });
};
