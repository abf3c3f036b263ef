// Start a long-lived process that outlives us (the daemon, started by install/start): argument array, output to a
// log file descriptor, its exit reported for diagnostics while we wait on it.
import { spawn } from 'node:child_process';

export interface DetachedProcess {
  readonly pid: number | undefined;
  /** Why it ended, if it already has (an exit code, a signal or a spawn error); undefined while it runs. */
  exitReason(): string | undefined;
}

export const spawnDetached = (file: string, args: readonly string[], logFd: number): DetachedProcess => {
  let reason: string | undefined;
  const child = spawn(file, [...args], { detached: true, stdio: ['ignore', logFd, logFd], env: process.env });
  child.on('error', (error) => (reason = error.message));
  child.on('exit', (code, signal) => (reason = signal ? `signal ${signal}` : `exit code ${code}`));
  child.unref();
  return { pid: child.pid, exitReason: () => reason };
};
