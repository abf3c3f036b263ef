import { describe, expect, it } from 'vitest';
import { rendererCsp, securityHeaders } from './csp';

const directive = (csp: string, name: string): string[] =>
  csp.split('; ').find((d) => d.startsWith(`${name} `))?.split(' ').slice(1) ?? [];

describe('rendererCsp', () => {
  it('allows scripts from the app only and forbids framing, plugins and base changes', () => {
    const csp = rendererCsp();
    expect(directive(csp, 'script-src')).toEqual(["'self'"]);
    expect(directive(csp, 'default-src')).toEqual(["'none'"]);
    expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"]);
    expect(directive(csp, 'object-src')).toEqual(["'none'"]);
    expect(directive(csp, 'base-uri')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-eval');
    expect(directive(csp, 'script-src')).not.toContain("'unsafe-inline'");
  });

  it('adds the browser host WebSocket to connect-src without duplicating sources', () => {
    const csp = rendererCsp(['ws://127.0.0.1:4100', "'self'"]);
    expect(directive(csp, 'connect-src')).toEqual(["'self'", 'ws://127.0.0.1:*', 'ws://127.0.0.1:4100']);
  });

  it('goes with nosniff and no-referrer', () => {
    expect(securityHeaders('x')).toMatchObject({ 'Content-Security-Policy': 'x', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
  });
});
