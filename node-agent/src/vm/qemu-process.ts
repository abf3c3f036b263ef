// QEMU as a process: start a VM from its compiled command line (-daemonize, so QEMU outlives the agent, as under
// PVE), find the process of a running VM from its pid file without trusting a recycled pid, stop it, and sweep the
// runtime files a dead QEMU left behind.
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { AppError } from '../api/errors';
import { run } from '../exec/run';
import type { VmRunPaths } from './run-paths';

export interface LaunchOptions {
  /** Named in errors. */
  vmid: number;
  runPaths: VmRunPaths;
  signal?: AbortSignal;
  /** For QEMU's start-up (until it daemonizes) and then for the pid file and QMP socket to appear. */
  timeoutMs?: number;
  /** Receives QEMU's stdout/stderr as it arrives (the start task's log). */
  log?: (text: string) => void;
}

const DEFAULT_LAUNCH_MS = 60_000;
const POLL_MS = 25;
const TAIL = 2000;
/** PVE's serial0..serial3. */
const SERIAL_PORTS = [0, 1, 2, 3] as const;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `check` until it returns a value, or undefined once the deadline passed. */
export const pollFor = async <T>(
  check: () => Promise<T | undefined>,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<T | undefined> => {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline || signal?.aborted) return undefined;
    await pause(POLL_MS);
  }
};

const optionValue = (argv: readonly string[], option: string): string | undefined => {
  const index = argv.indexOf(option);
  return index === -1 ? undefined : argv[index + 1];
};

/** Alive and not a zombie (a killed daemonized QEMU may linger as one until its parent reaps it). */
export const isProcessAlive = async (pid: number): Promise<boolean> => {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const state = text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
};

/** The command line of a process as its argument array; undefined when it is gone. */
const processArgv = async (pid: number): Promise<string[] | undefined> => {
  const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return text?.split('\0').filter((arg) => arg !== '');
};

const readPidFile = async (path: string): Promise<number | undefined> => {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
};

/**
 * The pid of the VM's QEMU: the pid file's process when it is alive and its command line carries
 * `-pidfile <runPaths.pid>`. That path holds the vmid, so it identifies the VM (upstream QEMU has no `-id`; PVE's
 * patched one does); a stale pid file whose number now belongs to another process does not count.
 */
export const runningPid = async (runPaths: VmRunPaths): Promise<number | undefined> => {
  const pid = await readPidFile(runPaths.pid);
  if (pid === undefined || !(await isProcessAlive(pid))) return undefined;
  const argv = await processArgv(pid);
  return argv !== undefined && optionValue(argv, '-pidfile') === runPaths.pid ? pid : undefined;
};

const isSocket = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => undefined))?.isSocket() ?? false;

/**
 * Start a VM. `argv` is the whole compiled command line, the QEMU binary first; it must carry `-daemonize`,
 * `-pidfile <runPaths.pid>` and the QMP socket at runPaths.qmp. Resolves with QEMU's pid once the pid
 * file names a live process and the QMP socket exists.
 */
export const launchQemu = async (argv: readonly string[], options: LaunchOptions): Promise<{ pid: number }> => {
  const { vmid, runPaths, signal, timeoutMs = DEFAULT_LAUNCH_MS, log } = options;
  const [binary, ...args] = argv;
  if (binary === undefined) throw new AppError('invalid-params', `VM ${vmid}: the QEMU command line is empty`);
  if (!args.includes('-daemonize') || optionValue(argv, '-pidfile') !== runPaths.pid)
    throw new AppError(
      'invalid-params',
      `VM ${vmid}: the QEMU command line needs -daemonize and -pidfile ${runPaths.pid}`,
    );
  if ((await runningPid(runPaths)) !== undefined)
    throw new AppError('already-exists', `VM ${vmid} is already running`, { vmid });

  await mkdir(runPaths.dir, { recursive: true, mode: 0o700 });
  await chmod(runPaths.dir, 0o700); // mkdir leaves an existing folder's mode alone
  await cleanupRunFiles(runPaths);

  const started = Date.now();
  const result = await run(binary, args, {
    timeoutMs,
    ...(signal ? { signal } : {}),
    ...(log ? { onOutput: (chunk: string) => log(chunk) } : {}),
  });
  if (result.code !== 0) {
    const tail = (result.stderr.trim() || result.stdout.trim()).slice(-TAIL);
    throw new AppError('command-failed', `VM ${vmid}: QEMU failed to start (exit code ${result.code}): ${tail}`, {
      vmid,
      exitCode: result.code,
      stderr: result.stderr.slice(-TAIL),
    });
  }
  // With -daemonize QEMU's parent exits once the VM is set up, so both normally exist already; poll in case not.
  const remaining = Math.max(timeoutMs - (Date.now() - started), 1000);
  const pid = await pollFor(
    async () => {
      const found = await runningPid(runPaths);
      return found !== undefined && (await isSocket(runPaths.qmp)) ? found : undefined;
    },
    remaining,
    signal,
  );
  if (pid !== undefined) return { pid };
  if (signal?.aborted) throw new AppError('cancelled', `starting VM ${vmid} was cancelled`);
  throw new AppError(
    'timeout',
    `VM ${vmid}: QEMU exited 0 but no live pid in ${runPaths.pid} and QMP socket ${runPaths.qmp} appeared within ${remaining} ms: ${result.stderr.trim().slice(-TAIL)}`,
    {
      vmid,
    },
  );
};

export interface KillOptions {
  /** How long QEMU may take to exit after SIGTERM before SIGKILL. */
  graceMs?: number;
  /** How long to wait for the process to be gone after SIGKILL. */
  killWaitMs?: number;
}

const signalProcess = (pid: number, signal: NodeJS.Signals): boolean => {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new AppError('access-denied', `cannot signal QEMU process ${pid}: ${(error as Error).message}`, { pid });
  }
};

/**
 * Stop a QEMU process: SIGTERM, then SIGKILL past the grace period; resolves once it is gone. Resolves false when
 * it was already gone. The caller found `pid` with runningPid, so it is this VM's QEMU.
 */
export const killQemu = async (pid: number, options: KillOptions = {}): Promise<boolean> => {
  const { graceMs = 5000, killWaitMs = 5000 } = options;
  const gone = async () => ((await isProcessAlive(pid)) ? undefined : true);
  if (!(await isProcessAlive(pid)) || !signalProcess(pid, 'SIGTERM')) return false;
  if (await pollFor(gone, graceMs)) return true;
  if (!signalProcess(pid, 'SIGKILL')) return true;
  if (await pollFor(gone, killWaitMs)) return true;
  throw new AppError('timeout', `QEMU process ${pid} is still there ${killWaitMs} ms after SIGKILL`, { pid });
};

/** Remove the sockets and pid file a stopped VM left behind; the serial logs stay (a console replays them). */
export const cleanupRunFiles = async (runPaths: VmRunPaths): Promise<void> => {
  const paths = [runPaths.qmp, runPaths.vnc, runPaths.pid, ...SERIAL_PORTS.map((port) => runPaths.serial(port))];
  await Promise.all(paths.map((path) => rm(path, { force: true })));
};
