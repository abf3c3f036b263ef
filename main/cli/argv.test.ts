import { describe, expect, it } from 'vitest';
import { positionalNode, takeConfigDir } from './argv';

describe('takeConfigDir', () => {
  it('takes --config-dir anywhere before --, in both spellings, the last one winning', () => {
    expect(takeConfigDir(['--config-dir', '/a', 'node', 'list', '--config-dir=/b', '-o', 'json'])).toEqual({ configDir: '/b', rest: ['node', 'list', '-o', 'json'] });
    expect(takeConfigDir(['task', 'list', '--', '--config-dir', '/x'])).toEqual({ configDir: undefined, rest: ['task', 'list', '--', '--config-dir', '/x'] });
  });

  it('refuses --config-dir without a directory', () => {
    expect(() => takeConfigDir(['node', 'list', '--config-dir'])).toThrow(/needs a directory/);
    expect(() => takeConfigDir(['--config-dir=', 'node', 'list'])).toThrow(/needs a directory/);
  });
});

describe('positionalNode', () => {
  it('turns `node status NODE` into --node NODE, after global options too', () => {
    expect(positionalNode(['node', 'status', 'n1'])).toEqual(['node', 'status', '--node', 'n1']);
    expect(positionalNode(['-o', 'json', 'node', 'status', 'lab/n2', '--help'])).toEqual(['-o', 'json', 'node', 'status', '--node', 'lab/n2', '--help']);
  });

  it('leaves every other command line alone', () => {
    for (const argv of [['node', 'status'], ['node', 'status', '--node', 'n1'], ['node', 'list', 'n1'], ['task', 'status', 'n1'], ['--bogus', 'node', 'status', 'n1'], ['-o']]) {
      expect(positionalNode(argv)).toEqual(argv);
    }
  });
});
