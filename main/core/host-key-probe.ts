// Trust on first use, done carefully: show the person the host key's fingerprint before anything is sent,
// and write it to known_hosts only if the host still presents exactly the key they confirmed.
import { Client } from 'ssh2';
import { AppError } from '../../node-agent/src/api';
import type { HostKeyInfo } from './app-api';
import { fingerprint, keyTypeOf, type HostKeyLookup, type KnownHosts } from './known-hosts';
import { mapSshError } from './ssh-errors';

/** ssh2's default host key algorithms (Node.js has Ed25519), in its order. */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * OpenSSH asks first for the key types it already knows for the host, so a server with several host keys
 * presents the trusted one instead of one we would have to call new. An RSA key serves three algorithms.
 */
export const hostKeyAlgorithms = (knownTypes: readonly string[]): string[] => {
  const preferred = knownTypes.flatMap((type) =>
    type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type],
  );
  const first = preferred.filter((algorithm) => DEFAULT_HOST_KEY_ALGORITHMS.includes(algorithm));
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ALGORITHMS])];
};

export interface ProbeOptions {
  readyTimeoutMs?: number;
}

interface CapturedKey {
  keyType: string;
  key: Buffer;
  lookup: HostKeyLookup;
}

/** Connect only as far as the key exchange, capture the host key, and hang up (the verifier refuses it). */
const captureHostKey = async (
  host: string,
  port: number,
  knownHosts: KnownHosts,
  options: ProbeOptions,
): Promise<CapturedKey> => {
  await knownHosts.refresh();
  return new Promise((resolve, reject) => {
    const client = new Client();
    let captured: CapturedKey | undefined;
    let settled = false;
    const finish = (error?: AppError) => {
      if (settled) return;
      settled = true;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.destroy();
      if (captured) resolve(captured);
      else
        reject(
          error ??
            new AppError('protocol-error', `${host}:${port} ended the SSH handshake before showing its host key`),
        );
    };
    client.on('error', (error: Error & { level?: string }) =>
      finish(captured ? undefined : mapSshError(error, host, port, '', [])),
    );
    client.on('close', () => finish());
    // Never reached (the verifier refuses every key), but if it were, nothing must run on that connection.
    client.on('ready', () => finish());
    try {
      client.connect({
        host,
        port,
        username: 'hyperdesk-probe',
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        algorithms: { serverHostKey: hostKeyAlgorithms(knownHosts.knownKeyTypes(host, port)) as never },
        hostVerifier: (key: Buffer) => {
          try {
            const keyType = keyTypeOf(key);
            captured = { keyType, key: Buffer.from(key), lookup: knownHosts.lookup(host, port, keyType, key) };
          } catch (error) {
            finish(AppError.from(error));
          }
          return false;
        },
      });
    } catch (error) {
      finish(new AppError('invalid-params', `cannot connect to ${host}:${port}: ${(error as Error).message}`));
    }
  });
};

const infoOf = (host: string, port: number, captured: CapturedKey): HostKeyInfo => ({
  host,
  port,
  keyType: captured.keyType,
  fingerprint: fingerprint(captured.key),
  match: captured.lookup.match,
});

/** The host key host:port presents now, and how it compares with known_hosts. */
export const probeHostKey = async (
  host: string,
  port: number,
  knownHosts: KnownHosts,
  options: ProbeOptions = {},
): Promise<HostKeyInfo> => infoOf(host, port, await captureHostKey(host, port, knownHosts, options));

export interface AcceptOptions extends ProbeOptions {
  /**
   * The person confirmed that the node was reinstalled: replace the keys of this type known for host:port.
   * Without it, a changed key is refused.
   */
  replace?: boolean;
}

/**
 * Probe again and add the key to known_hosts only if it is the one the person confirmed. A revoked key
 * is never accepted; a changed one only with `replace`.
 */
export const acceptHostKey = async (
  host: string,
  port: number,
  knownHosts: KnownHosts,
  confirmedFingerprint: string,
  options: AcceptOptions = {},
): Promise<HostKeyInfo> => {
  const captured = await captureHostKey(host, port, knownHosts, options);
  const info = infoOf(host, port, captured);
  const where = `${host}:${port}`;
  if (info.fingerprint !== confirmedFingerprint)
    throw new AppError(
      'conflict',
      `the host key of ${where} changed while you were confirming it: it is now ${info.fingerprint}, you confirmed ${confirmedFingerprint} — check it again`,
      {
        reason: 'host-key-mismatch',
        fingerprint: info.fingerprint,
        confirmed: confirmedFingerprint,
        keyType: info.keyType,
      },
    );
  if (captured.lookup.revoked)
    throw new AppError(
      'access-denied',
      `the host key of ${where} (${info.fingerprint}) is marked @revoked in known_hosts — it cannot be accepted`,
      {
        reason: 'host-key-revoked',
        fingerprint: info.fingerprint,
        keyType: info.keyType,
      },
    );
  if (info.match === 'known') return info;
  if (info.match === 'changed') {
    if (options.replace !== true)
      throw new AppError(
        'conflict',
        `the host key of ${where} has CHANGED (${info.fingerprint}); expected ${captured.lookup.expected.join(' or ')} — replace it only if the node was reinstalled`,
        {
          reason: 'host-key-changed',
          fingerprint: info.fingerprint,
          keyType: info.keyType,
          expected: captured.lookup.expected,
        },
      );
    await knownHosts.remove(host, port, captured.keyType);
  }
  await knownHosts.add(host, port, captured.keyType, captured.key);
  return { ...info, match: 'known' };
};
