import { describe, expect, it } from 'vitest';
import { defaultConfigDir } from '../cli/config-dir';
import { parseHostArgs } from './host-args';

describe('parseHostArgs', () => {
  it('defaults to the config dir the CLI and the app use, and a free port', () => {
    expect(parseHostArgs([], {})).toEqual({ configDir: defaultConfigDir({}), port: 0 });
    expect(parseHostArgs([], { XDG_CONFIG_HOME: '/tmp/xdg' }).configDir).toBe(defaultConfigDir({ XDG_CONFIG_HOME: '/tmp/xdg' }));
  });

  it('takes HYPERDESK_CONFIG_DIR, and --config-dir over it', () => {
    expect(parseHostArgs([], { HYPERDESK_CONFIG_DIR: '/tmp/a' }).configDir).toBe('/tmp/a');
    expect(parseHostArgs(['--config-dir', '/tmp/b'], { HYPERDESK_CONFIG_DIR: '/tmp/a' }).configDir).toBe('/tmp/b');
    expect(parseHostArgs(['--config-dir=/tmp/c'], {}).configDir).toBe('/tmp/c');
  });

  it('parses the port and the optional paths', () => {
    expect(parseHostArgs(['--port', '8123', '--renderer-dir', 'r', '--agent-bundle=a.js'], {})).toMatchObject({ port: 8123, rendererDir: 'r', agentBundle: 'a.js' });
  });

  it.each([['--port', 'x'], ['--port', '70000'], ['--port', '-1'], ['--port'], ['--config-dir'], ['--bogus']])('refuses %s %s', (...argv) => {
    expect(() => parseHostArgs(argv, {})).toThrow(expect.objectContaining({ code: 'invalid-params' }));
  });
});
