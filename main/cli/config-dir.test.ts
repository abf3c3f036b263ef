import { describe, expect, it } from 'vitest';
import { defaultConfigDir, resolveConfigDir } from './config-dir';
import { bundleCandidates, findAgentBundle } from './agent-bundle-path';

describe('config dir', () => {
  it("is Electron's userData folder for Hyperdesk on each platform", () => {
    expect(defaultConfigDir({}, 'linux', '/home/ada')).toBe('/home/ada/.config/Hyperdesk');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ada')).toBe('/xdg/Hyperdesk');
    expect(defaultConfigDir({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/Hyperdesk');
  });

  it('prefers --config-dir, then HYPERDESK_CONFIG_DIR', () => {
    expect(resolveConfigDir('/flag', { HYPERDESK_CONFIG_DIR: '/env' })).toBe('/flag');
    expect(resolveConfigDir(undefined, { HYPERDESK_CONFIG_DIR: '/env' })).toBe('/env');
    expect(resolveConfigDir(undefined, { HOME: '/h', XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/Hyperdesk');
  });
});

describe('agent bundle path', () => {
  it('looks beside the built CLI and in dist/ of the checkout', () => {
    expect(bundleCandidates('file:///repo/dist/main/hdctl.js')[0]).toBe('/repo/dist/agent/hyperdesk-agent.js');
    expect(bundleCandidates('file:///repo/main/cli/hdctl.ts')[1]).toBe('/repo/dist/agent/hyperdesk-agent.js');
    expect(findAgentBundle('file:///repo/main/cli/hdctl.ts', {}, (path) => path === '/repo/dist/agent/hyperdesk-agent.js')).toBe('/repo/dist/agent/hyperdesk-agent.js');
  });

  it('says to build first when the bundle is missing', () => {
    expect(() => findAgentBundle('file:///repo/main/cli/hdctl.ts', {}, () => false)).toThrow(/run npm run build first/);
    expect(() => findAgentBundle('file:///repo/main/cli/hdctl.ts', { HYPERDESK_AGENT_BUNDLE: '/nope.js' }, () => false)).toThrow(/HYPERDESK_AGENT_BUNDLE/);
  });
});
