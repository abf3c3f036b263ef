// Start and stop the daemon: through systemd on a real node, otherwise (lab nodes under a root folder,
// containers without systemd) by pid file and a detached child.
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../api/errors';
import type { Hello } from '../api/hello';
import { runChecked } from '../exec/run';
import { spawnDetached, type DetachedProcess } from '../exec/spawn-detached';
import { helloOver } from './agent-socket';
import type { AgentPaths } from './paths';

export const SERVICE = 'hyperdesk-agent';
const POLL_MS = 100;
const DEFAULT_DEADLINE_MS = 10_000;

/** A real node: root '/' and systemd running (sd_booted's test). */
export const systemdManaged = (paths: AgentPaths): boolean =>
  resolve(paths.root) === '/' && existsSync('/run/systemd/system');

/** How to start a daemon: the installed launcher, or this very process's entry (source runs under tsx). */
export interface DaemonCommand {
  file: string;
  args: string[];
}
export const selfDaemonCommand = (): DaemonCommand => ({
  file: process.execPath,
  args: [...process.execArgv, process.argv[1] ?? '', 'daemon'],
});

export const agentLogFile = (paths: AgentPaths): string => join(paths.root, 'var/log/hyperdesk/agent.log');

const pause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Alive and not a zombie (a daemon whose parent does not reap it still has a pid). */
const alive = async (pid: number): Promise<boolean> => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
};

/** The pid in the pid file, if that process is still our daemon (guards against a reused pid). */
const daemonPid = async (paths: AgentPaths): Promise<number | undefined> => {
  const text = await readFile(paths.pidFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 1 || !(await alive(pid))) return undefined;
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter((arg) => arg !== '');
  return argv.at(-1) === 'daemon' ? pid : undefined;
};

/** Poll until the daemon answers hello, or fail after the deadline (or at once if `exited` says it died). */
export const waitForHello = async (
  paths: AgentPaths,
  deadlineMs = DEFAULT_DEADLINE_MS,
  exited?: () => string | undefined,
): Promise<Hello> => {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const hello = await helloOver(paths.socket, paths.node, 1000);
    if (hello) return hello;
    const why = exited?.();
    if (why !== undefined)
      throw new AppError(
        'command-failed',
        `the agent daemon for node ${paths.node} exited at start (${why}) — see ${agentLogFile(paths)}`,
      );
    if (Date.now() > deadline)
      throw new AppError(
        'timeout',
        `the agent daemon for node ${paths.node} did not answer on ${paths.socket} within ${deadlineMs} ms — see ${agentLogFile(paths)}`,
      );
    await pause(POLL_MS);
  }
};

/** Stop the daemon; resolves false if none was running. SIGTERM, then SIGKILL past the deadline. */
export const stopAgent = async (
  paths: AgentPaths,
  log: (message: string) => void,
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<boolean> => {
  if (systemdManaged(paths)) {
    await runChecked('systemctl', ['stop', SERVICE], { timeoutMs: deadlineMs + 30_000 });
    return true;
  }
  const pid = await daemonPid(paths);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + deadlineMs;
  while (await alive(pid)) {
    if (Date.now() > deadline) {
      log(`the agent daemon (pid ${pid}) did not stop within ${deadlineMs} ms; killing it`);
      process.kill(pid, 'SIGKILL');
      await pause(POLL_MS);
      // It could not clean up: the next daemon would remove the stale socket anyway, do it now.
      await unlink(paths.socket).catch(() => undefined);
      await unlink(paths.pidFile).catch(() => undefined);
      break;
    }
    await pause(POLL_MS);
  }
  return true;
};

/** Start the daemon and wait until it answers hello. An already running one is left alone. */
export const startAgent = async (
  paths: AgentPaths,
  command: DaemonCommand,
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<Hello> => {
  if (systemdManaged(paths)) {
    await runChecked('systemctl', ['start', SERVICE]);
    return waitForHello(paths, deadlineMs);
  }
  const running = await helloOver(paths.socket, paths.node, 2000);
  if (running) return running;
  const logFile = agentLogFile(paths);
  await mkdir(dirname(logFile), { recursive: true, mode: 0o750 });
  const out = openSync(logFile, 'a', 0o640);
  let daemon: DetachedProcess;
  try {
    daemon = spawnDetached(command.file, command.args, out);
  } finally {
    closeSync(out);
  }
  return waitForHello(paths, deadlineMs, () => daemon.exitReason());
};
