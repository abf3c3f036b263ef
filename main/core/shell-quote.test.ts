import { describe, expect, it } from 'vitest';
import { runChecked } from '../../node-agent/src/exec/run';
import { shellQuote, shellQuoteArg } from './shell-quote';

const hostile = [
  '',
  ' ',
  "it's",
  "'",
  "''",
  '"; rm -rf / #',
  '$(touch /tmp/hd-pwned)',
  '`id`',
  '${HOME}',
  'a\nb',
  '\\',
  'tab\there',
  '*',
  '~',
  '-n',
  'A=b',
  '!history',
  '\u00e9\u4e2d\u{1F600}',
  'a\'b\'c"d"e\\f$g`h`',
];

describe('shellQuote', () => {
  it('quotes every word, plain ones too', () => {
    expect(shellQuote(['/usr/bin/node', '/a b/x.js', 'install'])).toBe("'/usr/bin/node' '/a b/x.js' 'install'");
    expect(shellQuoteArg("it's")).toBe("'it'\\''s'");
  });

  it.each(['sh', 'bash'])('hands exactly the original words to a real %s, whatever they contain', async (shell) => {
    // printf '%s\0' prints each word the shell received, NUL-terminated, so any byte in a word survives the trip.
    const script = `printf '%s\\0' ${shellQuote(hostile)}`;
    const { stdout } = await runChecked(shell, ['-c', script]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(hostile);
  });

  it('makes a would-be assignment an ordinary first word', async () => {
    const { stdout } = await runChecked('sh', ['-c', `${shellQuote(['A=b'])} 2>&1 || true`]);
    expect(stdout).toMatch(/not found/);
  });

  it('refuses a NUL byte', () => {
    expect(() => shellQuote(['a\0b'])).toThrow(/NUL/);
  });
});
