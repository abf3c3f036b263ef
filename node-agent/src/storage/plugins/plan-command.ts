// Running a storage tool through the context's CommandRunner, so that a failure names the storage and the
// volume it was for (the runner alone only knows the command), and streaming a block device in or out.
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, isAppError } from '../../api/errors';
import type { RunOptions, RunResult } from '../../exec/run';
import type { StorageContext } from '../plugin';

const TAIL = 2000;

type Ctx = Pick<StorageContext<unknown>, 'storeid' | 'run'>;

const subject = (ctx: Ctx, volume: string | undefined): string =>
  volume === undefined ? `storage '${ctx.storeid}'` : `volume '${volume}' on storage '${ctx.storeid}'`;

/** Run and return the result whatever the exit code (for reports whose failure the caller interprets). */
export const runTool = async (
  ctx: Ctx,
  volume: string | undefined,
  command: string,
  args: readonly string[],
  options?: Omit<RunOptions, 'signal'>,
): Promise<RunResult> => {
  try {
    return await ctx.run(command, args, options);
  } catch (error) {
    // A runner that checks exit codes itself throws command-failed: say which storage and volume it was for.
    if (isAppError(error, 'command-failed')) {
      throw new AppError('command-failed', `${subject(ctx, volume)}: ${error.message}`, {
        ...error.details,
        storage: ctx.storeid,
        volume,
      });
    }
    throw error;
  }
};

export const commandFailed = (
  ctx: Ctx,
  volume: string | undefined,
  command: string,
  args: readonly string[],
  result: RunResult,
): AppError => {
  const output = result.stderr.trim().slice(-TAIL) || result.stdout.trim().slice(-TAIL);
  return new AppError(
    'command-failed',
    `${subject(ctx, volume)}: ${command} ${args.join(' ')} exited with code ${result.code}${output ? `: ${output}` : ''}`,
    {
      storage: ctx.storeid,
      ...(volume === undefined ? {} : { volume }),
      command,
      args: [...args],
      exitCode: result.code,
      stderr: result.stderr.slice(-TAIL),
    },
  );
};

/** Run and require exit code 0; otherwise command-failed naming the storage and volume. */
export const runChecked = async (
  ctx: Ctx,
  volume: string | undefined,
  command: string,
  args: readonly string[],
  options?: Omit<RunOptions, 'signal'>,
): Promise<RunResult> => {
  const result = await runTool(ctx, volume, command, args, options);
  if (result.code !== 0) throw commandFailed(ctx, volume, command, args, result);
  return result;
};

const deviceError = (ctx: Ctx, volume: string, device: string, error: unknown): AppError => {
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new AppError(
      'not-found',
      `${subject(ctx, volume)}: device ${device} does not exist (is the volume active?)`,
    );
  if (code === 'ABORT_ERR') return new AppError('cancelled', `${subject(ctx, volume)}: the copy was cancelled`);
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('command-failed', `${subject(ctx, volume)}: copying ${device} failed: ${message}`, {
    storage: ctx.storeid,
    volume,
    device,
  });
};

/** Read a block device (or any file) out as raw data. */
export const streamDeviceOut = async (
  ctx: Ctx & { signal: AbortSignal },
  volume: string,
  device: string,
  out: Writable,
): Promise<void> => {
  try {
    await pipeline(createReadStream(device), out, { signal: ctx.signal });
  } catch (error) {
    throw deviceError(ctx, volume, device, error);
  }
};

/** Write raw data into an existing block device: 'r+' so a missing device node is an error, never a new file in /dev. */
export const streamDeviceIn = async (
  ctx: Ctx & { signal: AbortSignal },
  volume: string,
  device: string,
  input: Readable,
): Promise<void> => {
  try {
    await pipeline(input, createWriteStream(device, { flags: 'r+' }), { signal: ctx.signal });
  } catch (error) {
    throw deviceError(ctx, volume, device, error);
  }
};
