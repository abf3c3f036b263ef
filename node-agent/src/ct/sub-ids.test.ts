import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureRootSubIds, rootRanges, unprivilegedIdMap } from './sub-ids';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-subids-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('sub-ids', () => {
  it("reads root's ranges by name or uid 0 and ignores others", () => {
    expect(rootRanges('# c\nalice:165536:65536\nroot:100000:65536\n0:300000:1000\nroot:bad:1\n')).toEqual([
      { base: 100000, count: 65536 },
      { base: 300000, count: 1000 },
    ]);
  });

  it('maps an unprivileged container onto the first range big enough, for uids and gids apart', async () => {
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/subuid'), 'root:200000:1000\nroot:300000:65536\n');
    await writeFile(join(root, 'etc/subgid'), 'root:400000:131072\n');
    expect(await unprivilegedIdMap({ root }, 201)).toEqual({ uid: { base: 300000, count: 65536 }, gid: { base: 400000, count: 65536 } });
  });

  it('refuses with the file named when root has no range, and install adds PVE’s default once', async () => {
    await expect(unprivilegedIdMap({ root }, 201)).rejects.toMatchObject({ code: 'not-supported' });
    await expect(unprivilegedIdMap({ root }, 201)).rejects.toThrow(`CT 201: an unprivileged container needs a range of 65536 subuids for root in ${join(root, 'etc/subuid')}`);
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/subgid'), 'alice:165536:65536');
    expect(await ensureRootSubIds({ root })).toEqual([join(root, 'etc/subuid'), join(root, 'etc/subgid')]);
    expect(await readFile(join(root, 'etc/subgid'), 'utf8')).toBe('alice:165536:65536\nroot:100000:65536\n');
    expect(await ensureRootSubIds({ root })).toEqual([]);
    expect((await unprivilegedIdMap({ root }, 201)).uid).toEqual({ base: 100000, count: 65536 });
  });
});
