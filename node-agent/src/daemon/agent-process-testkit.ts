// For tests: run the real agent entry point (from source, under tsx) as a child process.
// eslint-disable-next-line no-restricted-imports -- a test kit: a long-running child with live stdio pipes, which exec/run cannot give
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from '../exec/run';
import { waitForHello } from './control';
import type { AgentPaths } from './paths';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = join(REPO, 'node-agent/src/main.ts');

/** node --import tsx main.ts …: the daemon is this very process (a kill -9 reaches it, not a wrapper). */
export const agentCommand = (...args: string[]): [string, string[]] => [
  process.execPath,
  ['--import', 'tsx', MAIN, ...args],
];

export const agentEnv = (paths: AgentPaths, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  HYPERDESK_ROOT: paths.root,
  HYPERDESK_NODE: paths.node,
  ...extra,
});

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export const spawnAgent = (env: NodeJS.ProcessEnv, ...args: string[]): AgentProcess => {
  const [file, argv] = agentCommand(...args);
  const child = spawn(file, argv, { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr };
};

/** Start a daemon and wait (with a deadline) until it answers hello on its socket. */
export const startDaemonProcess = async (
  paths: AgentPaths,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<AgentProcess> => {
  const agent = spawnAgent(agentEnv(paths, extraEnv), 'daemon');
  let exit: string | undefined;
  void agent.exited.then(({ code, signal }) => (exit = `${signal ?? code}: ${agent.stderr()}`));
  await waitForHello(paths, 30_000, () => exit);
  return agent;
};

/** Run an agent command to completion. */
export const runAgent = (
  paths: AgentPaths,
  args: string[],
  options: { input?: string; extraEnv?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> => {
  const [file, argv] = agentCommand(...args);
  return run(file, argv, {
    cwd: REPO,
    env: agentEnv(paths, options.extraEnv),
    timeoutMs: 60_000,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
};
