// Commands a VM task runs: logged by the task context, and a non-zero exit is an error naming the VM and the
// command with the tail of its output.
import { requireExitZero, type RunOptions, type RunResult } from '../exec/run';
import type { TaskContext } from '../tasks/task-context';
import type { CallOptions } from '../storage/service';

export const runOk = async (
  ctx: TaskContext,
  subject: string,
  command: string,
  args: readonly string[],
  options?: Omit<RunOptions, 'signal'>,
): Promise<RunResult> => {
  const result = await ctx.run(command, args, options);
  return requireExitZero(result, subject, command, { command, exitCode: result.code });
};

/** The storage service's call options for a task: its signal, logged runner and UPID (lock holder). */
export const storageCall = (ctx: TaskContext): CallOptions => ({
  signal: ctx.signal,
  run: (command, args, options) => ctx.run(command, args, options),
  // A config change allocating a disk runs outside any task: the lock then names the call, not a UPID.
  ...(ctx.upid.startsWith('UPID:') ? { upid: ctx.upid } : {}),
  log: (line) => ctx.log(line),
});
