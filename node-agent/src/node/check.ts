// The node.check task body: one verdict per prerequisite (QEMU, KVM, LXC, nftables, btrfs-progs, free space,
// time sync), each logged as `id: status — message`, with progress after each.
import { open, statfs } from 'node:fs/promises';
import { AppError } from '../api/errors';
import { CheckId, type CheckResult } from '../api/node';
import type { AgentPaths } from '../daemon/paths';
import { fsUsage, type FsUsage } from '../metrics/proc-parse';
import type { TaskContext } from '../tasks/task-context';
import { firstLine, outputTail, probe, type ProbeOutcome, type Verdict } from './probe';
import { checkTimeSync } from './time-sync';

const GiB = 1024 ** 3;

const gib = (bytes: number): string => `${(bytes / GiB).toFixed(1)} GiB`;

/** Free space on the agent root: below 1 GiB guests and task logs cannot be written; below 10% it is close. */
export const freeSpaceVerdict = (usage: FsUsage, root: string): Verdict => {
  const share = usage.total > 0 ? usage.avail / usage.total : 0;
  const text = `${gib(usage.avail)} free of ${gib(usage.total)} (${Math.round(share * 100)}%) on ${root}`;
  if (usage.avail < GiB) return { status: 'failed', message: `only ${text} — free some space` };
  if (share < 0.1) return { status: 'warning', message: `${text} — less than 10% left` };
  return { status: 'ok', message: text };
};

/** The QEMU binary and Debian package for this machine's architecture. */
const qemuFor = (arch: NodeJS.Architecture): { command: string; debianPackage: string } =>
  arch === 'arm64'
    ? { command: 'qemu-system-aarch64', debianPackage: 'qemu-system-arm' }
    : { command: 'qemu-system-x86_64', debianPackage: 'qemu-system-x86' };

/** Judge a `tool --version` probe: ok with the version banner, failed with the reason. */
const versionVerdict = (outcome: ProbeOutcome, command: string, label = ''): Verdict => {
  if (!outcome.ran) return outcome.verdict;
  if (outcome.result.code !== 0)
    return {
      status: 'failed',
      message: `${command} --version exited with code ${outcome.result.code}: ${outputTail(outcome.result)}`,
    };
  return { status: 'ok', message: `${label}${firstLine(outcome.result.stdout) || firstLine(outcome.result.stderr)}` };
};

const versionCheck = async (ctx: TaskContext, command: string, debianPackage: string): Promise<Verdict> =>
  versionVerdict(await probe(ctx, command, ['--version'], debianPackage), command);

const checkQemu = (ctx: TaskContext): Promise<Verdict> => {
  const { command, debianPackage } = qemuFor(process.arch);
  return versionCheck(ctx, command, debianPackage);
};

/** Opening /dev/kvm read-write is what QEMU does for -accel kvm; without it QEMU still runs, only slowly (TCG). */
const checkKvm = async (): Promise<Verdict> => {
  try {
    const handle = await open('/dev/kvm', 'r+');
    await handle.close();
    return { status: 'ok', message: '/dev/kvm is usable: guests run with KVM acceleration' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why =
      code === 'ENOENT'
        ? '/dev/kvm does not exist (virtualisation is off in the firmware, the CPU lacks it, or the kvm module is not loaded)'
        : `/dev/kvm cannot be opened read-write (${code})`;
    return { status: 'warning', message: `${why} — guests will run under TCG emulation` };
  }
};

/** lxc-start prints a bare version; lxc-info is the fallback for installs that split the tools. */
const checkLxc = async (ctx: TaskContext): Promise<Verdict> => {
  const start = await probe(ctx, 'lxc-start', ['--version'], 'lxc');
  if (start.ran || !start.missing) return versionVerdict(start, 'lxc-start', 'LXC ');
  return versionVerdict(await probe(ctx, 'lxc-info', ['--version'], 'lxc'), 'lxc-info', 'LXC ');
};

/** nft must not only exist but reach the kernel's nf_tables (module loaded, CAP_NET_ADMIN): the firewall depends on it. */
const checkNftables = async (ctx: TaskContext): Promise<Verdict> => {
  const version = await versionCheck(ctx, 'nft', 'nftables');
  if (version.status !== 'ok') return version;
  const list = await probe(ctx, 'nft', ['list', 'tables'], 'nftables');
  if (!list.ran) return list.verdict;
  if (list.result.code !== 0) {
    return {
      status: 'failed',
      message: `${version.message}, but nft list tables failed: ${outputTail(list.result)} — the firewall cannot be applied`,
    };
  }
  return version;
};

const checkFreeSpace = async (paths: AgentPaths): Promise<Verdict> => {
  try {
    return freeSpaceVerdict(fsUsage(await statfs(paths.root)), paths.root);
  } catch (error) {
    return {
      status: 'failed',
      message: `cannot read the free space of ${paths.root}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
};

const checks: Record<CheckId, (ctx: TaskContext, paths: AgentPaths) => Promise<Verdict>> = {
  qemu: checkQemu,
  kvm: checkKvm,
  lxc: checkLxc,
  nftables: checkNftables,
  'btrfs-progs': (ctx) => versionCheck(ctx, 'btrfs', 'btrfs-progs'),
  'free-space': (_ctx, paths) => checkFreeSpace(paths),
  'time-sync': checkTimeSync,
};

/** Run every check in CheckId order. Stops between checks when the task is cancelled. */
export const runNodeCheck = async (ctx: TaskContext, paths: AgentPaths): Promise<CheckResult[]> => {
  const ids = CheckId.options;
  const results: CheckResult[] = [];
  for (const [index, id] of ids.entries()) {
    if (ctx.signal.aborted)
      throw new AppError(
        'cancelled',
        `node check of ${paths.node} was cancelled after ${index} of ${ids.length} checks`,
      );
    const verdict = await checks[id](ctx, paths);
    const result: CheckResult = { id, ...verdict };
    results.push(result);
    const line = `${id}: ${result.status} — ${result.message}`;
    if (result.status === 'warning') ctx.warn(line);
    else ctx.log(line);
    ctx.progress((index + 1) / ids.length);
  }
  return results;
};

export interface CheckSummary {
  ok: number;
  warnings: number;
  failed: number;
  /** The failed check ids, in order. */
  failedIds: CheckId[];
  /** `7 checks: 5 ok, 1 warning, 1 failed (qemu)` */
  text: string;
}

/** Counts for the task's closing line; the task body decides whether failed checks end it with ERROR. */
export const summarizeChecks = (results: readonly CheckResult[]): CheckSummary => {
  const failedIds = results.filter((r) => r.status === 'failed').map((r) => r.id);
  const ok = results.filter((r) => r.status === 'ok').length;
  const warnings = results.filter((r) => r.status === 'warning').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const failedText = failedIds.length > 0 ? ` (${failedIds.join(', ')})` : '';
  return {
    ok,
    warnings,
    failed: failedIds.length,
    failedIds,
    text: `${plural(results.length, 'check')}: ${ok} ok, ${plural(warnings, 'warning')}, ${failedIds.length} failed${failedText}`,
  };
};
