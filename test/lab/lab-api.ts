// The lab for programs: labUp() brings N nodes up and returns a Lab handle that integration tests drive
// (stop/start sshd, rotate a host key, kill the agent, run commands inside a node) and finally take down.
import { mkdir, readdir } from 'node:fs/promises';
import { AppError } from '../../node-agent/src/api/errors';
import { runChecked, type RunOptions, type RunResult } from '../../node-agent/src/exec/run';
import {
  ensureAgentBundle,
  installAgent,
  signalAgent,
  stageAgentBundle,
  startAgent,
  stopAgent,
  type AgentBundle,
} from './agent';
import { writeLabConfigDir, publicKeyOnly } from './config-dir';
import { HOST_ADDRESS, checkStateDir, clientPaths, labLayout, stateDirFromEnv, type NodeLayout } from './lab-layout';
import { LabStateStore, readLabState, type LabState } from './lab-state';
import { labStatus, type LabStatus } from './lab-status';
import { planNetworkUp } from './network-plan';
import { runInNode } from './node-env';
import { layOutNodeRoot } from './node-root';
import { writePathWithoutNodejs } from './path-without-nodejs';
import {
  ensurePrivsepDir,
  hostPublicKey,
  makeClientKey,
  makeHostKey,
  openSshVersion,
  startSshd,
  stopSshd,
  writeSshdConfig,
} from './sshd';
import { forceTeardown, leftoverResources, teardownLab, type Log } from './teardown';

export type LabNode = NodeLayout;
export type { AgentBundle };

export interface LabUpOptions {
  nodes: number;
  /** Save the nodes there as the app would: connections.json (cluster `lab`) and known_hosts. */
  configDir?: string;
  /** Install and start the agent on every node (default true); false leaves deployment to the app under test. */
  agent?: boolean;
  /** Install this bundle instead of dist/agent (e.g. an older agent, to test the app updating it). */
  agentBundle?: AgentBundle;
  /**
   * Nodes whose sessions find no Node.js on their PATH, as on a Debian node without nodejs. Their agent is left
   * uninstalled whatever `agent` says: the app deploys it with the Node.js runtime it carries.
   */
  nodeWithoutNodejs?: readonly string[];
  /** Defaults to HDLAB_DIR or /var/tmp/hdlab. */
  stateDir?: string;
  signal?: AbortSignal;
  log?: Log;
}

const refuseIfTaken = async (stateDir: string): Promise<void> => {
  if (await readLabState(stateDir)) {
    throw new AppError(
      'already-exists',
      `a lab is already up (state in ${stateDir}) — take it down first with \`npm run lab -- down\``,
    );
  }
  const leftovers = await leftoverResources();
  if (leftovers.length > 0) {
    throw new AppError(
      'already-exists',
      `${leftovers.map((r) => r.name).join(', ')} exist but no lab is recorded in ${stateDir} — remove them with \`npm run lab -- down --force\``,
    );
  }
  const entries = await readdir(stateDir).catch(() => []);
  if (entries.length > 0)
    throw new AppError(
      'already-exists',
      `lab state dir ${stateDir} is not empty — remove it or set HDLAB_DIR to another dir`,
    );
};

const cancelled = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted) throw new AppError('cancelled', 'bringing the lab up was cancelled');
};

