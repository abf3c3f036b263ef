// One SSH connection to one node (ssh2's Client): verified against known_hosts, always; authenticated the
// saved way; mapped to AppErrors the UI can branch on. Channels (exec, sftp) are opened on demand.
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { AppError } from '../../node-agent/src/api';
import type { NodeKey, SavedAuth } from './config-schema';
import { hostKeyAlgorithms } from './host-key-probe';
import { fingerprint, keyTypeOf, type KnownHosts } from './known-hosts';
import type { AuthPrompter } from './node-session-api';
import { prepareAuth } from './ssh-auth';
import { hostKeyVerdict, mapSshError, type SshError } from './ssh-errors';

// Probing and accepting host keys live beside this file; the app reaches them here with the connection.
export { acceptHostKey, probeHostKey } from './host-key-probe';

export interface SshOptions {
  host: string;
  port: number;
  user: string;
  auth: SavedAuth;
  /** Password or key passphrase. */
  secret?: string | undefined;
  knownHosts: KnownHosts;
  prompt?: AuthPrompter | undefined;
  nodeKey: NodeKey;
  readyTimeoutMs?: number | undefined;
  keepaliveIntervalMs?: number | undefined;
  /** Abort a connection attempt still under way (the session was disposed). */
  signal?: AbortSignal | undefined;
}

export interface PtyOptions {
  rows: number;
  cols: number;
  term?: string;
}

export interface SshConnection {
  readonly host: string;
  readonly port: number;
  readonly hostKey: { keyType: string; fingerprint: string };
  readonly closed: boolean;
  exec(command: string, options?: { pty?: PtyOptions }): Promise<ClientChannel>;
  sftp(): Promise<SFTPWrapper>;
  /** Called once when the connection ends: with the error that ended it, or undefined after close(). */
  onClose(listener: (error: AppError | undefined) => void): () => void;
  close(): void;
}

class Connection implements SshConnection {
  private readonly closeListeners = new Set<(error: AppError | undefined) => void>();
  private endedWith: AppError | undefined;
  private closedByUs = false;
  closed = false;

  constructor(
    private readonly client: Client,
    readonly host: string,
    readonly port: number,
    readonly hostKey: { keyType: string; fingerprint: string },
  ) {
    client.on('error', (error: SshError) => {
      this.endedWith ??= mapSshError(error, host, port, '', []);
    });
    client.on('close', () => {
      this.closed = true;
      const error = this.closedByUs
        ? undefined
        : (this.endedWith ??
          new AppError('unreachable', `the SSH connection to ${host}:${port} closed`, { host, port }));
      for (const listener of [...this.closeListeners]) listener(error);
      this.closeListeners.clear();
    });
  }

  exec(command: string, options: { pty?: PtyOptions } = {}): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closedError());
      const { pty } = options;
      const execOptions = pty ? { pty: { rows: pty.rows, cols: pty.cols, term: pty.term ?? 'xterm-256color' } } : {};
      this.client.exec(command, execOptions, (error, channel) => {
        if (error) reject(this.channelError('start a command', error));
        else resolve(channel);
      });
    });
  }

  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closedError());
      this.client.sftp((error, sftp) => {
        if (error) reject(this.channelError('open SFTP', error));
        else resolve(sftp);
      });
    });
  }

  onClose(listener: (error: AppError | undefined) => void): () => void {
    if (this.closed) {
      queueMicrotask(() => listener(this.closedByUs ? undefined : this.endedWith));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closedByUs = true;
    this.client.end();
    // A peer that stopped answering never completes the goodbye; do not wait on it.
    setTimeout(() => this.client.destroy(), 2000).unref();
  }

  private closedError(): AppError {
    return new AppError('unreachable', `the SSH connection to ${this.host}:${this.port} is closed`, {
      host: this.host,
      port: this.port,
    });
  }

  private channelError(what: string, error: Error): AppError {
    if (this.closed) return this.closedError();
    return new AppError('command-failed', `cannot ${what} on ${this.host}:${this.port}: ${error.message}`, {
      host: this.host,
      port: this.port,
    });
  }
}

/** Connect, verify the host key against known_hosts, authenticate. Rejects with an AppError. */
export const openSsh = async (options: SshOptions): Promise<SshConnection> => {
  const { host, port, user, knownHosts, signal } = options;
  if (signal?.aborted) throw new AppError('cancelled', `connecting to ${host}:${port} was cancelled`);
  await knownHosts.refresh();
  const client = new Client();
  let failure: AppError | undefined;
  let fail: (error: AppError) => void = (error) => {
    failure ??= error;
  };
  // Preparing may wait on the person (a passphrase prompt): an abort must not wait with it.
  let stopWatching = () => undefined as void;
  const cancelled = new Promise<never>((_resolve, reject) => {
    const onAbort = () => reject(new AppError('cancelled', `connecting to ${host}:${port} was cancelled`));
    signal?.addEventListener('abort', onAbort, { once: true });
    stopWatching = () => signal?.removeEventListener('abort', onAbort);
  });
  cancelled.catch(() => undefined);
  let auth: Awaited<ReturnType<typeof prepareAuth>>;
  try {
    auth = await Promise.race([prepareAuth(options, (error) => fail(error)), cancelled]);
  } finally {
    stopWatching();
  }
  return new Promise<SshConnection>((resolve, reject) => {
    let settled = false;
    let hostKey: { keyType: string; fingerprint: string } | undefined;
    const settle = (error: AppError | undefined) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined && hostKey !== undefined) return resolve(new Connection(client, host, port, hostKey));
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.destroy();
      reject(
        error ??
          new AppError('internal-error', `the connection to ${host}:${port} became ready without a verified host key`),
      );
    };
    fail = (error) => {
      failure ??= error;
      settle(failure);
    };
    const onAbort = () => fail(new AppError('cancelled', `connecting to ${host}:${port} was cancelled`));
    signal?.addEventListener('abort', onAbort, { once: true });

    client.once('ready', () => settle(undefined));
    client.on('error', (error: SshError) => {
      if (!settled) fail(failure ?? mapSshError(error, host, port, user, auth.tried));
    });
    client.on('close', () => {
      if (!settled)
        fail(
          failure ?? new AppError('unreachable', `${host}:${port} closed the connection during login`, { host, port }),
        );
    });

    const config: ConnectConfig = {
      host,
      port,
      username: user,
      readyTimeout: options.readyTimeoutMs ?? 20_000,
      keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 3,
      authHandler: auth.authHandler,
      algorithms: { serverHostKey: hostKeyAlgorithms(knownHosts.knownKeyTypes(host, port)) as never },
      hostVerifier: (key: Buffer) => {
        let verdict: AppError | undefined;
        try {
          verdict = hostKeyVerdict(knownHosts, host, port, key);
        } catch (error) {
          verdict = AppError.from(error);
        }
        if (verdict) {
          failure ??= verdict;
          return false;
        }
        hostKey = { keyType: keyTypeOf(key), fingerprint: fingerprint(key) };
        return true;
      },
    };
    try {
      client.connect(config);
    } catch (error) {
      fail(new AppError('invalid-params', `cannot connect to ${host}:${port}: ${(error as Error).message}`));
    }
  });
};
