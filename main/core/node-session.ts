// One node's live connection: SSH, the agent bridge, hello, deployment when the agent is missing or older,
// the event subscription, and reconnecting with backoff. What the aggregator and core see is a state,
// a hello, events and call(); everything else (channels, timers, retries) is owned and released here.
import type { ClientChannel } from 'ssh2';
import {
  AppError,
  PROTOCOL_VERSION,
  Topic,
  type Hello,
  type MethodName,
  type Params,
  type Result,
} from '../../node-agent/src/api';
import { remoteAgentCommand } from '../../node-agent/src/daemon/paths';
import { connectStreams, type CallOptions, type RpcClient } from '../../node-agent/src/rpc/client';
import { compareVersions, type AgentBundle } from './agent-bundle';
import { deployAgent } from './agent-deploy';
import { Backoff } from './backoff';
import type { NodeKey, SavedNode } from './config-schema';
import type { SecretStore } from './core-api';
import type { ConnectionState } from './inventory-schema';
import type { KnownHosts } from './known-hosts';
import type { AuthPrompter, NodeSessionHandle, NodeSessionListeners } from './node-session-api';
import { SessionListeners } from './session-listeners';
import { openSsh, type SshConnection } from './ssh-connection';
import { APP_VERSION } from './version';

/** Exit codes of the bridge exec that mean "install the agent": the launcher is missing (127) or not executable (126). */
const LAUNCHER_MISSING = new Set([126, 127]);
const HELLO_TIMEOUT_MS = 30_000;

export interface NodeSessionOptions {
  key: NodeKey;
  node: SavedNode;
  knownHosts: KnownHosts;
  /** Account `ssh:<key>` holds the password or key passphrase. */
  secrets: SecretStore;
  prompt: AuthPrompter;
  bundle: AgentBundle;
  /** Event topics to subscribe to (default: all). */
  topics?: Topic[];
  backoff?: Backoff;
  log?: (line: string) => void;
  /** SSH timing, for tests; defaults are ssh-connection's. */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  callTimeoutMs?: number;
}

/** Why an attempt failed, decided where it failed: that picks the state and whether to retry. */
const stateFor = (error: AppError, phase: 'ssh' | 'agent', sshClosed: boolean): ConnectionState => {
  const reason = error.details?.reason;
  if (reason === 'host-key-changed' || reason === 'host-key-unknown' || reason === 'host-key-revoked')
    return 'host-key-changed';
  if (reason === 'auth' || (phase === 'ssh' && error.code === 'cancelled')) return 'auth-failed';
  return phase === 'agent' && !sshClosed ? 'agent-error' : 'offline';
};

interface Bridge {
  rpc: RpcClient;
  channel: ClientChannel;
  exitCode: () => number | null | undefined;
}

export class NodeSession implements NodeSessionHandle {
  readonly key: NodeKey;
  private current: ConnectionState = 'offline';
  private currentError: AppError | undefined;
  private currentHello: Hello | undefined;
  private readonly listeners = new SessionListeners((event, error) =>
    this.log(`a ${event} listener failed: ${(error as Error).message}`),
  );
  private readonly backoff: Backoff;
  private readonly topics: Topic[];
  private started = false;
  private disposed = false;
  /** Bumped by every attempt and by dispose: callbacks of an older attempt see they are stale and stop. */
  private generation = 0;
  private attempt: { abort: AbortController; done: Promise<void> } | undefined;
  private conn: SshConnection | undefined;
  private bridge: Bridge | undefined;

  constructor(private readonly options: NodeSessionOptions) {
    this.key = options.key;
    this.backoff = options.backoff ?? new Backoff();
    this.topics = options.topics ?? [...Topic.options];
  }

  get state(): ConnectionState {
    return this.current;
  }

  get hello(): Hello | undefined {
    return this.currentHello;
  }

  /** The node's SSH connection while online, for channels of its own (consoles, shells). */
  get ssh(): SshConnection | undefined {
    return this.current === 'online' ? this.conn : undefined;
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.connect(true);
  }

  reconnect(): void {
    if (this.disposed || this.current === 'online' || this.attempt) return;
    this.started = true;
    this.backoff.cancel();
    this.backoff.reset();
    this.connect(true);
  }

