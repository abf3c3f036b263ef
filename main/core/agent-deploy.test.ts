// deployAgent against a real sshd. The bundle here is a stand-in script that records the arguments its
// `install` received (the real agent's install is exercised by node-session.test.ts); the node's root has a
// space and a quote in it, so every remote word must survive the login shell intact.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { machine } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../node-agent/src/api';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { connectToTestSshd } from './__fixtures__/test-support';
import type { AgentBundle } from './agent-bundle';
import { chooseRuntime, deployAgent, parseProbe, PROBE_COMMAND, runRemote, type NodeProbe } from './agent-deploy';
import type { CarriedRuntime, CarriedRuntimes } from './runtime-bundle';
import type { SshConnection } from './ssh-connection';

let sshd: TestSshd;
let conn: SshConnection;
let root: string;

const standIn = (source: string, version = '9.9.9'): AgentBundle => {
  const bytes = Buffer.from(source);
  return { path: '/dev/null', version, digest: createHash('sha256').update(bytes).digest('hex'), bytes };
};

/** Writes its argv beside itself and answers like install does: noise on stdout, then one JSON line. */
const recordingInstall = standIn(`
const fs = require('fs');
fs.writeFileSync(process.argv[1] + '.argv.json', JSON.stringify(process.argv.slice(1)));
console.error('installing (stderr is for people)');
console.log('a line that is not JSON');
const digest = process.argv[process.argv.indexOf('--digest') + 1];
console.log(JSON.stringify({ installed: digest, version: '9.9.9' }));
`);

const ROOT_NAME = `r o'ot "x"`;

beforeAll(async () => {
  // sshd_config quoting: double quotes around the word, a backslash before an inner double quote.
  sshd = await startTestSshd({
    config: (dir) => [`SetEnv "HYPERDESK_ROOT=${join(dir, ROOT_NAME).replace(/"/g, '\\"')}"`],
  });
  root = join(sshd.dir, ROOT_NAME);
  await mkdir(root);
  conn = await connectToTestSshd(sshd, 'test/deploy');
}, 30_000);

afterAll(async () => {
  conn?.close();
  await sshd?.dispose();
}, 30_000);

describe('the node probe', { timeout: 30_000 }, () => {
  it("reports the node's root, architecture and Node.js, read through a real login shell", async () => {
    const result = await runRemote(conn, PROBE_COMMAND, 10_000);
    expect(result.code).toBe(0);
    const probe = parseProbe(result.stdout);
    expect(probe).toMatchObject({ root, arch: machine(), nodeVersion: process.version, uid: 0 });
    expect(probe.nodePath).toMatch(/\/node$/);
  });

  it('ignores what a chatty login prints before the marker', () => {
    const probe = parseProbe(
      'Welcome!\nroot=/evil\nHYPERDESK-PROBE\nroot=/\narch=aarch64\nnode=\nversion=\nuid=1000\n',
    );
    expect(probe).toEqual({ root: '/', arch: 'aarch64', nodePath: undefined, nodeVersion: undefined, uid: 1000 });
  });
});

