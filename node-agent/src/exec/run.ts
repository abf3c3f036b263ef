// The one place the agent starts processes: an argument array, a timeout and a signal; never a shell string.
import { spawn } from 'node:child_process';
import { AppError } from '../api/errors';

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each chunk of stdout/stderr as it arrives (task logs). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How much of a failed command's output an error carries (characters from the end). */
export const OUTPUT_TAIL = 2000;

/** Run a command; resolves with its exit code and output whatever the code. Rejects only if it could not run. */
export const run = (command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const { timeoutMs = 60_000, signal, input, env, cwd, onOutput } = options;
    if (signal?.aborted) return reject(new AppError('cancelled', `${command} was cancelled before it started`));
    const child = spawn(command, [...args], { env: env ?? process.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedFor: AppError | undefined;
    const kill = (reason: AppError) => {
      killedFor = reason;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(() => kill(new AppError('timeout', `${command} did not finish within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => kill(new AppError('cancelled', `${command} was cancelled`));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onOutput?.(chunk, 'stdout');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      onOutput?.(chunk, 'stderr');
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? new AppError('not-found', `command ${command} is not installed`, { command })
          : new AppError('command-failed', `${command} could not start: ${error.message}`, { command }),
      );
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (killedFor) return reject(killedFor);
      resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });

/** The end of what a command said: its stderr, or its stdout when stderr is empty. */
export const outputTail = (result: RunResult): string =>
  result.stderr.trim().slice(-OUTPUT_TAIL) || result.stdout.trim().slice(-OUTPUT_TAIL);

/**
 * A finished run that must have exited 0; otherwise command-failed `subject: command exited with code N: output
 * tail` carrying `details` (the callers' runners log and cancel; this only judges the result).
 */
export const requireExitZero = (
  result: RunResult,
  subject: string,
  command: string,
  details: Record<string, unknown>,
): RunResult => {
  if (result.code === 0) return result;
  const output = outputTail(result);
  throw new AppError(
    'command-failed',
    `${subject}: ${command} exited with code ${result.code}${output ? `: ${output}` : ''}`,
    details,
  );
};

/** Run and require exit code 0; otherwise a command-failed error with the exit code and stderr tail. */
export const runChecked = async (command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> => {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new AppError('command-failed', `${command} exited with code ${result.code}: ${outputTail(result)}`, {
      command,
      args: [...args],
      exitCode: result.code,
      stderr: result.stderr.slice(-OUTPUT_TAIL),
    });
  }
  return result;
};
