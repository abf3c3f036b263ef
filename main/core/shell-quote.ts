// An SSH exec request is always one string that the node's login shell parses, so arguments must be quoted.
// Single quotes make every byte literal in POSIX sh; a single quote itself is closed, escaped and reopened.
// Every word is quoted, even plain ones: `A=b` unquoted as a first word would be an assignment.

/** Quote one argument for a POSIX shell. Refuses NUL, which no command line can carry. */
export const shellQuoteArg = (arg: string): string => {
  if (arg.includes('\0')) throw new TypeError('a shell argument cannot contain a NUL byte');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
};

/** A command line whose words, as sh splits them, are exactly `args`. */
export const shellQuote = (args: readonly string[]): string => args.map(shellQuoteArg).join(' ');
