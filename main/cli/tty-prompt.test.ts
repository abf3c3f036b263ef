import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askOnTerminal } from './tty-prompt';

const terminal = () => {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  return { input, output, shown: () => shown };
};

describe('askOnTerminal', () => {
  it('asks each prompt in turn and does not echo hidden answers', async () => {
    const t = terminal();
    const answers = askOnTerminal(
      { promptId: 'p', node: 'lab/n1', name: 'Login', instructions: 'Two steps', prompts: [{ prompt: 'User: ', echo: true }, { prompt: 'Password: ', echo: false }] },
      t,
    );
    t.input.write('root\r');
    t.input.write('s3cret\r');
    await expect(answers).resolves.toEqual(['root', 's3cret']);
    expect(t.shown()).toContain('lab/n1: Login');
    expect(t.shown()).toContain('Password: ');
    expect(t.shown()).toContain('root');
    expect(t.shown()).not.toContain('s3cret');
  });

  it('answers null when input ends', async () => {
    const t = terminal();
    const answers = askOnTerminal({ promptId: 'p', node: 'lab/n1', name: '', instructions: '', prompts: [{ prompt: 'Password: ', echo: false }] }, t);
    t.input.end();
    await expect(answers).resolves.toBeNull();
  });
});
