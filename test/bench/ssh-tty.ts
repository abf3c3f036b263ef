// The terminal benchmarks' reference: plain OpenSSH with a pty (`ssh -tt`, same key and known_hosts as the app) to
// the same node, running the same shell, its output read raw and thrown away here (nothing renders it). The same
// TerminalDriver types into it and times what comes back.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { AppError } from '../../node-agent/src/api/errors';
import type { BenchLab } from './bench-lab';
import { TerminalDriver } from './terminal-driver';

const CLOSE_TIMEOUT_MS = 5_000;

export interface SshTty {
  readonly driver: TerminalDriver;
  close(): Promise<void>;
}

/**
 * `ssh -tt … root@node [remote]`: without `remote` the login shell (an interactive `ssh node`), with it that command
 * on the pty (ssh sends it as one string for the node's shell to parse, so the caller quotes it).
 */
export const openSshTty = async (lab: BenchLab, remote?: string): Promise<SshTty> => {
  const args = [...lab.sshOptions(), '-tt', '-e', 'none', lab.sshTarget, ...(remote === undefined ? [] : [remote])];
  const child: ChildProcessWithoutNullStreams = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const driver = new TerminalDriver((text) => child.stdin.write(text));
  child.stdout.on('data', (chunk: Buffer) => driver.arrived(chunk)());
  const close = async () => {
    child.stdin.end();
    // ssh ends when the remote shell does (stdin's EOF reaches it as ^D); a stuck one is ended by its pid.
    const timer = setTimeout(() => child.kill('SIGTERM'), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const died = exited.then(() => {
    throw new AppError(
      'unreachable',
      `ssh -tt to ${lab.node.name} ended before its shell ran a command${stderr ? `: ${stderr.trim()}` : ''}`,
    );
  });
  // Only the race below listens; an ssh that ends later (close) is no error.
  died.catch(() => undefined);
  try {
    await Promise.race([driver.ready(), died]);
  } catch (error) {
    await close();
    throw error;
  }
  return { driver, close };
};