  call<M extends MethodName>(method: M, params: Params<M>, options?: CallOptions): Promise<Result<M>> {
    const rpc = this.bridge?.rpc;
    if (this.current !== 'online' || !rpc)
      return Promise.reject(new AppError('unreachable', `node ${this.key} is offline`));
    return rpc.call(method, params, options);
  }

  on<E extends keyof NodeSessionListeners>(event: E, listener: NodeSessionListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.generation += 1;
    this.backoff.cancel();
    const attempt = this.attempt;
    attempt?.abort.abort();
    this.teardown();
    await attempt?.done;
    this.listeners.clear();
  }

  private log(line: string): void {
    this.options.log?.(`${this.key}: ${line}`);
  }

  private setState(state: ConnectionState, error?: AppError): void {
    if (state === this.current && error?.message === this.currentError?.message) return;
    this.current = state;
    this.currentError = error;
    this.listeners.emit('state', state, error);
  }

  /** Close the bridge and the SSH connection of the current attempt, if any. */
  private teardown(): void {
    const { bridge, conn } = this;
    this.bridge = undefined;
    this.conn = undefined;
    this.currentHello = undefined;
    bridge?.rpc.close(new AppError('unreachable', `node ${this.key} was disconnected`));
    bridge?.channel.close();
    conn?.close();
  }

  /** Start an attempt. `announce` shows 'connecting'; automatic retries keep the last state until they know better. */
  private connect(announce: boolean): void {
    const generation = ++this.generation;
    const abort = new AbortController();
    if (announce) this.setState('connecting');
    const done = this.run(generation, abort.signal).finally(() => {
      if (this.attempt?.abort === abort) this.attempt = undefined;
    });
    this.attempt = { abort, done };
  }

  private stale(generation: number): boolean {
    return this.disposed || generation !== this.generation;
  }

  private async run(generation: number, signal: AbortSignal): Promise<void> {
    const { node, key } = this.options;
    let phase: 'ssh' | 'agent' = 'ssh';
    try {
      const secret = await this.options.secrets.get(`ssh:${key}`);
      const conn = await openSsh({
        host: node.host,
        port: node.port,
        user: node.user,
        auth: node.auth,
        secret,
        knownHosts: this.options.knownHosts,
        prompt: this.options.prompt,
        nodeKey: key,
        readyTimeoutMs: this.options.readyTimeoutMs,
        keepaliveIntervalMs: this.options.keepaliveIntervalMs,
        signal,
      });
      if (this.stale(generation)) return conn.close();
      this.conn = conn;
      // undefined: we closed it ourselves (teardown), nothing to report.
      conn.onClose((error) => error && this.lost(generation, error));
      phase = 'agent';
      const hello = await this.handshake(conn, generation);
      if (this.stale(generation)) return;
      const bridge = this.bridge!;
      bridge.rpc.onEvent((event) => {
        if (!this.stale(generation)) this.listeners.emit('event', event);
      });
      await bridge.rpc.call('events.subscribe', { topics: this.topics }, { timeoutMs: HELLO_TIMEOUT_MS });
      if (this.stale(generation)) return;
      this.currentHello = hello;
      this.backoff.reset();
      this.setState('online');
      this.listeners.emit('hello', hello);
    } catch (error) {
      if (this.stale(generation)) return;
      const appError = AppError.from(error);
      const sshClosed = this.conn?.closed ?? true;
      this.teardown();
      this.fail(appError, stateFor(appError, phase, sshClosed));
    }
  }

  /** Bridge + hello; deploy the carried agent once if it is missing, not running or older, then hello again. */
  private async handshake(conn: SshConnection, generation: number): Promise<Hello> {
    const { bundle } = this.options;
    const first = await this.openBridge(conn);
    const why =
      first.hello instanceof AppError ? this.deployReason(first.hello, first.bridge, conn) : this.outdated(first.hello);
    if (why === undefined) {
      if (first.hello instanceof AppError) throw first.hello;
      this.bridge = first.bridge;
      return first.hello;
    }
    first.bridge.channel.close();
    if (this.stale(generation)) throw new AppError('cancelled', `connecting to node ${this.key} was cancelled`);
    this.log(`deploying the agent: ${why}`);
    await deployAgent(conn, bundle, (line) => this.log(line), { nodeName: this.key });
    const second = await this.openBridge(conn);
    if (second.hello instanceof AppError) {
      second.bridge.channel.close();
      throw second.hello;
    }
    this.bridge = second.bridge;
    if (second.hello.agentDigest !== bundle.digest)
      throw new AppError(
        'conflict',
        `node ${this.key} still runs agent ${second.hello.agentDigest} after installing ${bundle.digest}`,
      );
    return second.hello;
  }

