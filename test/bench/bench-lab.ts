// The lab the benchmarks run against: one node with the agent, saved in a throwaway config dir as the app
// would save it, plus what every benchmark needs from it (ssh arguments, a connected NodeSession, a core).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../node-agent/src/api/errors';
import { agentPaths } from '../../node-agent/src/daemon/paths';
import { loadAgentBundle, type AgentBundle } from '../../main/core/agent-bundle';
import { CONFIG_FILES, nodeKey, type NodeKey, type SavedNode } from '../../main/core/config-schema';
import { readConnectionsFile } from '../../main/core/config-store';
import { createCore, type HyperdeskCore } from '../../main/core/core';
import { waitForState } from '../../main/core/__fixtures__/session-state';
import { KnownHosts } from '../../main/core/known-hosts';
import { NodeSession } from '../../main/core/node-session';
import { MemorySecretStore } from '../../main/core/secrets-memory';
import { labStatusOf, labUp, type Lab, type LabNode } from '../lab/lab-api';
import { CLUSTER_ID, nodeEnv, repoRoot } from '../lab/lab-layout';
import { labSshOptions } from '../integration/helpers';

const CONNECT_TIMEOUT_MS = 60_000;

export interface BenchLab {
  readonly lab: Lab;
  readonly node: LabNode;
  readonly configDir: string;
  /** Scratch space for this run (ssh control sockets); removed with the lab. */
  readonly workDir: string;
  readonly nodeKey: NodeKey;
  readonly savedNode: SavedNode;
  /** The agent daemon's unix socket on the node (reachable from the host: same file system). */
  readonly agentSocket: string;
  /** OpenSSH client options that log in to the node as the app does: the lab key, the saved known_hosts. */
  sshOptions(): string[];
  /** `root@<address>`. */
  readonly sshTarget: string;
  /** A NodeSession like the app's, connected (online) before it is returned. */
  openSession(topics?: ConstructorParameters<typeof NodeSession>[0]['topics']): Promise<NodeSession>;
  /** The app's composition root over the lab's config dir, with the node online. */
  openCore(): Promise<HyperdeskCore>;
  down(): Promise<void>;
}

/** Refuse early, with the way out, when a lab is already up: the lab's names are machine-wide. */
const refuseRunningLab = async (): Promise<void> => {
  const status = await labStatusOf();
  if (status.up) {
    throw new AppError(
      'already-exists',
      `a lab is already up (state dir ${status.stateDir}) — the benchmarks bring up their own; take it down with \`npm run lab -- down\` and run them again`,
    );
  }
};

export const bundlePath = (): string => join(repoRoot(), 'dist/agent/hyperdesk-agent.js');

/** Poll the core's inventory until the node is online, or fail naming the state it is stuck in. */
const waitCoreOnline = async (core: HyperdeskCore, key: NodeKey, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entry = (await core.handle('inventory.snapshot', {})).nodes[key];
    if (entry?.state === 'online' && entry.status) return;
    if (Date.now() >= deadline) {
      const why = entry?.error ? ` (${entry.error.message})` : '';
      throw new AppError(
        'timeout',
        `node ${key} is ${entry?.state ?? 'missing'} in the inventory after ${timeoutMs} ms${why}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

export const benchLabUp = async (log: (line: string) => void, signal?: AbortSignal): Promise<BenchLab> => {
  await refuseRunningLab();
  const configDir = await mkdtemp(join(tmpdir(), 'hd-bench-config-'));
  const workDir = await mkdtemp(join(tmpdir(), 'hd-bench-'));
  let lab: Lab;
  try {
    lab = await labUp({ nodes: 1, configDir, agent: true, log, ...(signal ? { signal } : {}) });
  } catch (error) {
    await rm(configDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  const removeDirs = async () => {
    await rm(configDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const node = lab.nodes[0]!;
    const saved = await readConnectionsFile(configDir);
    const savedNode = saved.clusters.find((c) => c.id === CLUSTER_ID)?.nodes.find((n) => n.name === node.name);
    if (!savedNode) throw new AppError('not-found', `the lab saved no node ${node.name} in ${configDir}`);
    // Loaded after labUp, which may have rebuilt dist/agent: the session must carry the bundle the node runs.
    const bundle: AgentBundle = await loadAgentBundle(bundlePath());
    const key = nodeKey(CLUSTER_ID, node.name);
    const knownHostsPath = join(configDir, CONFIG_FILES.knownHosts);
    const sessions = new Set<NodeSession>();
    const cores = new Set<HyperdeskCore>();
    return {
      lab,
      node,
      configDir,
      workDir,
      nodeKey: key,
      savedNode,
      agentSocket: agentPaths(nodeEnv(node)).socket,
      sshTarget: `root@${node.address}`,
      sshOptions: () => labSshOptions(lab, knownHostsPath),
      openSession: async (topics) => {
        const session = new NodeSession({
          key,
          node: savedNode,
          knownHosts: await KnownHosts.load(knownHostsPath),
          secrets: new MemorySecretStore(),
          prompt: () => Promise.resolve(null),
          bundle,
          ...(topics ? { topics } : {}),
          log: (line) => log(`session ${line}`),
        });
        sessions.add(session);
        session.start();
        await waitForState(session, 'online', CONNECT_TIMEOUT_MS);
        return session;
      },
      openCore: async () => {
        const core = await createCore(
          { configDir, secrets: new MemorySecretStore(), agentBundle: bundlePath() },
          { log: (line) => log(`core ${line}`) },
        );
        cores.add(core);
        await waitCoreOnline(core, key, CONNECT_TIMEOUT_MS);
        return core;
      },
      down: async () => {
        await Promise.allSettled([...sessions].map((s) => s.dispose()));
        await Promise.allSettled([...cores].map((c) => c.dispose()));
        try {
          await lab.down(log);
        } finally {
          await removeDirs();
        }
      },
    };
  } catch (error) {
    await lab
      .down(log)
      .catch((cleanup: unknown) => log(`taking the lab down failed too: ${AppError.from(cleanup).message}`));
    await removeDirs();
    throw error;
  }
};
