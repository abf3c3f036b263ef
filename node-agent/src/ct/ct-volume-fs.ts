// The ext4 file system on a container's raw volumes (pve-container's mkfs, run_with_loopdev and resize): made with
// multi-mount protection (-O mmp, so e2fsck and resize2fs refuse an image still mounted somewhere), mounted on the
// host only while a task unpacks a template into it (always unmounted after), grown online through the container
// monitor's mount namespace or offline after a forced check, and waited for until LXC's loop devices let go of it.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../api/errors';
import { run } from '../exec/run';
import type { TaskContext } from '../tasks/task-context';
import { runOk } from '../vm/task-run';
import type { CtService } from './ct-service';
import type { LxcMountSource } from './lxc-config';
import { lxcPath } from './lxc-paths';

/** Give a fresh raw volume its file system; its root folder belongs to `owner` (the container's root on the host). */
export const formatVolume = async (ctx: TaskContext, subject: string, path: string, owner: { uid: number; gid: number }): Promise<void> => {
  await runOk(ctx, subject, 'mkfs.ext4', ['-q', '-O', 'mmp', '-E', `root_owner=${owner.uid}:${owner.gid}`, path], { timeoutMs: 30 * 60_000 });
};

/** `mount` arguments for a raw volume on `dir` (`-o loop` for an image file: util-linux then autoclears its device). */
const mountArgs = (source: LxcMountSource, dir: string): string[] => [
  '-t',
  source.fstype ?? 'ext4',
  ...(source.loop === true ? ['-o', 'loop'] : []),
  '--',
  source.path,
  dir,
];

/** Run `body` with the raw volume mounted on `dir` in the agent's namespace; unmounted afterwards, also on failure. */
export const withVolumeMounted = async <T>(ctx: TaskContext, subject: string, source: LxcMountSource, dir: string, body: () => Promise<T>): Promise<T> => {
  await runOk(ctx, subject, 'mount', mountArgs(source, dir));
  try {
    return await body();
  } finally {
    await runOk(ctx, subject, 'umount', ['--', dir]);
  }
};

/** The loop devices attached to an image file (none for a block device). */
export const loopDevicesOf = async (image: string): Promise<string[]> => {
  const result = await run('losetup', ['--associated', image, '--noheadings', '--output', 'NAME'], { timeoutMs: 10_000 });
  return result.code === 0 ? result.stdout.split('\n').filter((line) => line.startsWith('/dev/')) : [];
};

/**
 * Wait until no loop device holds any of the images: a stopped container's monitor (and with it its namespace's
 * mounts) can outlive `lxc-stop` by a moment. Resolves with the images still held at the deadline.
 */
export const waitReleased = async (images: readonly string[], timeoutMs = 30_000): Promise<string[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held: string[] = [];
    for (const image of images) if ((await loopDevicesOf(image)).length > 0) held.push(image);
    if (held.length === 0 || Date.now() >= deadline) return held;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

/** A volume's size in bytes: an image file's length or a block device's capacity. */
export const volumeBytes = async (path: string): Promise<number> => {
  const info = await stat(path);
  if (info.isFile()) return info.size;
  const result = await run('blockdev', ['--getsize64', path], { timeoutMs: 10_000 });
  const size = Number(result.stdout.trim());
  if (result.code !== 0 || !Number.isSafeInteger(size)) throw new AppError('command-failed', `${path}: blockdev could not tell its size`);
  return size;
};

/** The ext4 file system's size in bytes (its superblock: block count × block size). */
export const fileSystemBytes = async (ctx: TaskContext, subject: string, path: string): Promise<number> => {
  const { stdout } = await runOk(ctx, subject, 'dumpe2fs', ['-h', path], { timeoutMs: 60_000 });
  const count = Number(/^Block count:\s+(\d+)/m.exec(stdout)?.[1]);
  const size = Number(/^Block size:\s+(\d+)/m.exec(stdout)?.[1]);
  if (!Number.isSafeInteger(count * size)) throw new AppError('command-failed', `${subject}: dumpe2fs gave no block count and size for ${path}`);
  return count * size;
};

/** Grow a stopped container's file system to its volume: a forced check first (resize2fs demands it). */
export const growOffline = async (ctx: TaskContext, subject: string, path: string): Promise<void> => {
  // e2fsck: 0 clean, 1 errors corrected; anything else means the file system needs a person.
  const check = await ctx.run('e2fsck', ['-f', '-y', path], { timeoutMs: 3 * 3600_000 });
  if (check.code !== 0 && check.code !== 1)
    throw new AppError('command-failed', `${subject}: e2fsck found problems it could not fix in ${path} (exit code ${check.code}) — check it by hand`, { exitCode: check.code });
  await runOk(ctx, subject, 'resize2fs', [path], { timeoutMs: 3 * 3600_000 });
};

/**
 * Grow a running container's file system: the loop device learns the image's new size (losetup -c), then resize2fs
 * runs in the monitor's mount namespace, where the volume is mounted (online resizing needs the mount point).
 */
export const growOnline = async (ctx: TaskContext, subject: string, source: LxcMountSource, monitorPid: number): Promise<void> => {
  let device = source.path;
  if (source.loop === true) {
    const [loop] = await loopDevicesOf(source.path);
    if (loop === undefined) throw new AppError('internal-error', `${subject}: the running container has no loop device on ${source.path}`);
    await runOk(ctx, subject, 'losetup', ['--set-capacity', loop]);
    device = loop;
  }
  await runOk(ctx, subject, 'nsenter', [`--mount=/proc/${monitorPid}/ns/mnt`, '--', 'resize2fs', device], { timeoutMs: 3 * 3600_000 });
};

/** Mount points below `dir` in this process's namespace, deepest first (/proc/self/mounts escapes spaces as \\040). */
export const mountsBelow = async (dir: string): Promise<string[]> =>
  (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((target): target is string => target?.startsWith(`${dir}/`) === true)
    .sort((a, b) => b.length - a.length);

/**
 * Remove the container's LXC folder, unmounting first whatever a create cut short left mounted in it: removing a
 * folder recursively would otherwise delete the files of the volume mounted there.
 */
export const removeLxcDir = async (cts: Pick<CtService, 'options' | 'removeLxcDir'>, vmid: number): Promise<void> => {
  const dir = join(lxcPath(cts.options.paths), String(vmid));
  for (const target of await mountsBelow(dir)) {
    const result = await run('umount', ['--', target], { timeoutMs: 60_000 });
    if (result.code !== 0) throw new AppError('command-failed', `CT ${vmid}: ${target} is still mounted and could not be unmounted: ${result.stderr.trim()}`, { vmid });
  }
  await cts.removeLxcDir(vmid);
};

/**
 * A raw volume larger than its file system (grown while the container ran and the kernel refused to grow the file
 * system online, or a resize cut short) has the file system grown now, offline. Returns whether it grew.
 */
export const growToVolume = async (ctx: TaskContext, subject: string, path: string): Promise<boolean> => {
  const volume = await volumeBytes(path);
  const fileSystem = await fileSystemBytes(ctx, subject, path);
  if (volume - fileSystem < 1024 * 1024) return false;
  ctx.log(`${subject}: the file system (${fileSystem} bytes) is smaller than its volume (${volume} bytes): growing it`);
  await growOffline(ctx, subject, path);
  return true;
};
