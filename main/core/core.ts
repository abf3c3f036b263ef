// The composition root of main/core: loads the config dir, runs one session per saved node, feeds the
// aggregator and the offline cache, and serves the app contract (app-api.ts) to the Electron shell, web host and CLI.
import { join } from 'node:path';
import type { z } from 'zod';
import {
  AppError,
  isAppError,
  methods,
  type Hello,
  type MethodName,
  type Params,
  type Topic,
} from '../../node-agent/src/api';
import {
  appMethods,
  isAgentMethod,
  type AppEventData,
  type AppEventName,
  type AppMethodName,
  type AppMethods,
  type AppResult,
  type AuthPrompt,
  type HostKeyInfo,
  type UploadProgress,
} from './app-api';
import { connectOnce, provisionalName, savedAuthOf, secretAccount, withSecret, type ParsedAddNode } from './add-node';
import { AuthPrompts } from './auth-prompts';
import { CONFIG_FILES, nodeKey, type NodeKey, type SavedNode } from './config-schema';
import type { CoreOptions, HyperdeskCoreHandle, SecretStore } from './core-api';
import type { InventoryPatch } from './inventory-schema';
import type { NodeSessionHandle } from './node-session-api';
import { ConfigStore } from './config-store';
import { PreferencesStore } from './preferences-store';
import { OfflineCache, type CachedNode } from './offline-cache';
import { Aggregator } from './aggregator';
import { KnownHosts } from './known-hosts';
import { acceptHostKey, probeHostKey } from './ssh-connection';
import { loadAgentBundle, type AgentBundle } from './agent-bundle';
import { NodeSession } from './node-session';
import { Uploads } from './storage-upload';
import { ConsoleBridges } from './console-bridge';
import { consoleSubcommand } from './console-api';
import { openNodeShell } from './shell-command';
import type { ConsoleKind } from '../../node-agent/src/vm/console-relay';
import type { SshConnection } from './ssh-connection';
import { remoteAgentCommand } from '../../node-agent/src/daemon/paths';

/** How long a keyboard-interactive or password prompt waits for the person before it counts as cancelled. */
/** The first connection of connections.addNode: a prompt may take 5 minutes, deploying the agent a couple more. */
export const ADD_NODE_TIMEOUT_MS = 8 * 60_000;
/** The topics the aggregator uses; each node's newest metrics sample feeds the live charts (history is fetched on demand). */
const INVENTORY_TOPICS: Topic[] = ['node.status', 'node.metrics', 'task.update', 'guest.update', 'guest.remove', 'storage.status'];
/** Methods the session itself drives; forwarding them would break its subscription or its requests. */
const SESSION_METHODS = new Set<MethodName>(['events.subscribe', 'events.unsubscribe', 'rpc.cancel']);

/** The SecretStore account of a node's password or key passphrase. */

export interface CoreStartOptions {
  /** Which saved nodes to connect at start (default: all). The CLI connects only the node it talks to. */
  connect?: (key: NodeKey) => boolean;
  /** Diagnostics from the node sessions (connecting, deploying, retrying); silent by default. */
  log?: (line: string) => void;
  /** Makes the session of each saved node; default: an SSH NodeSession. Benchmarks pass synthetic nodes here. */
  sessionFactory?: SessionFactory;
}

/** Makes the session of one saved node in place of an SSH NodeSession (the benchmarks' synthetic nodes). */
export type SessionFactory = (key: NodeKey, node: SavedNode) => NodeSessionHandle;

type Handlers = { [M in AppMethodName]: (params: z.output<AppMethods[M]['params']>) => Promise<AppResult<M>> };

export const invalidParams = (what: string, error: z.ZodError): AppError => {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const summary = issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
  return new AppError('invalid-params', `invalid parameters for ${what}: ${summary}`, { issues });
};

