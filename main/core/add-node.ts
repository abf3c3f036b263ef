// What adding a node needs besides the core itself: the saved auth, a provisional name, this attempt's secret,
// and one connection attempt that succeeds on hello or fails on the first bad state.
import type { z } from 'zod';
import { AppError, type Hello } from '../../node-agent/src/api';
import type { appMethods } from './app-api';
import type { NodeKey, SavedAuth } from './config-schema';
import type { SecretStore } from './core-api';
import type { NodeSessionHandle } from './node-session-api';

export type ParsedAddNode = z.output<(typeof appMethods)['connections.addNode']['params']>;

/** The keychain account of a node's SSH secret. */
export const secretAccount = (key: string): string => `ssh:${key}`;

export const savedAuthOf = (input: ParsedAddNode): SavedAuth => {
  switch (input.auth) {
    case 'key':
      if (!input.keyPath)
        throw new AppError(
          'invalid-params',
          `invalid parameters for connections.addNode: keyPath: a key file is needed for key authentication`,
        );
      return { method: 'key', keyPath: input.keyPath };
    case 'agent':
      return { method: 'agent' };
    case 'password':
      return { method: 'password' };
    case 'keyboard-interactive':
      return { method: 'keyboard-interactive' };
  }
};

/** The name used for the first connection when none was given: the host's first label, made a valid node name. */
export const provisionalName = (host: string): string => {
  const isIp = /^[0-9.]+$/.test(host) || host.includes(':');
  const label = (isIp ? host : (host.split('.')[0] ?? host))
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return label.replace(/-+$/, '') || 'node';
};

/** A SecretStore that answers this attempt's secret for one node and defers to the real store otherwise. */
export const withSecret = (secrets: SecretStore, key: NodeKey, secret: string | undefined): SecretStore =>
  secret === undefined
    ? secrets
    : {
        get: (account) => (account === secretAccount(key) ? Promise.resolve(secret) : secrets.get(account)),
        set: (account, value) => secrets.set(account, value),
        delete: (account) => secrets.delete(account),
      };

const failureCode = {
  offline: 'unreachable',
  'host-key-changed': 'conflict',
  'auth-failed': 'access-denied',
  'agent-error': 'protocol-error',
} as const;

/** Start a session and wait for its hello; the first state other than connecting/online is the failure. */
export const connectOnce = (session: NodeSessionHandle, target: string, timeoutMs: number): Promise<Hello> =>
  new Promise<Hello>((resolve, reject) => {
    const offs: (() => void)[] = [];
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      for (const off of offs) off();
      settle();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(new AppError('timeout', `${target} did not complete the handshake within ${timeoutMs / 1000} s`)),
        ),
      timeoutMs,
    );
    offs.push(session.on('hello', (hello) => finish(() => resolve(hello))));
    offs.push(
      session.on('state', (state, error) => {
        if (state === 'online' && session.hello) {
          const hello = session.hello;
          finish(() => resolve(hello));
        } else if (state !== 'connecting' && state !== 'online') {
          finish(() => reject(error ?? new AppError(failureCode[state], `${target} is ${state}`)));
        }
      }),
    );
    session.start();
  });
