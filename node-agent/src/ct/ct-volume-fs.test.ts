// The ext4 side of raw container volumes with the real tools: mkfs.ext4 with MMP and the root's owner, a loop mount
// that leaves no loop device behind (also when the body fails), growth offline and the deferred growth at start.
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, runChecked } from '../exec/run';
import { tempDirForTest } from '../fs/temp-dir';
import type { TaskContext } from '../tasks/task-context';
import { fileSystemBytes, formatVolume, growToVolume, loopDevicesOf, mountsBelow, volumeBytes, waitReleased, withVolumeMounted } from './ct-volume-fs';
import { monitorPid } from './ct-runtime';

const MiB = 1024 * 1024;

const context = (lines: string[] = []): TaskContext => ({
  upid: 'test',
  signal: new AbortController().signal,
  log: (line) => lines.push(line),
  warn: (line) => lines.push(`WARN ${line}`),
  progress: () => undefined,
  run: (command, args, options) => {
    lines.push(`# ${command} ${args.join(' ')}`);
    return run(command, args, options);
  },
});

const freshImage = async (size: number): Promise<{ dir: string; image: string }> => {
  const dir = await tempDirForTest('hd-ct-fs-');
  const image = join(dir, 'vm-300-disk-0.raw');
  await writeFile(image, '');
  await truncate(image, size);
  return { dir, image };
};

describe('raw container volumes (ext4)', () => {
  it('formats with multi-mount protection and the given root owner', async () => {
    const { image } = await freshImage(64 * MiB);
    await formatVolume(context(), 'mp0', image, { uid: 100000, gid: 100001 });
    expect((await runChecked('dumpe2fs', ['-h', image])).stdout).toMatch(/^Filesystem features:.*\bmmp\b/m);
    expect((await runChecked('debugfs', ['-R', 'stat /', image])).stdout).toMatch(/User:\s+100000\s+Group:\s+100001/);
    expect(await fileSystemBytes(context(), 'mp0', image)).toBe(64 * MiB);
  });

  it('mounts an image for a body and always unmounts it, leaving no loop device, also when the body fails', async () => {
    const { dir, image } = await freshImage(32 * MiB);
    await formatVolume(context(), 'rootfs', image, { uid: 0, gid: 0 });
    const target = join(dir, 'rootfs');
    await runChecked('mkdir', [target]);
    const source = { path: image, fstype: 'ext4', loop: true };
    const seen = await withVolumeMounted(context(), 'rootfs', source, target, async () => {
      await writeFile(join(target, 'hello'), 'world');
      return { loops: await loopDevicesOf(image), mounts: await mountsBelow(dir) };
    });
    expect(seen.loops).toHaveLength(1);
    expect(seen.mounts).toEqual([target]);
    expect(await waitReleased([image], 10_000)).toEqual([]);
    expect(await mountsBelow(dir)).toEqual([]);
    const failed = await withVolumeMounted(context(), 'rootfs', source, target, () => Promise.reject(new Error('setup failed'))).catch((e: unknown) => e);
    expect(failed).toMatchObject({ message: 'setup failed' });
    expect(await waitReleased([image], 10_000)).toEqual([]);
    expect(await mountsBelow(dir)).toEqual([]);
    // What the body wrote is in the image.
    expect((await runChecked('debugfs', ['-R', 'cat /hello', image])).stdout).toBe('world');
  });

  it('grows a file system to its grown volume offline (a forced check first), and only when it is smaller', async () => {
    const { image } = await freshImage(32 * MiB);
    const lines: string[] = [];
    await formatVolume(context(lines), 'rootfs', image, { uid: 0, gid: 0 });
    expect(await growToVolume(context(lines), 'rootfs', image)).toBe(false);
    await truncate(image, 48 * MiB);
    expect(await volumeBytes(image)).toBe(48 * MiB);
    expect(await growToVolume(context(lines), 'rootfs', image)).toBe(true);
    expect(await fileSystemBytes(context(), 'rootfs', image)).toBe(48 * MiB);
    expect(lines.filter((line) => line.startsWith('# e2fsck') || line.startsWith('# resize2fs'))).toEqual([`# e2fsck -f -y ${image}`, `# resize2fs ${image}`]);
    expect((await stat(image)).size).toBe(48 * MiB);
  }, 60_000); // e2fsck waits out the MMP interval (about 11 s) before it trusts that nobody else has the file system

  it('finds a process parent (the LXC monitor of a container init) from /proc/<pid>/stat', async () => {
    expect(await monitorPid(process.pid)).toBe(process.ppid);
    expect(Number((await readFile(`/proc/${process.pid}/stat`, 'utf8')).split(' ')[3])).toBe(process.ppid);
  });
});