export class HyperdeskCore implements HyperdeskCoreHandle {
  private readonly sessions = new Map<string, NodeSessionHandle>();
  private readonly prompts = new AuthPrompts();
  private bundle: Promise<AgentBundle> | undefined;
  private disposed = false;
  private readonly consoles = new ConsoleBridges();
  private readonly uploads = new Uploads({
    saved: (key) => this.config.find(key) !== undefined,
    session: (key) => this.sessions.get(key),
  });
  private readonly handlers: Handlers = {
    'inventory.snapshot': () => Promise.resolve(this.aggregator.snapshot()),
    'connections.list': () => Promise.resolve(this.config.clusters()),
    'connections.probeHostKey': ({ host, port }) => probeHostKey(host, port, this.knownHosts),
    'connections.addNode': (input) => this.addNode(input),
    'connections.removeNode': ({ node }) => this.removeNode(node),
    'connections.trustHostKey': ({ node, acceptedFingerprint }) => this.trustHostKey(node, acceptedFingerprint),
    'auth.respond': ({ promptId, answers }) => this.prompts.respond(promptId, answers),
    'preferences.get': () => Promise.resolve(this.preferences.get()),
    'preferences.set': (change) => this.preferences.set(change),
    'agent.call': ({ node, method, params }) => this.agentCall(node, method, params),
    'storage.upload': (request) => this.uploads.start(request),
    'storage.upload.cancel': ({ uploadId }) => this.uploads.cancel(uploadId),
    'console.open': ({ node, vmid, kind, cols, rows }) => this.openConsole(node, vmid, kind, cols, rows),
    'shell.open': ({ node, cols, rows }) => this.openShell(node, cols, rows),
    'console.resize': ({ consoleId, cols, rows }) => {
      this.consoles.resize(consoleId, cols, rows);
      return Promise.resolve({});
    },
    'console.close': ({ consoleId }) => {
      this.consoles.close(consoleId);
      return Promise.resolve({});
    },
    // The Electron shell answers this one itself (main/electron/ipc.ts); other hosts have no native dialog.
    'dialogs.openFile': () =>
      Promise.reject(new AppError('not-supported', 'the browser host has no file dialog: type the path')),
  };

  constructor(
    private readonly options: CoreOptions,
    private readonly config: ConfigStore,
    private readonly preferences: PreferencesStore,
    private readonly knownHosts: KnownHosts,
    private readonly cache: OfflineCache,
    private readonly log: ((line: string) => void) | undefined,
    private readonly aggregator = new Aggregator(),
  ) {
    // The cache follows the aggregator's coalesced patches, so a busy node costs one cache update per patch.
    this.aggregator.onPatch((patch) => {
      for (const entry of Object.values(patch.nodes ?? {})) if (entry) this.cache.update(entry);
    });
  }

  async handle<M extends AppMethodName>(method: M, params: unknown): Promise<AppResult<M>> {
    if (this.disposed) throw new AppError('cancelled', `${method}: Hyperdesk is shutting down`);
    if (typeof method !== 'string' || !Object.hasOwn(appMethods, method)) {
      throw new AppError('not-found', `${String(method)} is not a Hyperdesk method`);
    }
    const parsed = appMethods[method].params.safeParse(params ?? {});
    if (!parsed.success) throw invalidParams(method, parsed.error);
    const handler = this.handlers[method] as (params: unknown) => Promise<AppResult<M>>;
    return handler(parsed.data);
  }

