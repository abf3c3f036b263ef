// Running a storage tool through the context's CommandRunner: a non-zero exit becomes command-failed naming the subject.
import { AppError } from '../../api/errors';
import type { RunOptions, RunResult } from '../../exec/run';
import type { StorageContext } from '../plugin';

const TAIL = 2000;

/** Run and require exit code 0; otherwise command-failed whose message starts with `subject` (the storage and volume). */
export const runStorageCommand = async <C>(
  ctx: StorageContext<C>,
  subject: string,
  command: string,
  args: readonly string[],
  options?: Omit<RunOptions, 'signal'>,
): Promise<RunResult> => {
  const result = await ctx.run(command, args, options);
  if (result.code !== 0) {
    const output = result.stderr.trim().slice(-TAIL) || result.stdout.trim().slice(-TAIL);
    throw new AppError('command-failed', `${subject}: ${command} exited with code ${result.code}${output ? `: ${output}` : ''}`, {
      storage: ctx.storeid,
      command,
      args: [...args],
      exitCode: result.code,
      stderr: result.stderr.slice(-TAIL),
    });
  }
  return result;
};
