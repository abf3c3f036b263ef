// Running a command inside a lab node: its network namespace and its agent environment, nothing inherited
// from the caller (a test runner's NODE_OPTIONS or tsx loader must not leak into the node's processes).
import { readFileSync } from 'node:fs';
import { run, runChecked, type RunOptions, type RunResult } from '../../node-agent/src/exec/run';
import { nodeEnv, type NodeLayout } from './lab-layout';

export const nodeProcessEnv = (node: Pick<NodeLayout, 'root' | 'name'>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  ...nodeEnv(node),
});

/**
 * `ip netns exec` gives the command a mount namespace with a fresh /sys for the node's network, which hides the
 * host's cgroup file systems under /sys/fs/cgroup: LXC could not start a container there. A constant script mounts
 * the same hierarchies again (cgroup v1 hierarchies and cgroup2 can be mounted more than once), as the host has
 * them — type, mount point and options come as positional parameters, nothing is interpolated into the script —
 * then runs the command. Before that it names the node's own UTS namespace after the node (its first parameter).
 */
const WITH_CGROUPS =
  'hostname "$1"; shift; ' +
  'mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup 2>/dev/null; ' +
  'while [ "$1" != "--" ]; do mkdir -p "$2" && mount -t "$1" -o "$3" cgroup "$2" 2>/dev/null; shift 3; done; shift; exec "$@"';

/** The host's cgroup mounts under /sys/fs/cgroup, as `type mountpoint options` triples. */
const hostCgroupMounts = (): string[] => {
  let mounts = '';
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  return mounts
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, mountPoint, type]) => (type === 'cgroup' || type === 'cgroup2') && mountPoint?.startsWith('/sys/fs/cgroup') === true)
    .flatMap(([, mountPoint, type, options]) => [type ?? '', mountPoint ?? '', options ?? 'rw']);
};

const inNode = (node: Pick<NodeLayout, 'namespace' | 'name'>, command: string, args: readonly string[]): string[] => [
  'netns',
  'exec',
  node.namespace,
  // Its own UTS namespace named for the node, as a real node has its own hostname (a node shell's `hostname`).
  'unshare',
  '--uts',
  '--',
  'sh',
  '-c',
  WITH_CGROUPS,
  'sh',
  node.name,
  ...hostCgroupMounts(),
  '--',
  command,
  ...args,
];

/** `ip netns exec <ns> command args…` with the node's environment; resolves whatever the exit code. */
export const runInNode = (
  node: Pick<NodeLayout, 'namespace' | 'root' | 'name'>,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> => run('ip', inNode(node, command, args), { env: nodeProcessEnv(node), ...options });

/** As runInNode, but a non-zero exit is a command-failed error. */
export const runInNodeChecked = (
  node: Pick<NodeLayout, 'namespace' | 'root' | 'name'>,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> => runChecked('ip', inNode(node, command, args), { env: nodeProcessEnv(node), ...options });