  on<E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void): () => void {
    if (event === 'inventory.patch') return this.aggregator.onPatch(listener as (patch: InventoryPatch) => void);
    if (event === 'auth.prompt') {
      const typed = listener as (prompt: AuthPrompt) => void;
      return this.prompts.on(typed);
    }
    // The transport's own event: the core has nothing to say on it.
    if (event === 'connection.restored') return () => undefined;
    if (event === 'upload.progress') return this.uploads.on(listener as (progress: UploadProgress) => void);
    throw new AppError('not-found', `${String(event)} is not a Hyperdesk event`);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.prompts.close();
    await this.uploads.dispose();
    this.consoles.dispose();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.dispose()));
    this.aggregator.flush();
    this.aggregator.dispose();
    await this.cache.dispose();
  }

  /** Show every saved node (last-known state from the cache) and connect the chosen ones. */
  async start(
    cached: Map<string, CachedNode>,
    connect: (key: NodeKey) => boolean,
    sessionFactory?: SessionFactory,
  ): Promise<void> {
    for (const { key, cluster, node } of this.config.nodes()) {
      const meta = { key, cluster: cluster.id, clusterName: cluster.name, name: node.name, host: node.host };
      this.aggregator.addNode(meta, undefined, cached.get(key) ?? {});
      if (!connect(key)) continue;
      const session = sessionFactory
        ? sessionFactory(key, node)
        : await this.createSession(key, node, this.options.secrets);
      this.sessions.set(key, session);
      this.aggregator.attach(key, session);
      session.start();
    }
  }

  private async createSession(key: NodeKey, node: SavedNode, secrets: SecretStore): Promise<NodeSessionHandle> {
    const loading = (this.bundle ??= loadAgentBundle(this.options.agentBundle));
    const bundle = await loading.catch((error: unknown) => {
      this.bundle = undefined;
      throw error;
    });
    const options = {
      key,
      node,
      knownHosts: this.knownHosts,
      secrets,
      prompt: this.prompts.prompter,
      bundle,
      topics: INVENTORY_TOPICS,
    };
    return new NodeSession(this.log ? { ...options, log: this.log } : options);
  }

  /**
   * Accept the confirmed host key, connect once, and save the node only when hello succeeds.
   * Without a name, the node is saved under the name its agent reports in hello (the name in its UPIDs).
   */
  private async addNode(input: ParsedAddNode): Promise<{ node: NodeKey }> {
    const auth = savedAuthOf(input);
    const cluster = this.config.resolveCluster(input.cluster);
    if (input.name !== undefined) this.refuseDuplicate(nodeKey(cluster.id, input.name), cluster.name);
    await acceptHostKey(input.host, input.port, this.knownHosts, input.acceptedFingerprint);

    let node: SavedNode = {
      name: input.name ?? provisionalName(input.host),
      host: input.host,
      port: input.port,
      user: input.user,
      auth,
    };
    let key = nodeKey(cluster.id, node.name);
    let session = await this.createSession(key, node, withSecret(this.options.secrets, key, input.secret));
    let hello: Hello;
    try {
      hello = await connectOnce(session, `${input.user}@${input.host}:${input.port}`, ADD_NODE_TIMEOUT_MS);
    } catch (error) {
      await session.dispose();
      throw error;
    }
    if (input.name === undefined && hello.node !== node.name) {
      // The session's key names it everywhere (prompts, secrets, inventory): reconnect under the agent's name.
      await session.dispose();
      node = { ...node, name: hello.node };
      key = nodeKey(cluster.id, node.name);
      this.refuseDuplicate(key, cluster.name);
      session = await this.createSession(key, node, withSecret(this.options.secrets, key, input.secret));
      session.start();
    }
    try {
      await this.config.addNode(cluster.name, node);
    } catch (error) {
      await session.dispose();
      throw error;
    }
    try {
      if (input.secret !== undefined) await this.options.secrets.set(secretAccount(key), input.secret);
    } catch (error) {
      // No OS keychain: the store keeps the secret for this session only and the node is asked for it next
      // time; that is no reason to lose the node.
      if (isAppError(error, 'not-supported')) this.log?.(`node ${key}: ${error.message}`);
      else {
        await this.config.removeNode(key).catch(() => undefined);
        await session.dispose();
        throw new AppError(
          'internal-error',
          `node ${key} was not saved: the secret could not be stored (${AppError.from(error).message})`,
        );
      }
    }
    if (this.disposed) {
      await session.dispose();
      throw new AppError('cancelled', `node ${key} was saved, but Hyperdesk is shutting down`);
    }
    this.sessions.set(key, session);
    const saved = this.config.find(key);
    const clusterName = saved?.cluster.name ?? cluster.name;
    this.aggregator.addNode({ key, cluster: cluster.id, clusterName, name: node.name, host: node.host }, session);
    return { node: key };
  }

  private refuseDuplicate(key: NodeKey, clusterName: string): void {
    if (this.config.find(key)) {
      throw new AppError(
        'already-exists',
        `cluster ${clusterName} already has a node named ${key.slice(key.indexOf('/') + 1)} — choose another name`,
        {
          node: key,
        },
      );
    }
  }

  private async removeNode(key: string): Promise<Record<string, never>> {
    if (!this.config.find(key)) throw new AppError('not-found', `node ${key} is not in the saved connections`);
    await this.config.removeNode(key);
    const session = this.sessions.get(key);
    this.sessions.delete(key);
    this.aggregator.removeNode(key);
    this.cache.remove(key);
    await this.options.secrets.delete(secretAccount(key)).catch(() => undefined);
    await session?.dispose();
    return {};
  }

  private async trustHostKey(key: string, fingerprint: string): Promise<HostKeyInfo> {
    const saved = this.config.find(key);
    if (!saved) throw new AppError('not-found', `node ${key} is not in the saved connections`);
    // Probes again: the key is written only if the node still presents the fingerprint the person confirmed.
    const info = await acceptHostKey(saved.node.host, saved.node.port, this.knownHosts, fingerprint, { replace: true });
    this.sessions.get(key)?.reconnect();
    return info;
  }

  private async agentCall(key: string, method: string, params: unknown): Promise<unknown> {
    if (!this.config.find(key)) throw new AppError('not-found', `node ${key} is not in the saved connections`);
    if (!isAgentMethod(method)) throw new AppError('not-found', `${method} is not a method of the Hyperdesk agent`);
    if (SESSION_METHODS.has(method))
      throw new AppError('not-supported', `${method} is used by the node session itself and cannot be forwarded`);
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) throw invalidParams(`${method} on ${key}`, parsed.error);
    const session = this.sessions.get(key);
    if (!session) throw new AppError('unreachable', `node ${key} is not connected in this process`);
    // The session already made the handshake; a second hello on the same bridge is not ours to send.
    if (method === 'hello') {
      if (session.hello) return session.hello;
      throw new AppError('unreachable', `node ${key} is ${session.state}`);
    }
    return session.call(method, parsed.data as Params<typeof method>);
  }

  /** A root shell on the node: the login's own shell in a pty, over the same bridge as consoles. */
  private openShell(key: string, cols?: number, rows?: number): Promise<{ consoleId: string; url: string }> {
    return openNodeShell(this.consoles, this.onlineSsh(key), { cols, rows });
  }

  /** The SSH connection of a saved node that is online in this process. */
  private onlineSsh(key: string): SshConnection {
    if (!this.config.find(key)) throw new AppError('not-found', `node ${key} is not in the saved connections`);
    const session = this.sessions.get(key);
    const ssh = session && 'ssh' in session ? (session as { ssh: SshConnection | undefined }).ssh : undefined;
    if (!session || session.state !== 'online' || !ssh) throw new AppError('unreachable', `node ${key} is ${session?.state ?? 'not connected in this process'}`);
    return ssh;
  }

  /** A VM console: an SSH exec channel running the agent's console relay, bridged to a one-shot local WebSocket. */
  private openConsole(key: string, vmid: number, kind: ConsoleKind, cols?: number, rows?: number): Promise<{ consoleId: string; url: string }> {
    const ssh = this.onlineSsh(key);
    const command = remoteAgentCommand(consoleSubcommand(vmid, kind));
    return this.consoles.open({ ssh, command, kind, ...(cols === undefined ? {} : { cols }), ...(rows === undefined ? {} : { rows }) });
  }
}

export { provisionalName, secretAccount } from './add-node';

/** Load everything from the config dir, show every saved node from the cache, connect, and serve. */
export const createCore = async (options: CoreOptions, start: CoreStartOptions = {}): Promise<HyperdeskCore> => {
  const config = await ConfigStore.load(options.configDir);
  const preferences = await PreferencesStore.load(options.configDir);
  const knownHosts = await KnownHosts.load(join(options.configDir, CONFIG_FILES.knownHosts));
  const cache = new OfflineCache(options.configDir);
  const cached = await cache.load();
  cache.retain(new Set(config.nodes().map((n) => n.key)));
  const core = new HyperdeskCore(options, config, preferences, knownHosts, cache, start.log);
  try {
    await core.start(cached, start.connect ?? (() => true), start.sessionFactory);
  } catch (error) {
    await core.dispose();
    throw error;
  }
  return core;
};
