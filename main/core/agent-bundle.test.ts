import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './__fixtures__/test-support';
import { compareVersions, loadAgentBundle } from './agent-bundle';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-bundle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadAgentBundle', () => {
  it('loads the bundle and its manifest when the digest matches', async () => {
    const bundle = join(dir, 'ok', 'hyperdesk-agent.js');
    const bytes = Buffer.from('console.log("agent")\n');
    const digest = createHash('sha256').update(bytes).digest('hex');
    await mkdir(join(dir, 'ok'));
    await writeFile(bundle, bytes);
    await writeFile(
      join(dir, 'ok', 'manifest.json'),
      JSON.stringify({ version: '1.2.3', digest, file: 'hyperdesk-agent.js' }),
    );
    const loaded = await loadAgentBundle(bundle);
    expect(loaded).toMatchObject({ path: bundle, version: '1.2.3', digest });
    expect(loaded.bytes.equals(bytes)).toBe(true);
    // The carried Node.js runtimes: dist/runtimes beside dist/agent, resources/runtimes beside resources/agent.
    expect(loaded.runtimesDir).toBe(join(dir, 'runtimes'));
  });

  it('refuses a bundle that does not match its manifest', async () => {
    const sub = join(dir, 'bad');
    await mkdir(sub);
    await writeFile(join(sub, 'hyperdesk-agent.js'), 'tampered');
    await writeFile(join(sub, 'manifest.json'), JSON.stringify({ version: '1.2.3', digest: 'a'.repeat(64) }));
    const error = await failure(loadAgentBundle(join(sub, 'hyperdesk-agent.js')));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('a'.repeat(64));
  });

  it('says how to build a missing bundle', async () => {
    const error = await failure(loadAgentBundle(join(dir, 'none', 'hyperdesk-agent.js')));
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/build\/build\.mjs agent/);
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.0.0', '1.0.0', 0],
    ['1.0.1', '1.0.0', 1],
    ['1.10.0', '1.9.0', 1],
    ['0.1.0', '0.1.0-dev', 1],
    ['0.0.0-dev', '0.1.0', -1],
    ['1.0.0-alpha.2', '1.0.0-alpha.10', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-beta', '1.0.0-alpha.9', 1],
    ['v2.0.0', '1.99.99', 1],
    ['garbage', '0.0.1', -1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(-expected || 0);
  });
});
