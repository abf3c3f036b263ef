// A container's runtime through LXC's own tools, always as argument lists with `-P <lxcpath> -n <ctid>`: its state,
// the generated LXC config it starts from, start/stop, commands inside it, and its cgroup limits while it runs.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../api/errors';
import { run, type RunResult } from '../exec/run';
import { writeFileAtomic } from '../fs/atomic-file';
import type { AgentPaths } from '../daemon/paths';
import type { CommandRunner } from '../storage/plugin';
import type { CtConfig } from './config/typed';
import { cgroupVersionOf, compileLxcConfig, distroConfs, seccompRules, stagedPath, type CgroupVersion, type LxcCompileEnv } from './lxc-config';
import { parseLxcInfo } from './ct-console';
import { lxcConfigFile, lxcPath, lxcTarget } from './lxc-paths';

export type CtRunState = 'running' | 'stopped' | 'paused';

const TAIL = 2000;

const checked = (ctid: number, what: string, result: RunResult): RunResult => {
  if (result.code !== 0) {
    const output = (result.stderr.trim() || result.stdout.trim()).slice(-TAIL);
    throw new AppError('command-failed', `CT ${ctid}: ${what} exited with code ${result.code}${output ? `: ${output}` : ''}`, { vmid: ctid });
  }
  return result;
};

/** LXC's view of a container: its state and init pid (from `lxc-info -s -p -H`). */
export const ctState = async (paths: Pick<AgentPaths, 'root'>, ctid: number): Promise<{ state: CtRunState; pid?: number }> => {
  if (!existsSync(lxcConfigFile(paths, ctid))) return { state: 'stopped' };
  const result = await run('lxc-info', [...lxcTarget(paths, ctid), '-s', '-p'], { timeoutMs: 10_000 });
  if (result.code !== 0) return { state: 'stopped' };
  const { state, pid } = parseLxcInfo(result.stdout);
  const mapped: CtRunState = state === 'RUNNING' ? 'running' : state === 'FROZEN' ? 'paused' : 'stopped';
  return { state: mapped, ...(pid === undefined ? {} : { pid }) };
};

let cgroupVersion: Promise<CgroupVersion> | undefined;
/** The node's cgroup layout, read once. */
export const nodeCgroupVersion = (): Promise<CgroupVersion> =>
  (cgroupVersion ??= readFile('/proc/self/mounts', 'utf8').then(cgroupVersionOf, (): CgroupVersion => 2));

/** Write the LXC config (and seccomp rules) a start runs with; returns its text for the task log. */
export const writeLxcConfig = async (
  paths: Pick<AgentPaths, 'root'>,
  ct: CtConfig,
  env: Omit<LxcCompileEnv, 'cgroupVersion' | 'commonConf' | 'usernsConf' | 'seccompProfile' | 'lxcDir'>,
): Promise<string> => {
  const dir = join(lxcPath(paths), String(env.ctid));
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // The folders the pre-start hooks mount raw volumes on (world-traversable: an unprivileged root walks through).
  const raw = Object.entries({ rootfs: env.rootfs, ...env.mounts }).filter(([, source]) => source.fstype !== undefined);
  for (const [key] of raw) await mkdir(stagedPath(dir, key), { recursive: true, mode: 0o755 });
  const rules = seccompRules(ct);
  const seccompProfile = rules === undefined ? undefined : join(dir, 'rules.seccomp');
  // PVE's rules go on top of LXC's common policy (its header and deny list), in one file.
  if (seccompProfile !== undefined && rules !== undefined) {
    const common = await readFile('/usr/share/lxc/config/common.seccomp', 'utf8').catch(() => '2\ndenylist\n[all]\n');
    await writeFileAtomic(seccompProfile, `${common.trimEnd()}\n${rules}`, 0o644);
  }
  let text = compileLxcConfig(ct, {
    ...env,
    lxcDir: dir,
    cgroupVersion: await nodeCgroupVersion(),
    ...distroConfs(ct, existsSync),
    ...(seccompProfile === undefined ? {} : { seccompProfile }),
  });
  // busybox's init halts on SIGUSR1 (LXC's default is SIGPWR): an unmanaged rootfs gets it, as PVE does for them.
  if (ct.ostype === 'unmanaged' && !ct.lxc.some(([key]) => key === 'lxc.signal.halt')) text += 'lxc.signal.halt = SIGUSR1\n';
  await writeFileAtomic(lxcConfigFile(paths, env.ctid), text, 0o640);
  return text;
};

export const lxcStart = async (paths: Pick<AgentPaths, 'root'>, ctid: number, runner: CommandRunner): Promise<void> => {
  const log = join(lxcPath(paths), String(ctid), 'start.log');
  await writeFileAtomic(log, '', 0o640);
  const result = await runner('lxc-start', [...lxcTarget(paths, ctid), '-d', '-l', 'INFO', '-o', log], { timeoutMs: 120_000 });
  if (result.code !== 0) {
    // lxc-start itself only says "failed to start": the reason is in its log's ERROR lines.
    const errors = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => / ERROR /.test(line)).slice(0, 8).join('\n');
    throw new AppError('command-failed', `CT ${ctid} failed to start${errors ? `:\n${errors}` : ` (see ${log})`}`, { vmid: ctid });
  }
  checked(ctid, 'lxc-wait', await runner('lxc-wait', [...lxcTarget(paths, ctid), '-s', 'RUNNING', '-t', '60'], { timeoutMs: 70_000 }));
};

