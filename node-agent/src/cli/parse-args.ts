// Command-line words to validated params: flags from the schema, one optional positional, global options.
// Anything wrong is a UsageError (exit 2) that names the flag and says what it wants.
import { methods } from '../api';
import type { MethodCommand } from './command-tree';
import { coerce, type ParamSpec } from './param-spec';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command words the error is about, for the `--help` hint. */
    readonly words: readonly string[] = [],
  ) {
    super(message);
  }
}

export type OutputFormat = 'json' | 'table';

export interface GlobalOptions {
  output: OutputFormat;
  node?: string;
  help: boolean;
  /** Task methods: follow the task to its end. */
  wait: boolean;
  /** task log: keep printing until the task stops. */
  follow: boolean;
}

export const defaultGlobals = (): GlobalOptions => ({ output: 'table', help: false, wait: false, follow: false });

const OUTPUTS: readonly OutputFormat[] = ['json', 'table'];

/**
 * Try a global option at argv[i]; returns how many words it used (0: not a global option).
 * `--wait`/`--follow` are only globals where the command allows them.
 */
export const takeGlobal = (
  argv: readonly string[],
  i: number,
  globals: GlobalOptions,
  allow: { wait?: boolean; follow?: boolean } = {},
): number => {
  const word = argv[i]!;
  const [name, inline] =
    word.startsWith('--') && word.includes('=')
      ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
      : [word, undefined];
  const value = (): [string, number] => {
    if (inline !== undefined) return [inline, 1];
    const next = argv[i + 1];
    if (next === undefined) throw new UsageError(`${name} needs a value`);
    return [next, 2];
  };
  switch (name) {
    case '--output':
    case '-o': {
      const [text, used] = value();
      if (!OUTPUTS.includes(text as OutputFormat))
        throw new UsageError(`--output wants json or table, not ${JSON.stringify(text)}`);
      globals.output = text as OutputFormat;
      return used;
    }
    case '--node': {
      const [text, used] = value();
      globals.node = text;
      return used;
    }
    case '--help':
    case '-h':
      globals.help = true;
      return 1;
    case '--wait':
      if (!allow.wait) return 0;
      globals.wait = true;
      return 1;
    case '--follow':
    case '-f':
      if (!allow.follow) return 0;
      globals.follow = true;
      return 1;
    default:
      return 0;
  }
};

const flagList = (command: MethodCommand) => command.params.map((param) => `--${param.flag}`).join(', ') || 'none';

const convert = (command: MethodCommand, param: ParamSpec, text: string): unknown => {
  const kind = param.kind === 'list' ? (param.itemKind ?? 'string') : param.kind;
  if (kind === 'enum' && param.values && !param.values.includes(text)) {
    throw new UsageError(
      `--${param.flag} wants one of ${param.values.join(', ')}, not ${JSON.stringify(text)}`,
      command.path,
    );
  }
  const value = coerce(kind, text);
  if (value === undefined)
    throw new UsageError(
      `--${param.flag} wants ${kind === 'integer' ? 'an integer' : `a ${kind}`}, not ${JSON.stringify(text)}`,
      command.path,
    );
  return value;
};

/** Parse what follows the command words; validate the params against the contract. */
export const parseMethodArgs = (
  command: MethodCommand,
  argv: readonly string[],
  globals: GlobalOptions,
): Record<string, unknown> => {
  const given: Record<string, unknown> = {};
  const allow = { wait: command.task, follow: command.method === 'task.log' };
  let onlyWords = false;
  for (let i = 0; i < argv.length;) {
    const word = argv[i]!;
    if (!onlyWords && word === '--') {
      onlyWords = true;
      i += 1;
      continue;
    }
    if (!onlyWords && word.startsWith('-') && word !== '-') {
      const used = takeGlobal(argv, i, globals, allow);
      if (used > 0) {
        i += used;
        continue;
      }
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      const negated = name.startsWith('no-')
        ? command.params.find((param) => param.flag === name.slice(3) && param.kind === 'boolean')
        : undefined;
      const param = negated ?? command.params.find((candidate) => candidate.flag === name);
      if (!word.startsWith('--') || !param) {
        throw new UsageError(
          `unknown option ${word} for '${command.path.join(' ')}' (its flags: ${flagList(command)})`,
          command.path,
        );
      }
      let text: string;
      if (negated) {
        text = 'false';
        i += 1;
      } else if (eq !== -1) {
        text = word.slice(eq + 1);
        i += 1;
      } else if (param.kind === 'boolean') {
        text = 'true';
        i += 1;
      } else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`--${param.flag} needs a value (${param.hint})`, command.path);
        text = next;
        i += 2;
      }
      if (param.kind === 'list') {
        const items = text
          .split(',')
          .filter((item) => item !== '')
          .map((item) => convert(command, param, item));
        given[param.key] = [...((given[param.key] as unknown[] | undefined) ?? []), ...items];
      } else {
        if (param.key in given) throw new UsageError(`--${param.flag} is given twice`, command.path);
        given[param.key] = convert(command, param, text);
      }
      continue;
    }
    const positional = command.positional;
    if (!positional || positional.key in given) {
      throw new UsageError(`unexpected argument ${JSON.stringify(word)} for '${command.path.join(' ')}'`, command.path);
    }
    given[positional.key] = convert(command, positional, word);
    i += 1;
  }
  const params = { ...command.presets, ...given };
  const missing = command.params.filter((param) => param.required && !(param.key in params));
  if (missing.length > 0) {
    const names = missing.map((param) =>
      param === command.positional ? `${param.key.toUpperCase()} (or --${param.flag})` : `--${param.flag}`,
    );
    throw new UsageError(`'${command.path.join(' ')}' needs ${names.join(' and ')}`, command.path);
  }
  const parsed = methods[command.method].params.safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0];
      const param = command.params.find((candidate) => candidate.key === key);
      const where = param
        ? param === command.positional
          ? param.key.toUpperCase()
          : `--${param.flag}`
        : issue.path.join('.') || 'parameters';
      return `${where}: ${issue.message}`;
    });
    throw new UsageError(problems.join('; '), command.path);
  }
  return params;
};
