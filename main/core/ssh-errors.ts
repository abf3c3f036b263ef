// How ssh2's failures and the host key check become AppErrors that name host:port and say what to do.
// `details.reason` lets the session and the UI tell host key problems from authentication failures.
import { AppError } from '../../node-agent/src/api';
import { fingerprint, keyTypeOf, type KnownHosts } from './known-hosts';

export type SshError = Error & { level?: string; code?: string };

/** ssh2's error (by its level) as an AppError that names host:port. */
export const mapSshError = (
  error: SshError,
  host: string,
  port: number,
  user: string,
  tried: readonly string[],
): AppError => {
  const where = `${host}:${port}`;
  switch (error.level) {
    case 'client-authentication':
      return new AppError(
        'access-denied',
        `authentication as ${user}@${host} failed (methods tried: ${tried.join(', ') || 'none'})`,
        {
          reason: 'auth',
          methodsTried: [...tried],
        },
      );
    case 'agent':
      return new AppError('access-denied', `the ssh-agent could not sign for ${user}@${host}: ${error.message}`, {
        reason: 'auth',
      });
    case 'client-timeout':
      return new AppError('timeout', `${where} did not answer in time (${error.message})`, { host, port });
    case 'handshake':
      return new AppError('protocol-error', `the SSH handshake with ${where} failed: ${error.message}`, { host, port });
    case undefined:
    default:
      return new AppError('unreachable', `cannot reach ${where}: ${error.code ?? error.message}`, {
        host,
        port,
        cause: error.message,
      });
  }
};

/** The host key check every connection makes: only a key known_hosts lists for host:port passes. */
export const hostKeyVerdict = (
  knownHosts: KnownHosts,
  host: string,
  port: number,
  keyBlob: Buffer,
): AppError | undefined => {
  const keyType = keyTypeOf(keyBlob);
  const seen = fingerprint(keyBlob);
  const lookup = knownHosts.lookup(host, port, keyType, keyBlob);
  const where = `${host}:${port}`;
  if (lookup.revoked)
    return new AppError(
      'access-denied',
      `the host key of ${where} (${seen}) is marked @revoked in known_hosts — it is refused`,
      {
        reason: 'host-key-revoked',
        fingerprint: seen,
        keyType,
      },
    );
  if (lookup.match === 'changed')
    return new AppError(
      'access-denied',
      `the host key of ${where} has CHANGED (${seen}); expected ${lookup.expected.join(' or ')} — if the node was reinstalled, remove the old key and accept the new one`,
      { reason: 'host-key-changed', fingerprint: seen, keyType, expected: lookup.expected },
    );
  if (lookup.match === 'new')
    return new AppError(
      'access-denied',
      `the host key of ${where} is not trusted yet (${seen}) — confirm its fingerprint first`,
      {
        reason: 'host-key-unknown',
        fingerprint: seen,
        keyType,
      },
    );
  return undefined;
};