const bringUp = async (
  store: LabStateStore,
  nodes: NodeLayout[],
  options: LabUpOptions,
  bundle: AgentBundle | undefined,
  log: Log,
): Promise<void> => {
  const { signal } = options;
  for (const step of planNetworkUp(nodes)) {
    cancelled(signal);
    const made = step.creates;
    if (made) await store.update((s) => ({ ...s, resources: [...s.resources, made] }));
    await runChecked('ip', step.args, { timeoutMs: 20_000, ...(signal ? { signal } : {}) });
  }
  log(`network: ${nodes.length} node namespaces on hdlab-sw, workstation ${HOST_ADDRESS} on hdlab0`);
  if (await ensurePrivsepDir()) await store.update((s) => ({ ...s, createdRunSshd: true }));
  const client = clientPaths(store.state.stateDir);
  await makeClientKey(client);
  const version = await openSshVersion();
  const withoutNodejs = new Set(options.nodeWithoutNodejs);
  await Promise.all(
    nodes.map(async (node) => {
      await layOutNodeRoot(node.root);
      await makeHostKey(node);
      const path = withoutNodejs.has(node.name) ? await writePathWithoutNodejs(node) : undefined;
      if (path !== undefined)
        log(`${node.name}: no Node.js on its PATH (${path}); the agent is left for the app to deploy`);
      await writeSshdConfig(node, client, version, path);
      cancelled(signal);
      const pid = await startSshd(node);
      await store.update((s) => ({ ...s, pids: { ...s.pids, [`${node.name}/sshd`]: pid } }));
      log(`${node.name}: sshd on ${node.address}:22 (pid ${pid})`);
    }),
  );
  if (bundle) {
    const staged = await stageAgentBundle(bundle, store.state.stateDir);
    await Promise.all(
      nodes
        .filter((node) => !withoutNodejs.has(node.name))
        .map(async (node) => {
          cancelled(signal);
          const pid = await installAgent(node, staged);
          await store.update((s) => ({ ...s, pids: { ...s.pids, [`${node.name}/agent`]: pid } }));
          log(`${node.name}: agent running (pid ${pid})`);
        }),
    );
  }
  if (options.configDir !== undefined) {
    const hostKeys = await Promise.all(
      nodes.map(async (node) => ({ host: node.address, key: publicKeyOnly(await hostPublicKey(node)) })),
    );
    await writeLabConfigDir(options.configDir, nodes, client.privateKey, hostKeys);
    log(`saved the lab's nodes in ${options.configDir}`);
  }
};

/** Bring a lab up. Refuses when one is up; on any failure removes what it made, then rethrows. */
export const labUp = async (options: LabUpOptions): Promise<Lab> => {
  const log = options.log ?? (() => undefined);
  const stateDir = options.stateDir === undefined ? stateDirFromEnv() : checkStateDir(options.stateDir);
  const nodes = labLayout(stateDir, options.nodes);
  const unknown = (options.nodeWithoutNodejs ?? []).filter((name) => !nodes.some((node) => node.name === name));
  if (unknown.length > 0)
    throw new AppError(
      'invalid-params',
      `nodeWithoutNodejs names ${unknown.join(', ')}, not nodes of this lab (n1…n${nodes.length})`,
    );
  await refuseIfTaken(stateDir);
  const agent = options.agent ?? true;
  const bundle = agent ? (options.agentBundle ?? (await ensureAgentBundle(log))) : undefined;
  await mkdir(stateDir, { recursive: true, mode: 0o755 });
  const initial: LabState = {
    version: 1,
    createdAt: new Date().toISOString(),
    stateDir,
    phase: 'starting',
    agent,
    ...(options.configDir === undefined ? {} : { configDir: options.configDir }),
    nodes,
    resources: [],
    pids: {},
    createdRunSshd: false,
  };
  const store = new LabStateStore(initial);
  await store.update((s) => s);
  try {
    await bringUp(store, nodes, options, bundle, log);
    await store.update((s) => ({ ...s, phase: 'up' }));
  } catch (error) {
    log(`bringing the lab up failed: ${AppError.from(error).message} — removing what was made`);
    await teardownLab(store.state, log).catch((cleanup: unknown) =>
      log(`cleanup failed too: ${AppError.from(cleanup).message}`),
    );
    throw AppError.from(error);
  }
  return new Lab(store);
};

/** The Lab recorded under a state dir (brought up by the CLI, or by another process). */
export const labAttach = async (stateDir: string = stateDirFromEnv()): Promise<Lab> => {
  const state = await readLabState(checkStateDir(stateDir));
  if (!state)
    throw new AppError(
      'not-found',
      `no lab is up (no state in ${stateDir}) — bring one up with \`npm run lab -- up --nodes 2\``,
    );
  return new Lab(new LabStateStore(state));
};

