// The renderer's Content-Security-Policy: one definition for the Electron shell (app://) and the browser host (http://127.0.0.1).
// It lives in main/web because main/web must stay Electron-free while main/electron may import from it.
// Sent as a response header, not a <meta>, because frame-ancestors only works as a header.

/**
 * style-src needs 'unsafe-inline': MUI (emotion) and xterm.js insert <style> elements at run time and
 * carry no nonce. Scripts stay 'self' only, which is what protects the renderer.
 * connect-src allows ws://127.0.0.1 on any port because main/core serves each VNC console on a
 * one-shot, token-guarded WebSocket on a random loopback port.
 */
const directives: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['default-src', ["'none'"]],
  ['script-src', ["'self'"]],
  ['style-src', ["'self'", "'unsafe-inline'"]],
  ['img-src', ["'self'", 'data:', 'blob:']],
  ['font-src', ["'self'", 'data:']],
  ['connect-src', ["'self'", 'ws://127.0.0.1:*']],
  ['worker-src', ["'self'", 'blob:']],
  ['object-src', ["'none'"]],
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]],
  ['frame-src', ["'none'"]],
  ['frame-ancestors', ["'none'"]],
];

/** The policy, with extra connect-src sources (the browser host adds its own WebSocket origin). */
export const rendererCsp = (extraConnectSrc: readonly string[] = []): string =>
  directives
    .map(([name, sources]) => {
      const all = name === 'connect-src' ? [...sources, ...extraConnectSrc.filter((s) => !sources.includes(s))] : sources;
      return `${name} ${all.join(' ')}`;
    })
    .join('; ');

/** Headers every response from either front end carries, besides the CSP. */
export const securityHeaders = (csp: string): Record<string, string> => ({
  'Content-Security-Policy': csp,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});
