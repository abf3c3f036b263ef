// Running a command inside a lab node: its network namespace and its agent environment, nothing inherited
// from the caller (a test runner's NODE_OPTIONS or tsx loader must not leak into the node's processes).
import { run, runChecked, type RunOptions, type RunResult } from '../../node-agent/src/exec/run';
import { nodeEnv, type NodeLayout } from './lab-layout';

export const nodeProcessEnv = (node: Pick<NodeLayout, 'root' | 'name'>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  ...nodeEnv(node),
});

const inNode = (node: Pick<NodeLayout, 'namespace'>, command: string, args: readonly string[]): string[] => [
  'netns',
  'exec',
  node.namespace,
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
