// The TaskContext a task body gets: every line it logs, every command it runs (`# cmd args…`) and that
// command's output go to the task log; warnings are counted for `WARNINGS: n`.
import { run, type RunOptions, type RunResult } from '../exec/run';
import type { TaskContext } from './task-context';

export interface ContextSink {
  readonly upid: string;
  readonly signal: AbortSignal;
  append(text: string): void;
  warned(): void;
  progress(fraction: number): void;
}

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A command as a reader would type it: arguments quoted only where a shell would need it. */
export const formatCommand = (command: string, args: readonly string[]): string =>
  [command, ...args].map((word) => (PLAIN.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');

/** Output chunks to whole lines; a stream that never ends a line is flushed every 64 KiB so memory stays bounded. */
class LineAssembler {
  private partial = '';

  constructor(private readonly emit: (text: string) => void) {}

  push(chunk: string): void {
    const text = this.partial + chunk;
    const nl = text.lastIndexOf('\n');
    if (nl === -1) {
      this.partial = text;
    } else {
      this.emit(text.slice(0, nl + 1));
      this.partial = text.slice(nl + 1);
    }
    if (this.partial.length > 64 * 1024) this.end();
  }

  end(): void {
    if (this.partial !== '') this.emit(this.partial);
    this.partial = '';
  }
}

export const loggedContext = (sink: ContextSink): TaskContext => ({
  upid: sink.upid,
  signal: sink.signal,
  log: (line) => sink.append(line),
  warn: (line) => {
    sink.warned();
    sink.append(`WARN: ${line}`);
  },
  progress: (fraction) => {
    if (Number.isFinite(fraction)) sink.progress(Math.min(1, Math.max(0, fraction)));
  },
  run: async (
    command: string,
    args: readonly string[],
    options: Omit<RunOptions, 'signal'> = {},
  ): Promise<RunResult> => {
    sink.append(`# ${formatCommand(command, args)}`);
    const streams = {
      stdout: new LineAssembler((text) => sink.append(text)),
      stderr: new LineAssembler((text) => sink.append(text)),
    };
    try {
      const result = await run(command, args, {
        ...options,
        signal: sink.signal,
        onOutput: (chunk, stream) => {
          streams[stream].push(chunk);
          options.onOutput?.(chunk, stream);
        },
      });
      streams.stdout.end();
      streams.stderr.end();
      if (result.code !== 0) sink.append(`${command}: exit code ${result.code}`);
      return result;
    } catch (error) {
      streams.stdout.end();
      streams.stderr.end();
      throw error;
    }
  },
});
