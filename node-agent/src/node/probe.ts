// Runs one probe command for a node check and turns "not installed" or "did not work" into a check verdict.
import { isAppError } from '../api/errors';
import type { CheckResult } from '../api/node';
import type { RunResult } from '../exec/run';
import type { TaskContext } from '../tasks/task-context';

export type Verdict = Omit<CheckResult, 'id'>;

/** Probes answer at once; a hung one (a stuck NFS mount under nft's cwd, a wedged daemon) must not stall the task. */
const PROBE_TIMEOUT_MS = 15_000;
const TAIL = 300;

export type ProbeOutcome = { ran: true; result: RunResult } | { ran: false; missing: boolean; verdict: Verdict };

/** The first non-empty line of a command's output (version banners put the version there). */
export const firstLine = (text: string): string =>
  text
    .split('\n')
    .find((line) => line.trim() !== '')
    ?.trim() ?? '';

export const outputTail = (result: RunResult): string => (result.stderr.trim() || result.stdout.trim()).slice(-TAIL);

/**
 * Run `command args` through the task (so it is logged). A missing command becomes a failed verdict naming the
 * Debian package to install; a timeout or start failure becomes a failed verdict; cancellation propagates.
 * A non-zero exit is returned as ran, for the check to judge.
 */
export const probe = async (
  ctx: TaskContext,
  command: string,
  args: readonly string[],
  debianPackage: string,
): Promise<ProbeOutcome> => {
  try {
    return { ran: true, result: await ctx.run(command, args, { timeoutMs: PROBE_TIMEOUT_MS }) };
  } catch (error) {
    if (isAppError(error, 'cancelled') || ctx.signal.aborted) throw error;
    if (isAppError(error, 'not-found')) {
      return {
        ran: false,
        missing: true,
        verdict: {
          status: 'failed',
          message: `${command} is not installed — install the Debian package ${debianPackage}`,
        },
      };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ran: false,
      missing: false,
      verdict: { status: 'failed', message: `${command} ${args.join(' ')} did not work: ${reason}` },
    };
  }
};
