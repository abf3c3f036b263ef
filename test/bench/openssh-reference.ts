// The OpenSSH side of the RPC benchmark: a command per round trip over a multiplexed master (what tools that
// shell out to `ssh` pay per call), and the agent bridge driven through one long-lived `ssh` process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppError } from '../../node-agent/src/api/errors';
import { PROTOCOL_VERSION } from '../../node-agent/src/api/hello';
import { remoteAgentCommand } from '../../node-agent/src/daemon/paths';
import { run, runChecked } from '../../node-agent/src/exec/run';
import { connectStreams } from '../../node-agent/src/rpc/client';
import type { BenchLab } from './bench-lab';

const SSH_TIMEOUT_MS = 20_000;

/** Time `count` sequential calls of `call` after `warmup` untimed ones; milliseconds each. */
export const timeSequential = async (
  count: number,
  warmup: number,
  call: () => Promise<unknown>,
): Promise<number[]> => {
  for (let i = 0; i < warmup; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
};

/** What each multiplexed `ssh` runs: a command through the node's login shell, or a subsystem without one. */
export type MuxRemote = { kind: 'command'; command: string } | { kind: 'subsystem'; name: string };

/**
 * `ssh … root@node <remote>` through a ControlMaster: the first call starts the master (ControlPersist keeps
 * it in the background), the timed ones reuse it. The master is told to exit at the end.
 */
export const timeMultiplexedExec = async (
  lab: BenchLab,
  remote: MuxRemote,
  count: number,
  warmup: number,
): Promise<number[]> => {
  const controlPath = join(lab.workDir, 'cm');
  const mux = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=60'];
  // A subsystem (internal-sftp) starts no shell; with stdin closed at once it ends as soon as it starts.
  const args =
    remote.kind === 'command'
      ? [...lab.sshOptions(), ...mux, lab.sshTarget, remote.command]
      : [...lab.sshOptions(), ...mux, '-s', lab.sshTarget, remote.name];
  const once = () => runChecked('ssh', args, { timeoutMs: SSH_TIMEOUT_MS, input: '' });
  try {
    await once();
    return await timeSequential(count, warmup, once);
  } finally {
    await run('ssh', [...lab.sshOptions(), '-o', `ControlPath=${controlPath}`, '-O', 'exit', lab.sshTarget], {
      timeoutMs: SSH_TIMEOUT_MS,
    }).catch(() => undefined);
  }
};

/** `node.status` over the bridge reached through one OpenSSH client process (stdin/stdout JSON lines). */
export const timeBridgeOverOpenSsh = async (lab: BenchLab, count: number, warmup: number): Promise<number[]> => {
  // ssh hands the remote command to the node's shell as one string: the same constant the app sends.
  const child = spawn('ssh', [...lab.sshOptions(), '-T', lab.sshTarget, remoteAgentCommand('bridge')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new AppError('command-failed', `ssh could not start: ${error.message}`))),
  );
  spawnFailed.catch(() => undefined);
  const rpc = connectStreams(child.stdout, child.stdin, SSH_TIMEOUT_MS);
  try {
    const hello = rpc.call('hello', { protocolVersion: PROTOCOL_VERSION, client: 'hyperdesk-bench' });
    await Promise.race([hello, spawnFailed]).catch((error: unknown) => {
      throw new AppError(
        'unreachable',
        `the agent bridge on ${lab.node.name} did not answer hello over ssh: ${AppError.from(error).message}${stderr ? ` — ssh said: ${stderr.trim()}` : ''}`,
      );
    });
    return await timeSequential(count, warmup, () => rpc.call('node.status', {}));
  } finally {
    rpc.close();
    child.stdin.end();
    // The bridge ends when its stdin does; a stuck ssh is ended by its own pid, which we started.
    const timer = setTimeout(() => child.kill('SIGTERM'), 5_000);
    await exited;
    clearTimeout(timer);
  }
};
