// install / start / stop for real: a bundle built here, installed under a temporary root, started detached.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../exec/run';
import { REPO, runAgent } from './agent-process-testkit';
import { helloOver } from './agent-socket';
import { agentLogFile } from './control';
import { installedBundlePath, launcherScript, shellQuote } from './install';
import { agentPaths, type AgentPaths } from './paths';

const T = 120_000;
let root: string;
let paths: AgentPaths;
let bundle: string;
let digest: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-install-'));
  paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  bundle = join(root, 'upload', 'hyperdesk-agent.js');
  // The same options build/build.mjs uses for the agent, with a version of our own.
  await build({
    entryPoints: [join(REPO, 'node-agent/src/main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    define: { __HYPERDESK_VERSION__: JSON.stringify('9.9.9-test') },
    logLevel: 'error',
  });
  digest = createHash('sha256')
    .update(await readFile(bundle))
    .digest('hex');
}, T);

afterAll(async () => {
  await runAgent(paths, ['stop']);
  await rm(root, { recursive: true, force: true });
}, T);

describe('hyperdesk-agent install', () => {
  it(
    'refuses a bundle whose sha256 is not the one given',
    async () => {
      const wrong = 'a'.repeat(64);
      const result = await runAgent(paths, ['install', '--bundle', bundle, '--digest', wrong]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`has sha256 ${digest}, not ${wrong}`);
      await expect(stat(paths.launcher)).rejects.toThrow();
    },
    T,
  );

  it(
    'refuses a bad command line with exit 2',
    async () => {
      const result = await runAgent(paths, ['install', '--bundle', bundle]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('install needs --bundle PATH and --digest SHA256');
    },
    T,
  );

  it(
    'installs content-addressed, writes the launcher, starts the daemon on the new bundle',
    async () => {
      const result = await runAgent(paths, ['install', '--bundle', bundle, '--digest', digest]);
      expect(result.stderr).not.toMatch(/error/);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ installed: digest, version: '9.9.9-test' });

      expect(await readFile(installedBundlePath(paths, digest))).toEqual(await readFile(bundle));
      expect(await readFile(paths.launcher, 'utf8')).toBe(
        launcherScript(process.execPath, installedBundlePath(paths, digest)),
      );
      expect((await stat(paths.launcher)).mode & 0o777).toBe(0o755);
      const hello = await helloOver(paths.socket, 'n1', 5000);
      expect(hello).toMatchObject({ agentDigest: digest, agentVersion: '9.9.9-test', node: 'n1' });
      expect(await readFile(agentLogFile(paths), 'utf8')).toContain('serving node n1');

      // The launcher is what the app runs over SSH: hdctl through it reaches the daemon.
      const env = { ...process.env, HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' };
      const version = await run(paths.launcher, ['version'], { env });
      expect(JSON.parse(version.stdout)).toEqual({ version: '9.9.9-test', digest });
      const viaHdctl = await run(paths.launcher, ['hdctl', 'hello', '--output', 'json'], { env });
      expect(JSON.parse(viaHdctl.stdout)).toMatchObject({ agentDigest: digest });
      // And as the commands a person types on the node, from /usr/local/bin.
      const hdctl = await run(join(root, 'usr/local/bin/hdctl'), ['node', 'status', '--output', 'json'], { env });
      expect(JSON.parse(hdctl.stdout)).toMatchObject({ node: 'n1' });
      const agent = await run(join(root, 'usr/local/bin/hyperdesk-agent'), ['version'], { env });
      expect(JSON.parse(agent.stdout)).toEqual({ version: '9.9.9-test', digest });
    },
    T,
  );

  it(
    'stop ends the daemon; start brings one back',
    async () => {
      const stopped = await runAgent(paths, ['stop']);
      expect(JSON.parse(stopped.stdout)).toEqual({ stopped: true });
      expect(await helloOver(paths.socket, 'n1', 1000)).toBeUndefined();
      await expect(stat(paths.pidFile)).rejects.toThrow();
      expect(JSON.parse((await runAgent(paths, ['stop'])).stdout)).toEqual({ stopped: false });

      const started = await runAgent(paths, ['start']);
      expect(started.code).toBe(0);
      expect(JSON.parse(started.stdout)).toMatchObject({ node: 'n1' });
      expect(await helloOver(paths.socket, 'n1', 5000)).toBeDefined();
      // A second start finds it running and leaves it alone.
      const pid = await readFile(paths.pidFile, 'utf8');
      expect((await runAgent(paths, ['start'])).code).toBe(0);
      expect(await readFile(paths.pidFile, 'utf8')).toBe(pid);
    },
    T,
  );
});

describe('the launcher', () => {
  it('quotes paths so sh passes them through unchanged', async () => {
    for (const word of ["/opt/it's here/node", '/a b/$HOME/`x`/"q"', '']) {
      const result = await run('sh', ['-c', `printf '%s' ${shellQuote(word)}`]);
      expect(result.stdout).toBe(word);
    }
    const script = launcherScript('/usr/bin/node', '/usr/lib/hyperdesk/agent/d/hyperdesk-agent.js');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('\nexport MALLOC_ARENA_MAX=1 MALLOC_TRIM_THRESHOLD_=131072\n');
    expect(script.trimEnd().split('\n').at(-1)).toBe(
      "exec '/usr/bin/node' --max-semi-space-size=1 --max-old-space-size=128 '/usr/lib/hyperdesk/agent/d/hyperdesk-agent.js' \"$@\"",
    );
  });

  it('runs the agent with the footprint settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hd-launcher-'));
    const probe = join(dir, 'probe.js');
    await writeFile(probe, 'process.stdout.write(JSON.stringify([process.env.MALLOC_ARENA_MAX, process.execArgv, process.argv.slice(2)]))');
    const launcher = join(dir, 'launcher');
    await writeFile(launcher, launcherScript(process.execPath, probe), { mode: 0o755 });
    const result = await run(launcher, ['daemon', 'x y']);
    expect(JSON.parse(result.stdout)).toEqual(['1', ['--max-semi-space-size=1', '--max-old-space-size=128'], ['daemon', 'x y']]);
    await rm(dir, { recursive: true, force: true });
  });
});
