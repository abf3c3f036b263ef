// Test support: a real CommandRunner over exec/run that also records every command, so plugin tests can both
// check the real result on disk and assert the exact argument arrays they ran.
import { run } from '../../exec/run';
import type { CommandRunner, StorageContext } from '../plugin';

export interface RecordedCommand {
  command: string;
  args: string[];
  code: number;
}

export interface RecordingRunner {
  run: CommandRunner;
  commands: RecordedCommand[];
  /** The recorded argument arrays of one command (e.g. every qemu-img call), oldest first. */
  argsOf(command: string): string[][];
  clear(): void;
}

export const recordingRunner = (signal?: AbortSignal): RecordingRunner => {
  const commands: RecordedCommand[] = [];
  return {
    commands,
    run: async (command, args, options = {}) => {
      const result = await run(command, args, { ...options, ...(signal === undefined ? {} : { signal }) });
      commands.push({ command, args: [...args], code: result.code });
      return result;
    },
    argsOf: (command) => commands.filter((entry) => entry.command === command).map((entry) => entry.args),
    clear: () => {
      commands.length = 0;
    },
  };
};

/** A plugin context for one storage in tests. */
export const testContext = <Config>(storeid: string, config: Config, root: string, runner: RecordingRunner): StorageContext<Config> => ({
  storeid,
  config,
  root,
  run: runner.run,
  signal: new AbortController().signal,
});