/** Stop: with `timeout`, ask init to halt first (lxc.signal.halt) and kill after; without, kill at once. */
export const lxcStop = async (paths: Pick<AgentPaths, 'root'>, ctid: number, runner: CommandRunner, timeout?: number): Promise<void> => {
  const args = timeout === undefined ? ['-k'] : ['-t', String(timeout)];
  checked(ctid, 'lxc-stop', await runner('lxc-stop', [...lxcTarget(paths, ctid), ...args], { timeoutMs: ((timeout ?? 10) + 30) * 1000 }));
};

/** The LXC monitor of a running container (its init's parent): its mount namespace holds the raw volumes' mounts. */
export const monitorPid = async (initPid: number): Promise<number> => {
  const stat = await readFile(`/proc/${initPid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces and parentheses): state, then the parent's pid.
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (!Number.isInteger(ppid) || ppid <= 1) throw new AppError('internal-error', `process ${initPid} has no LXC monitor as its parent`);
  return ppid;
};

/** Run a command inside a running container; its exit code and output (an argument list, never a shell string). */
export const lxcAttach = async (
  paths: Pick<AgentPaths, 'root'>,
  ctid: number,
  command: readonly string[],
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
  const result = await run('lxc-attach', [...lxcTarget(paths, ctid), '--clear-env', '--set-var', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--', ...command], {
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { exitCode: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
};

/** Read one cgroup value of a running container (lxc-cgroup knows where LXC put it). */
export const cgroupGet = async (paths: Pick<AgentPaths, 'root'>, ctid: number, key: string): Promise<string> =>
  checked(ctid, `lxc-cgroup ${key}`, await run('lxc-cgroup', [...lxcTarget(paths, ctid), key], { timeoutMs: 10_000 })).stdout.trim();

/** The config keys each cgroup write carries. */
const LIMIT_KEYS: Record<string, string> = {
  'memory.limit_in_bytes': 'memory',
  'memory.memsw.limit_in_bytes': 'swap',
  'memory.max': 'memory',
  'memory.swap.max': 'swap',
  'cpu.cfs_period_us': 'cpulimit',
  'cpu.cfs_quota_us': 'cpulimit',
  'cpu.max': 'cpulimit',
  'cpu.shares': 'cpuunits',
  'cpu.weight': 'cpuunits',
  'cpuset.cpus': 'cores',
};

/** The cgroup writes that make a running container's limits match its config (PVE's live cgroup update). */
export const cgroupLimits = (ct: CtConfig, version: CgroupVersion, online: number): [string, string][] => {
  const MiB = 1024 * 1024;
  const cpus = ct.cores === undefined ? undefined : `0-${Math.min(ct.cores, online) - 1}`;
  if (version === 1)
    return [
      // Raise memsw before memory when growing, lower memory first when shrinking: both orders are tried by the caller.
      ['memory.limit_in_bytes', String(ct.memory * MiB)],
      ['memory.memsw.limit_in_bytes', String((ct.memory + ct.swap) * MiB)],
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', ct.cpulimit > 0 ? String(Math.round(ct.cpulimit * 100000)) : '-1'],
      ['cpu.shares', String(ct.cpuunits ?? 1024)],
      ...(cpus === undefined ? [] : [['cpuset.cpus', cpus] as [string, string]]),
    ];
  return [
    ['memory.max', String(ct.memory * MiB)],
    ['memory.swap.max', String(ct.swap * MiB)],
    ['cpu.max', ct.cpulimit > 0 ? `${Math.round(ct.cpulimit * 100000)} 100000` : 'max 100000'],
    ['cpu.weight', String(ct.cpuunits ?? 100)],
    ...(cpus === undefined ? [] : [['cpuset.cpus', cpus] as [string, string]]),
  ];
};

/** Apply the limits to a running container; a write the kernel refuses in this order is retried after the others. */
export const applyCgroupLimits = async (
  paths: Pick<AgentPaths, 'root'>,
  ctid: number,
  ct: CtConfig,
  changed: ReadonlySet<string>,
  runner: CommandRunner,
): Promise<void> => {
  // Only what changed (memsw follows memory: it is memory + swap).
  const wanted = new Set([...changed, ...(changed.has('memory') ? ['swap'] : [])]);
  let remaining = cgroupLimits(ct, await nodeCgroupVersion(), cpus().length).filter(([key]) => wanted.has(LIMIT_KEYS[key] ?? ''));
  for (let round = 0; round < 2 && remaining.length > 0; round += 1) {
    const failed: [string, string][] = [];
    for (const [key, value] of remaining) {
      const result = await runner('lxc-cgroup', [...lxcTarget(paths, ctid), key, value], { timeoutMs: 10_000 });
      if (result.code !== 0) failed.push([key, value]);
    }
    if (failed.length === remaining.length) break;
    remaining = failed;
  }
  if (remaining.length > 0)
    throw new AppError('command-failed', `CT ${ctid}: the kernel refused ${remaining.map(([key, value]) => `${key}=${value}`).join(', ')}`, { vmid: ctid });
};
