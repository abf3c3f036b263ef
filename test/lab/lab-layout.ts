// Names, addresses and paths of a lab: pure, so the plan and the tests agree on every one of them.
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../node-agent/src/api/errors';

/** The benchmarking range (RFC 2544): never routed anywhere, so lab traffic cannot leave the machine. */
export const LAB_SUBNET = '198.18.0.0/24';
export const LAB_PREFIX = 24;
/** The workstation's side of the lab: the only interface the lab adds to the host namespace. */
export const HOST_LINK = 'hdlab0';
export const HOST_ADDRESS = '198.18.0.1';
export const SWITCH_NAMESPACE = 'hdlab-sw';
export const SWITCH_BRIDGE = 'sw0';
/** The switch-side end of the host veth, a port of sw0 inside hdlab-sw. */
export const SWITCH_HOST_PORT = 'host0';
export const NODE_UPLINK = 'eth0';
export const NODE_BRIDGE = 'vmbr0';
export const CLUSTER_ID = 'lab';
export const CLUSTER_NAME = 'Lab';
export const MAX_NODES = 32;

export const DEFAULT_STATE_DIR = '/var/tmp/hdlab';

/** The repository the lab runs from (test/lab/ is two levels down). */
export const repoRoot = (): string => resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** HDLAB_DIR or /var/tmp/hdlab: outside the repo, so a lab never dirties the work tree. */
export const stateDirFromEnv = (env: NodeJS.ProcessEnv = process.env): string => {
  const dir = env.HDLAB_DIR && env.HDLAB_DIR !== '' ? env.HDLAB_DIR : DEFAULT_STATE_DIR;
  return checkStateDir(dir);
};

/** The state dir is removed recursively by `down` and written into sshd_config, so it must be plain. */
export const checkStateDir = (dir: string): string => {
  if (!isAbsolute(dir)) throw new AppError('invalid-params', `lab state dir ${dir} must be an absolute path`);
  const normal = resolve(dir);
  if (normal.split('/').filter(Boolean).length < 2) {
    throw new AppError(
      'invalid-params',
      `lab state dir ${dir} is too close to / to be removed safely — use a dir like /var/tmp/hdlab`,
    );
  }
  if (!/^[A-Za-z0-9/._-]+$/.test(normal)) {
    throw new AppError(
      'invalid-params',
      `lab state dir ${dir} may hold only letters, digits and / . _ - (it goes into sshd_config unquoted)`,
    );
  }
  return normal;
};

export const checkNodeCount = (count: number): number => {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
    throw new AppError('invalid-params', `a lab has 1 to ${MAX_NODES} nodes, not ${count}`);
  }
  return count;
};

export interface ClientPaths {
  readonly dir: string;
  readonly privateKey: string;
  readonly publicKey: string;
  readonly authorizedKeys: string;
}

export const clientPaths = (stateDir: string): ClientPaths => {
  const dir = join(stateDir, 'client');
  return {
    dir,
    privateKey: join(dir, 'id_ed25519'),
    publicKey: join(dir, 'id_ed25519.pub'),
    authorizedKeys: join(dir, 'authorized_keys'),
  };
};

export interface NodeLayout {
  /** n1, n2…: the node's name in the app, in HYPERDESK_NODE and in the switch port's name. */
  readonly name: string;
  readonly index: number;
  readonly namespace: string;
  readonly address: string;
  /** Everything the lab keeps for this node: sshd config, host key, logs, the node's root. */
  readonly dir: string;
  /** HYPERDESK_ROOT of the node's agent and of every session its sshd starts. */
  readonly root: string;
  readonly sshdConfig: string;
  readonly sshPidFile: string;
  readonly sshdLog: string;
  readonly hostKeyPath: string;
  readonly agentLog: string;
  /** Where the agent writes its pid (agentPaths(env).pidFile for this root). */
  readonly agentPidFile: string;
}

export const nodeLayout = (stateDir: string, index: number): NodeLayout => {
  const name = `n${index}`;
  const dir = join(stateDir, 'nodes', name);
  const root = join(dir, 'root');
  return {
    name,
    index,
    namespace: `hdlab-${name}`,
    address: `198.18.0.${10 + index}`,
    dir,
    root,
    sshdConfig: join(dir, 'sshd_config'),
    sshPidFile: join(dir, 'sshd.pid'),
    sshdLog: join(dir, 'sshd.log'),
    hostKeyPath: join(dir, 'ssh_host_ed25519_key'),
    agentLog: join(dir, 'agent-install.log'),
    agentPidFile: join(root, 'run/hyperdesk/agent.pid'),
  };
};

export const labLayout = (stateDir: string, count: number): NodeLayout[] =>
  Array.from({ length: checkNodeCount(count) }, (_, i) => nodeLayout(stateDir, i + 1));

/**
 * The environment a node's agent and sessions see: which root, which node, and TCG for guests: this machine's KVM
 * initialises, but a Linux guest dies in it at boot (a cmpxchg16b emulation failure), which no probe can foresee.
 */
export const nodeEnv = (
  node: Pick<NodeLayout, 'root' | 'name'>,
): { HYPERDESK_ROOT: string; HYPERDESK_NODE: string; HYPERDESK_QEMU_ACCEL: string } => ({
  HYPERDESK_ROOT: node.root,
  HYPERDESK_NODE: node.name,
  HYPERDESK_QEMU_ACCEL: process.env.HYPERDESK_LAB_QEMU_ACCEL ?? 'tcg',
});

/** Names only the lab makes; `down --force` sweeps exactly these when state.json is gone. */
export const isLabNamespace = (name: string): boolean => name === SWITCH_NAMESPACE || /^hdlab-n\d+$/.test(name);
