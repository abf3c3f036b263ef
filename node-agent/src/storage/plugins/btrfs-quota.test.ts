// Sized container subvols on a btrfs storage with `quotas`, on a real loop-mounted btrfs of its own (quotas are
// turned on for the whole file system): the limit is set, enforced by the kernel, raised by resize, never lowered,
// and kept by rollback and clone. Without `quotas` a sized subvol is refused, as in PVE.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import { run, runChecked } from '../../exec/run';
import type { BtrfsConfig } from '../storage-config';
import { btrfsPlugin } from './btrfs';
import { parseQgroupLimit } from './btrfs-quota';
import { recordingRunner, testContext } from './recording-runner';

const MiB = 1024 * 1024;

/** `btrfs qgroup show -re --raw -f <subvol>` of btrfs-progs 6.2, as captured on this machine. */
const SHOW_6_2 = `Qgroupid    Referenced    Exclusive  Max referenced  Max exclusive   Path 
--------    ----------    ---------  --------------  -------------   ---- 
0/256            16384        16384         1048576           none   a
`;
/** The same from btrfs-progs 5.x (lower-case header, no path column). */
const SHOW_5 = `qgroupid         rfer         excl     max_rfer     max_excl 
--------         ----         ----     --------     -------- 
0/261           16384        16384         none         none 
`;

const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isAppError(error) ? error.code : error),
  );

describe('parseQgroupLimit', () => {
  it('reads the max referenced column of the level-0 qgroup, none as no limit', () => {
    expect(parseQgroupLimit(SHOW_6_2)).toBe(MiB);
    expect(parseQgroupLimit(SHOW_5)).toBeUndefined();
    expect(() => parseQgroupLimit('Qgroupid Referenced\n')).toThrow(/no level-0 qgroup/);
  });
});

describe('btrfs storage with quotas (loop-mounted btrfs)', () => {
  let work: string;
  let mnt: string;
  let mounted = false;
  const runner = recordingRunner();
  const config: BtrfsConfig = { path: '/store', content: ['images', 'rootdir'], quotas: true };
  const ctx = () => testContext<BtrfsConfig>('quota', config, mnt, runner);
  const limitOf = async (path: string) => parseQgroupLimit((await runChecked('btrfs', ['qgroup', 'show', '-re', '--raw', '-f', '--', path])).stdout);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hd-btrfs-quota-'));
    mnt = join(work, 'mnt');
    await mkdir(mnt);
    await runChecked('truncate', ['-s', '512M', join(work, 'fs.img')]);
    await runChecked('mkfs.btrfs', ['-q', join(work, 'fs.img')]);
    await runChecked('mount', ['-o', 'loop', join(work, 'fs.img'), mnt]);
    mounted = true;
    await btrfsPlugin.activate(ctx());
  });

  afterAll(async () => {
    if (mounted) await run('umount', [mnt]);
    await rm(work, { recursive: true, force: true });
  });

  it('limits a sized subvol: writing past the limit fails with EDQUOT; resize raises it and never lowers it', async () => {
    const volname = await btrfsPlugin.alloc(ctx(), { vmid: 100, format: 'subvol', size: 16 * MiB });
    expect(volname).toBe('100/subvol-100-disk-0.subvol');
    const path = await btrfsPlugin.path(ctx(), volname);
    expect(runner.argsOf('btrfs').slice(-2)).toEqual([
      ['quota', 'enable', path],
      ['qgroup', 'limit', '--', String(16 * MiB), path],
    ]);
    expect(await limitOf(path)).toBe(16 * MiB);
    const write = (name: string, mib: number) =>
      run('dd', ['if=/dev/zero', `of=${join(path, name)}`, 'bs=1M', `count=${mib}`, 'conv=fsync'], { timeoutMs: 60_000 });
    const tooMuch = await write('big', 32);
    expect(tooMuch.code).not.toBe(0);
    expect(tooMuch.stderr).toMatch(/Disk quota exceeded/);
    await rm(join(path, 'big'));
    await runChecked('sync', []);

    await btrfsPlugin.resize(ctx(), volname, 64 * MiB);
    expect(await limitOf(path)).toBe(64 * MiB);
    expect((await write('fits', 32)).code).toBe(0);
    expect(await codeOf(btrfsPlugin.resize(ctx(), volname, 32 * MiB))).toBe('invalid-params');
    expect(await limitOf(path)).toBe(64 * MiB);
    const unlimited = await btrfsPlugin.alloc(ctx(), { vmid: 100, format: 'subvol', size: 0 });
    expect(await codeOf(btrfsPlugin.resize(ctx(), unlimited, 64 * MiB))).toBe('invalid-params');
  });

  it('a rolled-back subvol and a clone keep the limit', async () => {
    const volname = await btrfsPlugin.alloc(ctx(), { vmid: 101, format: 'subvol', size: 24 * MiB });
    await btrfsPlugin.snapshotCreate(ctx(), volname, 'snap1');
    await btrfsPlugin.snapshotRollback(ctx(), volname, 'snap1');
    expect(await limitOf(await btrfsPlugin.path(ctx(), volname))).toBe(24 * MiB);
    const clone = await btrfsPlugin.clone(ctx(), volname, 102);
    expect(await limitOf(await btrfsPlugin.path(ctx(), clone))).toBe(24 * MiB);
  });

  it('without quotas a sized subvol is refused and a subvol cannot be resized', async () => {
    const plain = testContext<BtrfsConfig>('plain', { ...config, quotas: false }, mnt, runner);
    expect(await codeOf(btrfsPlugin.alloc(plain, { vmid: 103, format: 'subvol', size: MiB }))).toBe('not-supported');
    const volname = await btrfsPlugin.alloc(plain, { vmid: 103, format: 'subvol', size: 0 });
    expect(await codeOf(btrfsPlugin.resize(plain, volname, MiB))).toBe('not-supported');
  });
});
