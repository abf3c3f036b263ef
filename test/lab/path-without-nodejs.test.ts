// The PATH of a lab node without Node.js, checked with the real sh: no node, but every tool the agent's
// deployment (probe, tar, sha256sum) and the daemon use.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../node-agent/src/exec/run';
import { PROBE_SCRIPT } from '../../main/core/agent-deploy';
import { isNodejsCommand, writePathWithoutNodejs } from './path-without-nodejs';

const dir = await mkdtemp(join(tmpdir(), 'hd-no-nodejs-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const shell = (path: string, script: string) =>
  run('/bin/sh', ['-c', script], { env: { PATH: path }, timeoutMs: 10_000 });

describe('writePathWithoutNodejs', () => {
  it('leaves node out and keeps what deployment and the daemon need', async () => {
    const bin = await writePathWithoutNodejs({ dir });
    expect(bin).toBe(join(dir, 'bin'));
    const names = await readdir(bin);
    for (const missing of ['node', 'nodejs', 'npm', 'npx', 'corepack']) expect(names).not.toContain(missing);
    for (const tool of ['sh', 'uname', 'id', 'tar', 'gzip', 'sha256sum', 'mkdir', 'mv', 'rm', 'ip'])
      expect(names).toContain(tool);
    const found = await shell(bin, 'command -v node; echo "exit $?"');
    expect(found.stdout).toMatch(/^exit [1-9]\d*\n$/);
    // The deployment's own probe, read as the app reads it: no Node.js at all.
    const probe = await shell(bin, PROBE_SCRIPT);
    expect(probe.stdout).toMatch(/\nnode=\nversion=\n/);
  });

  it('tells Node.js and what runs on it from the rest', () => {
    const nodeBinaries = new Set(['/usr/bin/node']);
    expect(isNodejsCommand('nodejs', '/usr/bin/node', nodeBinaries)).toBe(true);
    expect(isNodejsCommand('js', '/usr/bin/node', nodeBinaries)).toBe(true);
    expect(isNodejsCommand('tsc', '/usr/lib/node_modules/typescript/bin/tsc', nodeBinaries)).toBe(true);
    expect(isNodejsCommand('tar', '/usr/bin/tar', nodeBinaries)).toBe(false);
  });
});
