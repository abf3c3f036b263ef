// Finding and stopping the lab's processes safely: a pid is only signalled when it still lives in one of the
// lab's namespaces, so a stale pid file can never hit an unrelated process that reused the number.
import { readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { AppError } from '../../node-agent/src/api/errors';
import { run } from '../../node-agent/src/exec/run';

/** Poll `check` until it returns a value other than undefined, or fail with a timeout naming `what`. */
export const pollUntil = async <T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new AppError('timeout', `${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};

const nsId = async (path: string): Promise<string | undefined> => {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
};

/** The network namespace a named netns (/run/netns/NAME) or a process (/proc/PID/ns/net) is in. */
export const namespaceId = (namespace: string): Promise<string | undefined> => nsId(`/run/netns/${namespace}`);
const processNamespaceId = (pid: number): Promise<string | undefined> => nsId(`/proc/${pid}/ns/net`);

/** Alive and not a zombie (the machine's init may be slow to reap what sshd and the agent leave behind). */
export const isAlive = async (pid: number): Promise<boolean> => {
  try {
    const statLine = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = statLine.slice(statLine.lastIndexOf(')') + 2, statLine.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
};

export const isInNamespace = async (pid: number, namespace: string): Promise<boolean> => {
  const [want, have] = await Promise.all([namespaceId(namespace), processNamespaceId(pid)]);
  return want !== undefined && want === have;
};

export const readPidFile = async (path: string): Promise<number | undefined> => {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** The pid in `pidFile` when that process is alive inside `namespace`. */
export const runningFromPidFile = async (pidFile: string, namespace: string): Promise<number | undefined> => {
  const pid = await readPidFile(pidFile);
  return pid !== undefined && (await isAlive(pid)) && (await isInNamespace(pid, namespace)) ? pid : undefined;
};

/** Every process in a named namespace (sshd, its sessions, the agent and whatever it started). */
export const namespacePids = async (namespace: string): Promise<number[]> => {
  if ((await namespaceId(namespace)) === undefined) return [];
  const result = await run('ip', ['netns', 'pids', namespace], { timeoutMs: 10_000 });
  return result.stdout
    .split('\n')
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid > 1 && pid !== process.pid);
};

const signal = (pid: number, sig: NodeJS.Signals): void => {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
};

/**
 * SIGTERM the pids that live in `namespace`, SIGKILL what is left after `graceMs`, and wait until all are gone.
 * Pids outside the namespace (reused numbers) are left alone. Returns the pids it signalled.
 */
export const stopInNamespace = async (
  pids: readonly number[],
  namespace: string,
  graceMs = 5_000,
): Promise<number[]> => {
  const ours: number[] = [];
  for (const pid of new Set(pids)) if ((await isAlive(pid)) && (await isInNamespace(pid, namespace))) ours.push(pid);
  if (ours.length === 0) return [];
  ours.forEach((pid) => signal(pid, 'SIGTERM'));
  const allGone = async (): Promise<true | undefined> =>
    (await Promise.all(ours.map(isAlive))).some(Boolean) ? undefined : true;
  try {
    await pollUntil(`processes ${ours.join(' ')} in ${namespace} exiting on SIGTERM`, allGone, graceMs);
  } catch {
    for (const pid of ours) if (await isAlive(pid)) signal(pid, 'SIGKILL');
    await pollUntil(`processes ${ours.join(' ')} in ${namespace} exiting on SIGKILL`, allGone, 5_000);
  }
  return ours;
};

/** Send one signal to a lab process (after checking it is in its namespace); for tests that kill on purpose. */
export const signalInNamespace = async (pid: number, namespace: string, sig: NodeJS.Signals): Promise<boolean> => {
  if (!(await isAlive(pid)) || !(await isInNamespace(pid, namespace))) return false;
  signal(pid, sig);
  return true;
};

/** Resolves true once something accepts a TCP connection at host:port (from this, the host, namespace). */
export const acceptsTcp = (host: string, port: number, timeoutMs = 1_000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
