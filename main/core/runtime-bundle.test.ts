// The carried runtimes as the app finds them: the manifest build/fetch-runtimes.mjs writes, tarballs checked
// against it (a tampered one is refused before it could go to a node), and `uname -m` mapped to an architecture.
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_VERSION, makeFakeRuntimes } from './__fixtures__/fake-runtime';
import { failure } from './__fixtures__/test-support';
import { loadCarriedRuntimes, readCarriedRuntime, runtimeArch } from './runtime-bundle';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-runtimes-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runtimeArch', () => {
  it('maps what uname -m prints to the runtimes the app carries', () => {
    expect(runtimeArch('x86_64')).toBe('x64');
    expect(runtimeArch('aarch64')).toBe('arm64');
    expect(runtimeArch('arm64')).toBe('arm64');
    expect(runtimeArch('x86_64\n')).toBe('x64');
  });

  it('has nothing for other machines', () => {
    for (const machine of ['armv7l', 'i686', 'riscv64', 'ppc64le', 's390x', '', 'unknown'])
      expect(runtimeArch(machine)).toBeUndefined();
  });
});

describe('loadCarriedRuntimes', () => {
  it('lists each runtime with its tarball path, digests and the pinned version', async () => {
    const sub = join(dir, 'ok');
    await mkdir(sub);
    const manifest = await makeFakeRuntimes(sub, ['x64', 'arm64']);
    const carried = await loadCarriedRuntimes(sub);
    expect(carried?.version).toBe(FAKE_VERSION);
    expect(carried?.runtimes).toEqual(
      manifest.runtimes.map((r) => ({
        version: FAKE_VERSION,
        arch: r.arch,
        path: join(sub, r.file),
        sha256: r.sha256,
        nodeSha256: r.nodeSha256,
      })),
    );
    const bytes = await readCarriedRuntime(carried!.runtimes[0]!);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('is undefined for a build that carries no runtime', async () => {
    expect(await loadCarriedRuntimes(join(dir, 'none'))).toBeUndefined();
    await mkdir(join(dir, 'empty'));
    expect(await loadCarriedRuntimes(join(dir, 'empty'))).toBeUndefined();
  });

  it('refuses a manifest that is not one, naming it', async () => {
    const sub = join(dir, 'bad');
    await mkdir(sub);
    // A file name with a slash could point the upload anywhere.
    await writeFile(
      join(sub, 'manifest.json'),
      JSON.stringify({
        version: '22.23.3',
        runtimes: [{ arch: 'x64', file: '../x.tgz', sha256: 'a'.repeat(64), nodeSha256: 'b'.repeat(64) }],
      }),
    );
    const error = await failure(loadCarriedRuntimes(sub));
    expect(error.code).toBe('internal-error');
    expect(error.message).toContain(join(sub, 'manifest.json'));
    await writeFile(join(sub, 'manifest.json'), '{"version": "22; rm -rf /", "runtimes": []}');
    expect((await failure(loadCarriedRuntimes(sub))).code).toBe('internal-error');
  });
});

describe('readCarriedRuntime', () => {
  it('refuses a tarball whose sha256 is not the manifest’s', async () => {
    const sub = join(dir, 'tampered');
    await mkdir(sub);
    await makeFakeRuntimes(sub);
    const [runtime] = (await loadCarriedRuntimes(sub))!.runtimes;
    await appendFile(runtime!.path, 'x');
    const error = await failure(readCarriedRuntime(runtime!));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(
      /has sha256 [0-9a-f]{64} but its manifest says [0-9a-f]{64} — it was changed or damaged/,
    );
    expect(error.details).toMatchObject({ path: runtime!.path, expected: runtime!.sha256 });
  });

  it('says how to rebuild a missing tarball', async () => {
    const sub = join(dir, 'missing');
    await mkdir(sub);
    await makeFakeRuntimes(sub);
    const [runtime] = (await loadCarriedRuntimes(sub))!.runtimes;
    await rm(runtime!.path);
    const error = await failure(readCarriedRuntime(runtime!));
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/ENOENT — rebuild it with: node build\/build\.mjs runtimes$/);
  });
});
