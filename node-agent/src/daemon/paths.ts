// Where the agent keeps things, under a configurable root so several lab nodes can share one machine.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ConsoleKind } from '../vm/console-relay';

export interface AgentPaths {
  readonly root: string;
  readonly node: string;
  /** etc/hyperdesk: cluster-wide configuration (the local store in single-node mode). */
  readonly config: string;
  /** var/lib/hyperdesk: metrics history, task index, state. */
  readonly data: string;
  /** var/log/hyperdesk/tasks: one log file per task, PVE-style. */
  readonly taskLogs: string;
  /** run/hyperdesk: the daemon's socket and pid file. */
  readonly run: string;
  readonly socket: string;
  readonly pidFile: string;
  /** usr/lib/hyperdesk: installed agent bundles (content-addressed) and the launcher. */
  readonly lib: string;
  readonly launcher: string;
}

export const agentPaths = (env: NodeJS.ProcessEnv = process.env): AgentPaths => {
  const root = env.HYPERDESK_ROOT && env.HYPERDESK_ROOT !== '' ? env.HYPERDESK_ROOT : '/';
  const node = env.HYPERDESK_NODE && env.HYPERDESK_NODE !== '' ? env.HYPERDESK_NODE : hostname().split('.')[0] ?? 'localhost';
  const run = join(root, 'run/hyperdesk');
  const lib = join(root, 'usr/lib/hyperdesk');
  return {
    root,
    node,
    config: join(root, 'etc/hyperdesk'),
    data: join(root, 'var/lib/hyperdesk'),
    taskLogs: join(root, 'var/log/hyperdesk/tasks'),
    run,
    socket: join(run, 'agent.sock'),
    pidFile: join(run, 'agent.pid'),
    lib,
    launcher: join(lib, 'bin/hyperdesk-agent'),
  };
};

/**
 * The command the app runs over SSH to reach the agent. HYPERDESK_ROOT comes from the node's sshd
 * (lab nodes) or is unset (a real node, root '/'). A constant string: nothing user-supplied is interpolated.
 */
export const remoteAgentCommand = (subcommand: 'bridge' | 'version' | `console ${number} ${ConsoleKind}`): string =>
  `"\${HYPERDESK_ROOT:-}/usr/lib/hyperdesk/bin/hyperdesk-agent" ${subcommand}`;
