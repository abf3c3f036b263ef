// Running a storage tool through the context's CommandRunner: a non-zero exit becomes command-failed naming the subject.
import { OUTPUT_TAIL, requireExitZero, type RunOptions, type RunResult } from '../../exec/run';
import type { StorageContext } from '../plugin';

/** Run and require exit code 0; otherwise command-failed whose message starts with `subject` (the storage and volume). */
export const runStorageCommand = async <C>(
  ctx: StorageContext<C>,
  subject: string,
  command: string,
  args: readonly string[],
  options?: Omit<RunOptions, 'signal'>,
): Promise<RunResult> => {
  const result = await ctx.run(command, args, options);
  return requireExitZero(result, subject, command, {
    storage: ctx.storeid,
    command,
    args: [...args],
    exitCode: result.code,
    stderr: result.stderr.slice(-OUTPUT_TAIL),
  });
};
