// Test support for the plan tests (LVM and ZFS cannot run on the build machines): a CommandRunner that records
// every command and answers from captured output, plus a StorageContext around it. Never used by production code.
import { AppError } from '../../api/errors';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../exec/run';
import type { CommandRunner, StorageContext } from '../plugin';

export interface RecordedCommand {
  command: string;
  args: string[];
}

/** Answer a command: return a (partial) result, or undefined for "exit 0, no output" (every mutation). */
export type Responder = (command: string, args: readonly string[]) => Partial<RunResult> | undefined;

export interface PlanRunner {
  run: CommandRunner;
  calls: RecordedCommand[];
  /** The calls as "command arg arg…" lines, for compact expectations. */
  lines(): string[];
}

export const planRunner = (respond: Responder = () => undefined): PlanRunner => {
  const calls: RecordedCommand[] = [];
  // eslint-disable-next-line @typescript-eslint/require-await -- a CommandRunner is async
  const run: CommandRunner = async (command, args) => {
    calls.push({ command, args: [...args] });
    return { code: 0, stdout: '', stderr: '', ...respond(command, args) };
  };
  return { run, calls, lines: () => calls.map((call) => [call.command, ...call.args].join(' ')) };
};

export const planContext = <C>(
  storeid: string,
  config: C,
  run: CommandRunner,
  signal = new AbortController().signal,
): StorageContext<C> => ({
  storeid,
  config,
  root: '/',
  run,
  signal,
});

export const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');

/** The AppError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
};
