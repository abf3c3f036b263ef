import { describe, expect, it } from 'vitest';
import { methodNames } from '../api';
import { run } from '../exec/run';
import { CommandTree } from './command-tree';
import { bashCompletion } from './completion';
import { manPage, roff } from './man-page';

const tree = new CommandTree([
  { path: ['node', 'list'], doc: 'The nodes this workstation knows.', run: () => Promise.resolve(0) },
]);
const script = bashCompletion(tree);

/** What bash's completion offers after typing `words` (the last one is being completed). */
const complete = async (...words: string[]): Promise<string[]> => {
  const array = ['hdctl', ...words].map((word) => `'${word}'`).join(' ');
  const program = `${script}\nCOMP_WORDS=(${array}); COMP_CWORD=${words.length}; _hdctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = await run('bash', ['--norc', '--noprofile', '-c', program]);
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter((line) => line !== '');
};

describe('bash completion', () => {
  it('is valid bash and mentions every command and flag', async () => {
    const syntax = await run('bash', ['-n'], { input: script });
    expect(syntax.code).toBe(0);
    for (const command of tree.commands()) expect(script).toContain(`'${command.path.join(' ')}')`);
    for (const flag of ['--timeframe', '--cf', '--limit', '--source', '--follow', '--wait', '--output'])
      expect(script).toContain(flag);
  });

  it('completes areas, verbs, flags and enum values in a real bash', async () => {
    expect(await complete('')).toEqual(['hello', 'node', 'task', 'storage', 'vm', 'ct', 'help', 'completion', 'man']);
    expect(await complete('task', 'l')).toEqual(['list', 'log']);
    expect(await complete('node', '')).toEqual(['status', 'metrics', 'check', 'list']);
    expect(await complete('node', 'metrics', '--timeframe', '')).toEqual(['hour', 'day', 'week', 'month']);
    expect(await complete('task', 'log', 'UPID:n1:00000001:00000001:00000001:t::root@pam:', '--f')).toEqual([
      '--follow',
    ]);
    expect(await complete('task', 'list', '--limit', '')).toEqual([]);
    expect(await complete('--output', '')).toEqual(['json', 'table']);
    expect(await complete('completion', '')).toEqual(['bash']);
  });
});

describe('man page', () => {
  const page = manPage(tree, { version: '1.2.3' });

  it('documents every method and every command', () => {
    expect(page).toMatch(/^\.TH HDCTL 1 "" "Hyperdesk 1\.2\.3"/m);
    for (const method of methodNames) expect(page).toContain(roff(method));
    for (const command of tree.commands()) expect(page).toContain(`.SS "${roff(command.path.join(' '))}"`);
    expect(page).toContain(roff('--timeframe'));
  });

  it('renders cleanly with groff', async () => {
    const result = await run('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: page });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const text = await run('groff', ['-man', '-Tascii', '-P-cbou'], { input: page });
    expect(text.stdout).toContain('task log');
  });

  it('escapes roff control characters in text', () => {
    expect(roff('.start')).toBe('\\&.start');
    expect(roff('a\\b-c')).toBe('a\\eb\\-c');
  });
});