  private async openBridge(conn: SshConnection): Promise<{ bridge: Bridge; hello: Hello | AppError }> {
    const channel = await conn.exec(remoteAgentCommand('bridge'));
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) => {
      channel.on('exit', (code: number | null) => (exitCode = code));
      channel.on('close', () => resolve());
    });
    // The bridge's stderr is for people (the daemon's errors, the shell's "not found"): keep it in the log.
    channel.stderr.on('data', (chunk: Buffer) => this.log(`bridge: ${chunk.toString('utf8').trimEnd()}`));
    const rpc = connectStreams(channel, channel, this.options.callTimeoutMs);
    const bridge: Bridge = { rpc, channel, exitCode: () => exitCode };
    try {
      const hello = await rpc.call(
        'hello',
        { protocolVersion: PROTOCOL_VERSION, client: `hyperdesk/${APP_VERSION}` },
        { timeoutMs: HELLO_TIMEOUT_MS },
      );
      rpc.onClose((error) => this.lostBridge(rpc, error));
      return { bridge, hello };
    } catch (error) {
      // The exit code tells "no launcher" from "no daemon"; it arrives just before the channel closes.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      return { bridge, hello: AppError.from(error) };
    }
  }

  private deployReason(error: AppError, bridge: Bridge, conn: SshConnection): string | undefined {
    if (conn.closed) return undefined;
    const code = bridge.exitCode();
    if (code !== null && code !== undefined && LAUNCHER_MISSING.has(code))
      return `the agent is not installed (the launcher exited ${code})`;
    if (error.code === 'unreachable') return `the agent daemon is not running (${error.message})`;
    return undefined;
  }

  /** Deploy when the node runs another build that is not newer than ours; a newer agent is left alone. */
  private outdated(hello: Hello): string | undefined {
    const { bundle } = this.options;
    const newer = compareVersions(hello.agentVersion, bundle.version) > 0;
    if (newer && hello.protocolVersion !== PROTOCOL_VERSION)
      throw new AppError(
        'not-supported',
        `node ${this.key} runs agent ${hello.agentVersion} (protocol ${hello.protocolVersion}), newer than this app's (protocol ${PROTOCOL_VERSION}) — update the app`,
      );
    if (hello.agentDigest === bundle.digest || newer) return undefined;
    return `the node runs agent ${hello.agentVersion} (${hello.agentDigest.slice(0, 12)}), the app carries ${bundle.version} (${bundle.digest.slice(0, 12)})`;
  }

  private lostBridge(rpc: RpcClient, error: AppError): void {
    if (this.bridge?.rpc !== rpc) return;
    this.lost(this.generation, error);
  }

  /** The connection of an attempt went away: offline, and try again on backoff. */
  private lost(generation: number, error: AppError): void {
    if (this.stale(generation) || (this.conn === undefined && this.bridge === undefined)) return;
    // An attempt still under way (deploying, subscribing) is now stale: its own failure must not count twice.
    this.generation += 1;
    this.attempt?.abort.abort();
    this.teardown();
    this.fail(error, 'offline');
  }

  private fail(error: AppError, state: ConnectionState): void {
    this.log(`${state}: ${error.message}`);
    this.setState(state, error);
    // A host key or login problem does not fix itself: wait for reconnect() after the person acted.
    if (state === 'host-key-changed' || state === 'auth-failed') return;
    const generation = this.generation;
    const delay = this.backoff.schedule(() => {
      if (!this.stale(generation)) this.connect(false);
    });
    this.log(`retrying in ${(delay / 1000).toFixed(1)} s`);
  }
}
