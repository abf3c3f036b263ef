// Each lab node's sshd: its own host key and config, started inside the node's namespace, and the lab's
// one client key pair that every node accepts for root.
import { copyFile, mkdir, readFile, readdir, readlink, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { AppError } from '../../node-agent/src/api/errors';
import { run, runChecked } from '../../node-agent/src/exec/run';
import type { ClientPaths, NodeLayout } from './lab-layout';
import { runInNodeChecked } from './node-env';
import { acceptsTcp, namespacePids, pollUntil, readPidFile, runningFromPidFile, stopInNamespace } from './processes';
import { parseOpenSshVersion, renderSshdConfig, type OpenSshVersion } from './sshd-config';

export const SSHD = '/usr/sbin/sshd';
const PRIVSEP_DIR = '/run/sshd';
const START_TIMEOUT_MS = 15_000;

export const openSshVersion = async (): Promise<OpenSshVersion> => {
  for (const [command, args] of [
    [SSHD, ['-V']],
    ['ssh', ['-V']],
  ] as const) {
    const result = await run(command, args, { timeoutMs: 10_000 }).catch(() => undefined);
    const version = result && parseOpenSshVersion(result.stderr + result.stdout);
    if (version) return version;
  }
  throw new AppError(
    'not-found',
    `could not tell the OpenSSH version from ${SSHD} -V or ssh -V — is openssh-server installed?`,
  );
};

/** sshd needs its privilege-separation dir; returns true when the lab made it (so `down` takes it away again). */
export const ensurePrivsepDir = async (): Promise<boolean> => {
  try {
    await stat(PRIVSEP_DIR);
    return false;
  } catch {
    await mkdir(PRIVSEP_DIR, { mode: 0o755 });
    return true;
  }
};

/** Remove /run/sshd if the lab made it and nothing else has put anything in it since. */
export const removePrivsepDir = async (): Promise<void> => {
  const entries = await readdir(PRIVSEP_DIR).catch(() => undefined);
  if (entries && entries.length === 0) await rmdir(PRIVSEP_DIR).catch(() => undefined);
};

const keygen = async (path: string, comment: string): Promise<string> => {
  await rm(path, { force: true });
  await rm(`${path}.pub`, { force: true });
  await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { timeoutMs: 20_000 });
  return (await readFile(`${path}.pub`, 'utf8')).trim();
};

/** The lab's one client key pair; its public half is the only key any node's root accepts. */
export const makeClientKey = async (client: ClientPaths): Promise<void> => {
  await mkdir(client.dir, { recursive: true, mode: 0o700 });
  await keygen(client.privateKey, 'hdlab-client');
  await copyFile(client.publicKey, client.authorizedKeys);
};

/** A fresh ed25519 host key for the node; returns its public line (`ssh-ed25519 AAAA… comment`). */
export const makeHostKey = (node: NodeLayout): Promise<string> => keygen(node.hostKeyPath, `hdlab-${node.name}`);

export const hostPublicKey = async (node: Pick<NodeLayout, 'hostKeyPath'>): Promise<string> =>
  (await readFile(`${node.hostKeyPath}.pub`, 'utf8')).trim();

export const writeSshdConfig = async (
  node: NodeLayout,
  client: ClientPaths,
  version: OpenSshVersion,
  path?: string,
): Promise<void> => {
  await writeFile(node.sshdConfig, renderSshdConfig(node, client, version, path), { mode: 0o644 });
  // sshd -t names the bad line; starting would only put it in the log.
  await runChecked(SSHD, ['-t', '-f', node.sshdConfig], { timeoutMs: 10_000 });
};

const logTail = async (path: string): Promise<string> =>
  (await readFile(path, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join(' | ');

/**
 * Start the node's sshd in its namespace. sshd daemonizes itself (its parent exits once the config and keys are
 * loaded, so a bad config fails here), logs to the node's sshd.log (-E) and writes its PidFile once it listens.
 * Returns the listener's pid once it accepts a TCP connection from the workstation.
 */
export const startSshd = async (node: NodeLayout): Promise<number> => {
  if (await runningFromPidFile(node.sshPidFile, node.namespace)) {
    throw new AppError('already-exists', `sshd of lab node ${node.name} is already running`);
  }
  await rm(node.sshPidFile, { force: true });
  await runInNodeChecked(node, SSHD, ['-f', node.sshdConfig, '-E', node.sshdLog], {
    timeoutMs: START_TIMEOUT_MS,
  }).catch(async (error: unknown) => {
    throw new AppError(
      'command-failed',
      `sshd of lab node ${node.name} did not start: ${AppError.from(error).message} ${await logTail(node.sshdLog)}`,
    );
  });
  try {
    await pollUntil(
      `sshd of lab node ${node.name} accepting on ${node.address}:22`,
      async () => ((await acceptsTcp(node.address, 22, 500)) ? true : undefined),
      START_TIMEOUT_MS,
    );
    return await pollUntil(
      `sshd of lab node ${node.name} writing ${node.sshPidFile}`,
      () => readPidFile(node.sshPidFile),
      START_TIMEOUT_MS,
    );
  } catch (error) {
    throw new AppError('timeout', `${AppError.from(error).message} — sshd.log: ${await logTail(node.sshdLog)}`);
  }
};

const isSshdProcess = async (pid: number): Promise<boolean> =>
  (await readlink(`/proc/${pid}/exe`).catch(() => '')) === SSHD;

/**
 * Stop the node's sshd listener. Like `systemctl stop ssh`, open sessions survive unless `sessions` is set,
 * which also ends every sshd process in the node (the connections drop, as when a node goes away).
 */
export const stopSshd = async (node: NodeLayout, options: { sessions?: boolean } = {}): Promise<void> => {
  const pids: number[] = [];
  const listener = await readPidFile(node.sshPidFile);
  if (listener !== undefined) pids.push(listener);
  if (options.sessions) {
    for (const pid of await namespacePids(node.namespace)) if (await isSshdProcess(pid)) pids.push(pid);
  }
  await stopInNamespace(pids, node.namespace);
  await rm(node.sshPidFile, { force: true });
};
