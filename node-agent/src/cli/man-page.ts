// `hdctl man`: the manual page in roff, generated from the command tree (man(7) macros).
import { methods } from '../api';
import { SESSION_ONLY_METHODS, type CommandTree } from './command-tree';
import { extraOptions, GLOBAL_OPTIONS, paramDoc, paramNames, usageLine } from './help';

/**
 * Text safe in roff: backslashes escaped, hyphens as \-, non-ASCII as \[uXXXX] (troff reads bytes, not UTF-8),
 * no line starting with a control character.
 */
export const roff = (text: string): string => {
  const escaped = text
    .replaceAll('\\', '\\e')
    .replaceAll('-', '\\-')
    .replace(
      /[\u0080-\u{10ffff}]/gu,
      (char) => `\\[u${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`,
    );
  return escaped.replace(/^([.'])/gm, '\\&$1');
};

export const manPage = (
  tree: CommandTree,
  options: { program?: string; version?: string; date?: string } = {},
): string => {
  const program = options.program ?? 'hdctl';
  const upper = program.toUpperCase();
  const lines: string[] = [
    `.\\" Generated from the Hyperdesk agent contract; do not edit.`,
    `.TH ${upper} 1 "${options.date ?? ''}" "Hyperdesk ${options.version ?? ''}" "Hyperdesk manual"`,
    '.SH NAME',
    `${roff(program)} \\- manage a Hyperdesk node or cluster from the command line`,
    '.SH SYNOPSIS',
    `.B ${roff(program)}`,
    '.I command',
    '.RI [ arguments ]',
    '.RB [ \\-\\-output',
    '.IR json | table ]',
    '.RB [ \\-\\-node',
    '.IR name ]',
    '.SH DESCRIPTION',
    `${roff(program)} calls the Hyperdesk agent. Its commands are the agent's API methods: the method`,
    '.B area.verb',
    'is the command',
    '.BR "area verb" .',
    'Parameters are options named after them; the first required text parameter (such as a UPID) may be',
    'given as a bare word. Long operations start a task and print its UPID.',
    '.SH OPTIONS',
  ];
  for (const option of GLOBAL_OPTIONS) lines.push('.TP', `.B ${roff(option.names)}`, roff(option.doc));
  lines.push('.SH COMMANDS');
  for (const command of tree.commands()) {
    lines.push(`.SS "${roff(command.path.join(' '))}"`);
    lines.push('.nf', roff(usageLine(command, program)), '.fi', '.PP', roff(command.doc));
    if (command.kind !== 'method') continue;
    lines.push(
      '.PP',
      `Method \\fB${roff(command.method)}\\fR, privilege ${command.privilege}${command.task ? '; starts a task' : ''}.`,
    );
    for (const param of command.params) {
      if (param.key in command.presets) continue;
      lines.push('.TP', `.B ${roff(paramNames(param, command))}`, roff(paramDoc(param)));
    }
    for (const option of extraOptions(command)) lines.push('.TP', `.B ${roff(option.names)}`, roff(option.doc));
  }
  lines.push(
    '.SH "SESSION METHODS"',
    'These methods only mean something inside a long\\-lived connection and are not commands:',
  );
  for (const method of SESSION_ONLY_METHODS) lines.push('.TP', `.B ${roff(method)}`, roff(methods[method].doc));
  lines.push(
    '.SH "EXIT STATUS"',
    '.TP',
    '.B 0',
    'Success.',
    '.TP',
    '.B 1',
    'The agent answered with an error, printed as \\fBerror (\\fIcode\\fB): \\fImessage\\fR; or a followed task did not end OK or WARNINGS.',
    '.TP',
    '.B 2',
    'The command line is wrong (unknown command or option, a value of the wrong kind).',
    '.SH "SEE ALSO"',
    '.BR hyperdesk\\-agent (8)',
    '',
  );
  return lines.join('\n');
};