/** Take down whatever lab is recorded; with `force`, also what carries the lab's names when nothing is recorded. */
export const labDown = async (
  options: { stateDir?: string; force?: boolean; log?: Log } = {},
): Promise<'down' | 'nothing'> => {
  const stateDir = options.stateDir === undefined ? stateDirFromEnv() : checkStateDir(options.stateDir);
  const log = options.log ?? (() => undefined);
  const state = await readLabState(stateDir).catch((error: unknown) => {
    if (options.force) return undefined;
    throw error;
  });
  if (state) {
    await teardownLab(state, log);
    return 'down';
  }
  if (options.force) {
    await forceTeardown(stateDir, log);
    return 'down';
  }
  const leftovers = await leftoverResources();
  if (leftovers.length > 0) {
    throw new AppError(
      'conflict',
      `no lab is recorded in ${stateDir}, yet ${leftovers.map((r) => r.name).join(', ')} exist — \`npm run lab -- down --force\` removes them`,
    );
  }
  return 'nothing';
};

export const labStatusOf = async (stateDir: string = stateDirFromEnv()): Promise<LabStatus> => {
  const dir = checkStateDir(stateDir);
  return labStatus(dir, await readLabState(dir));
};

export class Lab {
  constructor(private readonly store: LabStateStore) {}

  get stateDir(): string {
    return this.store.state.stateDir;
  }

  get nodes(): readonly LabNode[] {
    return this.store.state.nodes;
  }

  /** The private key every node accepts for root. */
  get clientKey(): string {
    return clientPaths(this.stateDir).privateKey;
  }

  /** The workstation's address on the lab segment (hdlab0). */
  get hostAddress(): string {
    return HOST_ADDRESS;
  }

  get configDir(): string | undefined {
    return this.store.state.configDir;
  }

  node(name: string): LabNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node)
      throw new AppError(
        'not-found',
        `lab node ${name} does not exist (the lab has ${this.nodes.map((n) => n.name).join(', ')})`,
      );
    return node;
  }

  private recordPid(name: string, what: 'sshd' | 'agent', pid: number): Promise<void> {
    return this.store.update((s) => ({ ...s, pids: { ...s.pids, [`${name}/${what}`]: pid } }));
  }

  /** Stop the node's sshd; `sessions: true` also drops every open connection (the node "goes away"). */
  stopSshd(name: string, options: { sessions?: boolean } = {}): Promise<void> {
    return stopSshd(this.node(name), options);
  }

  async startSshd(name: string): Promise<number> {
    const pid = await startSshd(this.node(name));
    await this.recordPid(name, 'sshd', pid);
    return pid;
  }

  /** A new host key and a restarted sshd; known_hosts in the config dir keeps the old key. Returns the new public key. */
  async rotateHostKey(name: string): Promise<string> {
    const node = this.node(name);
    await stopSshd(node);
    const publicKey = await makeHostKey(node);
    await this.startSshd(name);
    return publicKeyOnly(publicKey);
  }

  /** Signal the node's agent daemon; waits for it to exit on SIGTERM/SIGINT/SIGKILL. False if none was running. */
  killAgent(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<boolean> {
    return signalAgent(this.node(name), signal);
  }

  /** `hyperdesk-agent start` in the node (installed launcher); returns the daemon's pid. */
  async startAgent(name: string): Promise<number> {
    const pid = await startAgent(this.node(name));
    await this.recordPid(name, 'agent', pid);
    return pid;
  }

  stopAgent(name: string): Promise<void> {
    return stopAgent(this.node(name));
  }

  /** Run a command inside the node: its namespace, HYPERDESK_ROOT and HYPERDESK_NODE. Resolves whatever the exit code. */
  exec(name: string, command: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
    return runInNode(this.node(name), command, args, options);
  }

  status(): Promise<LabStatus> {
    return labStatus(this.stateDir, this.store.state);
  }

  down(log?: Log): Promise<void> {
    return teardownLab(this.store.state, log);
  }
}
