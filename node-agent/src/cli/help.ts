// Help text, generated from the tree: the doc line of every command, usage lines and flags.
import type { Command, CommandGroup, MethodCommand } from './command-tree';
import type { ParamSpec } from './param-spec';

export interface OptionDoc {
  names: string;
  doc: string;
}

export const GLOBAL_OPTIONS: readonly OptionDoc[] = [
  { names: '--output json|table, -o', doc: 'json for scripts; table (the default) for people' },
  { names: '--node NAME', doc: 'the node to ask (where the front end reaches several)' },
  { names: '--help, -h', doc: 'show help for the command or area' },
];

/** Options only some commands take. */
export const extraOptions = (command: MethodCommand): OptionDoc[] => [
  ...(command.task
    ? [{ names: '--wait', doc: 'follow the task log until the task ends; exit 1 unless it ends OK or WARNINGS' }]
    : []),
  ...(command.method === 'task.log'
    ? [{ names: '--follow, -f', doc: 'keep printing new lines until the task stops' }]
    : []),
];

export const paramDoc = (param: ParamSpec): string => {
  const parts = [param.description ?? param.hint];
  if (param.description) parts.push(param.hint);
  if (param.required) parts.push('required');
  if (param.defaultValue !== undefined) parts.push(`default ${JSON.stringify(param.defaultValue)}`);
  if (param.kind === 'list') parts.push('repeat the flag or separate with commas');
  return parts.join('; ');
};

export const paramNames = (param: ParamSpec, command: MethodCommand): string =>
  param === command.positional
    ? `${param.key.toUpperCase()}, --${param.flag} ${param.key.toUpperCase()}`
    : `--${param.flag}${param.kind === 'boolean' ? '' : ` ${param.hint.includes('|') ? param.hint : param.kind === 'list' ? 'VALUE,…' : param.kind.toUpperCase()}`}`;

export const usageLine = (command: Command, program: string): string => {
  const words = [program, ...command.path];
  if (command.kind !== 'method') return [...words, command.usage ?? ''].join(' ').trimEnd();
  for (const param of command.params) {
    if (param.key in command.presets) continue;
    const text =
      param === command.positional
        ? param.key.toUpperCase()
        : `--${param.flag}${param.kind === 'boolean' ? '' : ` <${param.hint}>`}`;
    words.push(param.required ? text : `[${text}]`);
  }
  for (const option of extraOptions(command)) words.push(`[${option.names.split(',')[0]!}]`);
  return words.join(' ');
};

const columns = (rows: readonly [string, string][], indent = '  '): string => {
  const width = Math.min(32, Math.max(0, ...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd()).join('\n');
};

const commandsUnder = (group: CommandGroup): Command[] => {
  const found: Command[] = [];
  const walk = (node: CommandGroup) => {
    if (node.command) found.push(node.command);
    for (const child of node.children.values()) walk(child);
  };
  walk(group);
  return found;
};

/** Help for the whole tree or one area. */
export const groupHelp = (group: CommandGroup, program: string): string => {
  const title =
    group.words.length === 0
      ? `${program} — manage a Hyperdesk node from the command line`
      : `${program} ${group.words.join(' ')}`;
  const rows = commandsUnder(group).map((command): [string, string] => [command.path.join(' '), command.doc]);
  return [
    title,
    '',
    `Usage: ${program} ${group.words.length === 0 ? '<command>' : `${group.words.join(' ')} <command>`} [arguments] [--output json|table]`,
    '',
    'Commands:',
    columns(rows),
    '',
    'Global options:',
    columns(GLOBAL_OPTIONS.map((option) => [option.names, option.doc])),
    '',
    `Run '${program} <command> --help' for the options of one command.`,
    '',
  ].join('\n');
};

export const commandHelp = (command: Command, program: string): string => {
  const lines = [`Usage: ${usageLine(command, program)}`, '', command.doc];
  if (command.kind === 'method') {
    const rows = command.params
      .filter((param) => !(param.key in command.presets))
      .map((param): [string, string] => [paramNames(param, command), paramDoc(param)]);
    const extra = extraOptions(command).map((option): [string, string] => [option.names, option.doc]);
    if (rows.length + extra.length > 0) lines.push('', 'Options:', columns([...rows, ...extra]));
    lines.push(
      '',
      `Method ${command.method}, privilege ${command.privilege}${command.task ? '; starts a task and prints its UPID' : ''}.`,
    );
  }
  lines.push('', 'Global options:', columns(GLOBAL_OPTIONS.map((option) => [option.names, option.doc])), '');
  return lines.join('\n');
};
