// hdctl: the same command tree on a node (over the agent socket) and on the workstation (over SSH).
// The front end supplies a backend that calls methods; everything else is generated from the contract.
import { AppError, type MethodName, type Params, type Result } from '../api';
import type { TaskLogLine } from '../api/task';
import { AGENT_VERSION } from '../version';
import { bashCompletion } from './completion';
import { CommandTree, type BuiltinCommand, type CliCommand, type CliIo, type MethodCommand } from './command-tree';
import { ctEnterCommand, type EnterCt } from './ct-enter';
import { ctPullCommand, ctPushCommand, type TargetedCall } from './ct-transfer';
import { followTask, taskSucceeded, type CallFn } from './follow-task';
import { formatResult } from './format-output';
import { commandHelp, groupHelp } from './help';
import { manPage } from './man-page';
import { defaultGlobals, parseMethodArgs, takeGlobal, UsageError, type GlobalOptions } from './parse-args';

export type { CliCommand, CliIo } from './command-tree';
export type { EnterCt } from './ct-enter';

export interface CliBackend {
  call<M extends MethodName>(method: M, params: Params<M>, target?: { node?: string }): Promise<Result<M>>;
  /** Extra commands a front end adds (the workstation adds `node list`). */
  extraCommands?: CliCommand[];
  /** A root shell in a container on this process's terminal (`ct enter`); without it, `ct enter` says it cannot. */
  enterCt?: EnterCt;
}

/** Commands written by hand over the contract's methods: every front end has them (`ct push` replaces the raw method). */
const handWritten = (backend: CliBackend): CliCommand[] => {
  const call: TargetedCall = (method, params, target) => backend.call(method, params, target);
  return [ctPushCommand(call), ctPullCommand(call), ctEnterCommand(call, backend.enterCt)];
};

export interface RunCliOptions {
  /** The name in usage lines, completion and the man page. */
  program?: string;
  /** How often `--follow`/`--wait` ask for new log lines. */
  pollMs?: number;
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

const runBuiltin = (
  command: BuiltinCommand,
  tree: CommandTree,
  args: readonly string[],
  io: CliIo,
  program: string,
): number => {
  switch (command.name) {
    case 'help': {
      const words = args.filter((arg) => !arg.startsWith('-'));
      const { group, used } = tree.walk(words);
      if (used < words.length) throw new UsageError(`no command '${words.join(' ')}'`);
      io.out(
        group.command && group.children.size === 0 ? commandHelp(group.command, program) : groupHelp(group, program),
      );
      return 0;
    }
    case 'completion': {
      if (args[0] !== 'bash' || args.length > 1)
        throw new UsageError(`'${program} completion' supports bash: ${program} completion bash`, command.path);
      io.out(bashCompletion(tree, program));
      return 0;
    }
    case 'man':
      if (args.length > 0) throw new UsageError(`'${program} man' takes no arguments`, command.path);
      io.out(manPage(tree, { program, version: AGENT_VERSION }));
      return 0;
  }
};

const printLine = (globals: GlobalOptions, io: CliIo) => (line: TaskLogLine) =>
  io.out(globals.output === 'json' ? `${JSON.stringify(line)}\n` : `${line.t}\n`);

/** Progress goes to stderr so stdout stays the log itself. */
const printProgress = (io: CliIo) => (fraction: number) => io.err(`progress: ${Math.round(fraction * 100)}%\n`);

const runMethod = async (
  command: MethodCommand,
  args: readonly string[],
  backend: CliBackend,
  io: CliIo,
  globals: GlobalOptions,
  pollMs: number,
): Promise<number> => {
  const params = parseMethodArgs(command, args, globals);
  const target = globals.node === undefined ? undefined : { node: globals.node };
  const call: CallFn = (method, methodParams) => backend.call(method, methodParams, target);

  if (command.method === 'task.log' && globals.follow) {
    const { upid, start } = params as { upid: string; start?: number };
    const final = await followTask(call, upid, { start: start ?? 0, pollMs, onLine: printLine(globals, io), onProgress: printProgress(io) });
    return taskSucceeded(final) ? 0 : 1;
  }
  const result: unknown = await backend.call(command.method, params, target);
  if (command.task && globals.wait) {
    const { upid } = result as { upid: string };
    if (globals.output === 'table') io.err(`${upid}\n`);
    const final = await followTask(call, upid, {
      pollMs,
      ...(globals.output === 'table' ? { onLine: printLine(globals, io), onProgress: printProgress(io) } : {}),
    });
    if (globals.output === 'json') io.out(formatResult(final, 'json'));
    return taskSucceeded(final) ? 0 : 1;
  }
  if (command.method === 'task.log' && globals.output === 'table') {
    for (const line of (result as Result<'task.log'>).lines) io.out(`${line.t}\n`);
    return 0;
  }
  io.out(formatResult(result, globals.output));
  return 0;
};

const printError = (error: unknown, io: CliIo, program: string): number => {
  if (error instanceof UsageError) {
    io.err(`error (invalid-params): ${error.message}\n`);
    io.err(`Run '${[program, ...error.words, '--help'].join(' ')}' for usage.\n`);
    return 2;
  }
  const appError = AppError.from(error);
  io.err(`error (${appError.code}): ${appError.message}\n`);
  const issues = appError.details?.issues;
  if (Array.isArray(issues)) {
    for (const issue of issues as { path?: string; message?: string }[])
      io.err(`  ${issue.path || 'params'}: ${issue.message ?? ''}\n`);
  }
  return 1;
};

/** Run one hdctl command line (argv without the program name); resolves with the exit code. */
export const runCli = async (
  argv: readonly string[],
  backend: CliBackend,
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> => {
  const program = options.program ?? 'hdctl';
  const tree = new CommandTree([...handWritten(backend), ...(backend.extraCommands ?? [])]);
  const globals = defaultGlobals();
  try {
    let i = 0;
    while (i < argv.length && argv[i]!.startsWith('-')) {
      const used = takeGlobal(argv, i, globals);
      if (used === 0) throw new UsageError(`unknown option ${argv[i]!} before the command`);
      i += used;
    }
    const prefix = argv.slice(0, i);
    const words = argv.slice(i);
    const { group, used } = tree.walk(words);
    const rest = words.slice(used);
    const command = group.command;
    if (!command || (group.children.size > 0 && rest.length > 0 && !rest[0]!.startsWith('-'))) {
      if (globals.help || wantsHelp(rest)) {
        io.out(groupHelp(group, program));
        return 0;
      }
      if (rest.length === 0) {
        io.err(groupHelp(group, program));
        return 2;
      }
      const has =
        group.children.size > 0
          ? ` — '${[program, ...group.words].join(' ')}' has: ${[...group.children.keys()].join(', ')}`
          : '';
      throw new UsageError(`unknown command '${[...group.words, rest[0]!].join(' ')}'${has}`, group.words);
    }
    if (globals.help || (!(command.kind === 'builtin' && command.name === 'help') && wantsHelp(rest))) {
      io.out(commandHelp(command, program));
      return 0;
    }
    switch (command.kind) {
      case 'builtin':
        return runBuiltin(command, tree, rest, io, program);
      case 'extra':
        return await command.run([...prefix, ...rest], io);
      case 'method':
        return await runMethod(command, rest, backend, io, globals, options.pollMs ?? 500);
    }
  } catch (error) {
    return printError(error, io, program);
  }
};
