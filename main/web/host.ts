// The browser host: the built renderer and the preload API over a token-guarded WebSocket, on 127.0.0.1 only.
// Used by the end-to-end tests and for running Hyperdesk in a browser (`npm run start:web`).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleCandidates, findAgentBundle } from '../cli/agent-bundle-path';
import { AppError } from '../../node-agent/src/api/errors';
import { createCore } from '../core/core';
import type { HyperdeskCoreHandle, SecretStore } from '../core/core-api';
import { MemorySecretStore } from '../core/secrets-memory';
import { rendererCsp, securityHeaders } from './csp';
import { attachApiSocket } from './api-socket';
import { parseHostArgs } from './host-args';
import { createStaticHandler } from './static-server';

export interface WebHostOptions {
  configDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to dist/renderer next to this bundle (or of the repository when run from source). */
  rendererDir?: string;
  agentBundle?: string;
  /** Secrets stay in memory unless a store is given. */
  secrets?: SecretStore;
  /** A fixed token (tests that restart the host on the same port); otherwise 32 random bytes. */
  token?: string;
  /** A core the caller made (benchmarks with synthetic nodes) instead of one from configDir; the host disposes it on close. */
  core?: HyperdeskCoreHandle;
}

export interface WebHost {
  /** http://127.0.0.1:<port>/#token=<token> */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const here = dirname(fileURLToPath(import.meta.url));

/** dist/main/web-host.js finds ../renderer; main/web/host.ts (tsx, tests) finds ../../dist/renderer. */
const besideBundle = (bundled: string, fromSource: string): string => {
  const candidate = resolve(here, bundled);
  return existsSync(candidate) ? candidate : resolve(here, fromSource);
};

/** The CLI's lookup (HYPERDESK_AGENT_BUNDLE, then dist/agent); when nothing is built yet the core explains it on first connect. */
const defaultAgentBundle = (): string => {
  try {
    return findAgentBundle(import.meta.url);
  } catch (error) {
    const fallback = bundleCandidates(import.meta.url).at(-1);
    if (process.env.HYPERDESK_AGENT_BUNDLE || fallback === undefined) throw error;
    return fallback;
  }
};

export const startWebHost = async (options: WebHostOptions): Promise<WebHost> => {
  const token = options.token ?? randomBytes(32).toString('hex');
  const rendererDir = options.rendererDir ?? besideBundle('../renderer', '../../dist/renderer');
  const core: HyperdeskCoreHandle =
    options.core ??
    (await createCore({ configDir: options.configDir, secrets: options.secrets ?? new MemorySecretStore(), agentBundle: options.agentBundle ?? defaultAgentBundle() }));

  let port = 0;
  const origin = (): string => `http://${LOOPBACK}:${port}`;
  const server = createServer();
  const handleStatic = createStaticHandler({
    rendererDir,
    host: () => `${LOOPBACK}:${port}`,
    headers: () => securityHeaders(rendererCsp([`ws://${LOOPBACK}:${port}`])),
  });
  server.on('request', (req, res) => void handleStatic(req, res));
  const api = attachApiSocket({ server, core, token, origin });

  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? 0, LOOPBACK, () => {
        server.off('error', fail);
        done();
      });
    });
  } catch (error) {
    api.close();
    await core.dispose();
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(code === 'EADDRINUSE' ? 'already-exists' : 'internal-error', `the browser host could not listen on ${LOOPBACK}:${options.port ?? 0}: ${(error as Error).message}`);
  }
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin()}/#token=${token}`,
    port,
    token,
    close: () =>
      (closing ??= (async () => {
        api.close();
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
        await core.dispose();
      })()),
  };
};

const main = async (): Promise<void> => {
  let args;
  try {
    args = parseHostArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`web-host: ${AppError.from(error).message}\n`);
    process.exit(2);
  }
  const host = await startWebHost(args);
  // stdout carries exactly one JSON line, for tests and scripts; people read stderr.
  process.stdout.write(`${JSON.stringify({ url: host.url })}\n`);
  process.stderr.write(`Hyperdesk browser host on ${host.url} (config ${args.configDir}); Ctrl+C stops it\n`);
  const stop = (): void => {
    void host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`web-host: shutting down failed: ${AppError.from(error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`web-host: ${AppError.from(error).message}\n`);
    process.exit(1);
  });
}
