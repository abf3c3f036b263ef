// `hdctl completion bash`: a bash completion script generated from the command tree: command words,
// each command's flags, and the values of enum flags.
import type { Command, CommandTree } from './command-tree';
import { extraOptions } from './help';

/** Single-quoted for bash; contract words never hold a quote, but be safe. */
const q = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

const GLOBAL_FLAGS = ['--output', '--node', '--help'];

const flagsOf = (command: Command): string[] => {
  if (command.kind !== 'method') return [];
  const flags = command.params.filter((param) => !(param.key in command.presets)).map((param) => `--${param.flag}`);
  for (const option of extraOptions(command)) flags.push(option.names.split(',')[0]!);
  return flags;
};

/** Flags whose next word is a value: enum values are offered, anything else gets no completion. */
const valueFlags = (command: Command): { flag: string; values?: readonly string[] }[] =>
  command.kind !== 'method'
    ? []
    : command.params
        .filter((param) => param.kind !== 'boolean' && !(param.key in command.presets))
        .map((param) => ({ flag: `--${param.flag}`, ...(param.values ? { values: param.values } : {}) }));

export const bashCompletion = (tree: CommandTree, program = 'hdctl'): string => {
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const paths = [
    ...tree.groups().map((group) => group.words.join(' ')),
    ...tree.commands().map((command) => command.path.join(' ')),
  ].filter((path, i, all) => path !== '' && all.indexOf(path) === i);
  const cases: string[] = [];
  for (const group of tree.groups()) {
    cases.push(
      `    ${q(group.words.join(' '))})\n      COMPREPLY=($(compgen -W ${q([...group.children.keys()].join(' '))} -- "$cur")) ;;`,
    );
  }
  for (const command of tree.commands()) {
    const key = command.path.join(' ');
    if (tree.walk(command.path).group.children.size > 0) continue; // a group that is also a command: words win
    const values = valueFlags(command);
    const byFlag = values.map(
      ({ flag, values: allowed }) =>
        `        ${flag}) ${allowed ? `COMPREPLY=($(compgen -W ${q(allowed.join(' '))} -- "$cur")); ` : ''}return 0 ;;`,
    );
    const words =
      command.kind === 'builtin' && command.name === 'completion' ? ['bash'] : [...flagsOf(command), ...GLOBAL_FLAGS];
    cases.push(
      [
        `    ${q(key)})`,
        ...(byFlag.length > 0 ? ['      case "$prev" in', ...byFlag, '      esac'] : []),
        `      COMPREPLY=($(compgen -W ${q(words.join(' '))} -- "$cur")) ;;`,
      ].join('\n'),
    );
  }
  return [
    `# bash completion for ${program}, generated from the Hyperdesk agent contract.`,
    `# Use: source <(${program} completion bash), or save it as /etc/bash_completion.d/${program}.`,
    `${fn}() {`,
    '  local cur prev path word i',
    '  COMPREPLY=()',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev=""',
    '  [ "$COMP_CWORD" -gt 0 ] && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  path=""',
    '  # The command is the known words typed so far; flags, their values and the UPID do not change it.',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word="${COMP_WORDS[i]}"',
    '    case "${path:+$path }$word" in',
    `      ${paths.map(q).join('|')}) path="\${path:+$path }$word" ;;`,
    '    esac',
    '  done',
    '  case "$prev" in',
    `    --output|-o) COMPREPLY=($(compgen -W 'json table' -- "$cur")); return 0 ;;`,
    '    --node) return 0 ;;',
    '  esac',
    '  case "$path" in',
    ...cases,
    '  esac',
    '  return 0',
    '}',
    `complete -F ${fn} ${program}`,
    '',
  ].join('\n');
};