describe('chooseRuntime', () => {
  const probe = (
    nodeVersion: string | undefined,
    nodePath: string | undefined = '/usr/bin/node',
    arch = 'x86_64',
  ): NodeProbe => ({ root: '/', arch, nodePath, nodeVersion, uid: 0 });
  const runtime = (arch: 'x64' | 'arm64'): CarriedRuntime => ({
    version: '22.23.3',
    arch,
    path: `/app/runtimes/node-linux-${arch}-22.23.3.tgz`,
    sha256: 'a'.repeat(64),
    nodeSha256: 'b'.repeat(64),
  });
  const both: CarriedRuntimes = {
    dir: '/app/runtimes',
    version: '22.23.3',
    runtimes: [runtime('x64'), runtime('arm64')],
  };

  it("takes the node's Node.js from 20 on, even when the app carries one", () => {
    expect(chooseRuntime(probe('v20.0.0'), 'n1', both)).toEqual({ kind: 'node', nodeBinary: '/usr/bin/node' });
    expect(chooseRuntime(probe('v22.11.0'), 'n1', undefined)).toEqual({ kind: 'node', nodeBinary: '/usr/bin/node' });
  });

  it("takes the carried runtime for the node's architecture when Node.js is missing or too old", () => {
    expect(chooseRuntime(probe(undefined, undefined), 'n1', both)).toEqual({
      kind: 'carried',
      runtime: runtime('x64'),
    });
    expect(chooseRuntime(probe('v18.19.0'), 'n1', both)).toEqual({ kind: 'carried', runtime: runtime('x64') });
    expect(chooseRuntime(probe(undefined, undefined, 'aarch64'), 'n1', both)).toEqual({
      kind: 'carried',
      runtime: runtime('arm64'),
    });
  });

  it('says what to install when the build carries no runtime', () => {
    const old = chooseRuntime(probe('v18.19.0'), 'n1', undefined);
    expect(old).toBeInstanceOf(AppError);
    expect((old as AppError).code).toBe('not-supported');
    expect((old as AppError).message).toBe(
      'node n1 has Node.js v18.19.0; the agent needs 20 or newer, and this build of the app carries no Node.js runtime (it was built without the npm registry) — install nodejs 20 or newer on it (Debian 12 has 18; use NodeSource), or use a build that carries one',
    );
    expect((old as AppError).details).toMatchObject({ reason: 'node-runtime', nodeVersion: 'v18.19.0' });
    const none = chooseRuntime(probe(undefined, undefined), 'n2', undefined);
    expect((none as AppError).message).toMatch(/^node n2 has Node.js none;/);
  });

  it('names an architecture the app carries nothing for', () => {
    const riscv = chooseRuntime(probe(undefined, undefined, 'riscv64'), 'n3', both);
    expect((riscv as AppError).code).toBe('not-supported');
    expect((riscv as AppError).message).toMatch(/carries Node\.js only for x86_64 and aarch64, not riscv64/);
    const onlyX64 = chooseRuntime(probe(undefined, undefined, 'aarch64'), 'n3', {
      ...both,
      runtimes: [runtime('x64')],
    });
    expect((onlyX64 as AppError).code).toBe('not-supported');
    expect((onlyX64 as AppError).message).toMatch(/carries Node\.js 22\.23\.3 only for x64, not arm64/);
  });
});

describe('deployAgent', { timeout: 30_000 }, () => {
  it('stages the bundle under its digest and runs its install with every word intact', async () => {
    const lines: string[] = [];
    const result = await deployAgent(conn, recordingInstall, (line) => lines.push(line), { nodeName: 'test/deploy' });
    expect(result).toEqual({ digest: recordingInstall.digest, version: '9.9.9' });
    const staged = join(root, 'usr/lib/hyperdesk/staging', `${recordingInstall.digest}.js`);
    expect((await readFile(staged)).equals(recordingInstall.bytes)).toBe(true);
    const argv = JSON.parse(await readFile(`${staged}.argv.json`, 'utf8')) as string[];
    expect(argv).toEqual([
      staged,
      'install',
      '--bundle',
      staged,
      '--digest',
      recordingInstall.digest,
      '--node-binary',
      expect.stringMatching(/\/node$/),
    ]);
    expect(lines).toContain('installing (stderr is for people)');
    expect((await stat(join(root, 'usr/lib/hyperdesk/staging'))).mode & 0o777).toBe(0o700);
    await expect(stat(`${staged}.tmp`)).rejects.toThrow();
  });

  it('sends the bundle again over an older copy', async () => {
    await deployAgent(conn, recordingInstall);
    expect(await deployAgent(conn, recordingInstall)).toEqual({ digest: recordingInstall.digest, version: '9.9.9' });
  });

  it('fails with the exit code and the tail of stderr when install fails', async () => {
    const failing = standIn(`console.error('cannot write /usr/lib: read-only file system'); process.exit(3);`);
    let error: unknown;
    try {
      await deployAgent(conn, failing, undefined, { nodeName: 'test/deploy' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('command-failed');
    expect((error as AppError).message).toBe(
      'installing the agent on node test/deploy failed (exit 3): cannot write /usr/lib: read-only file system',
    );
    expect((error as AppError).details).toMatchObject({ exitCode: 3 });
  });

  it('refuses an install that reports another digest', async () => {
    const liar = standIn(`console.log(JSON.stringify({ installed: '${'0'.repeat(64)}', version: '1.0.0' }));`);
    await expect(deployAgent(conn, liar)).rejects.toMatchObject({ code: 'conflict' });
  });
});
