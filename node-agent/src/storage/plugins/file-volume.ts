// A volname on a file storage (dir, btrfs): parsed with PVE's dir conventions (`<vmid>/<name>`, a linked clone
// `<basevmid>/<basename>/<vmid>/<name>`, `iso/<file>`…), resolved to its path, and new names reserved exclusively.
import { lstat, mkdir, open, readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../../api/errors';
import type { ContentType, VolumeFormat } from '../plugin';
import { nextDiskName, parseVolname, type ParsedVolname } from '../volume-name';
import { contentDir, contentSegments, resolveInStorage, type FileContext } from './file-layout';

export interface FileVolume {
  volname: string;
  parsed: ParsedVolname;
  /** "volume local:100/vm-100-disk-0.qcow2", for messages. */
  subject: string;
}

export interface ImageVolume extends FileVolume {
  vmid: number;
  format: VolumeFormat;
  /** The linked clone's base: its owner and file name. */
  base?: { vmid: number; name: string };
}

export const subjectOf = (ctx: FileContext, volname: string): string => `volume ${ctx.storeid}:${volname}`;

export const parseFileVolume = (ctx: FileContext, volname: string): FileVolume => ({
  volname,
  parsed: parseVolname(volname, 'file'),
  subject: subjectOf(ctx, volname),
});

/** A disk image (content images/rootdir) with its owner and format; anything else is refused naming the volume. */
export const parseImageVolume = (ctx: FileContext, volname: string): ImageVolume => {
  const volume = parseFileVolume(ctx, volname);
  const { parsed } = volume;
  if ((parsed.content !== 'images' && parsed.content !== 'rootdir') || parsed.vmid === undefined || parsed.format === undefined) {
    throw new AppError('invalid-params', `${volume.subject} is not a disk image`, { storage: ctx.storeid, volname });
  }
  const base = parsed.base === undefined ? undefined : { vmid: parsed.base.vmid, name: basename(parsed.base.volname) };
  return { ...volume, vmid: parsed.vmid, format: parsed.format, ...(base === undefined ? {} : { base }) };
};

/** Whether a volume name is a disk image (images/rootdir) rather than a file of another content type. */
export const isImageVolname = (ctx: FileContext, volname: string): boolean => {
  const { content } = parseFileVolume(ctx, volname).parsed;
  return content === 'images' || content === 'rootdir';
};

/**
 * Delete a volume that is a plain file (an ISO, a template, a backup, a snippet): it must be a regular file (a
 * symlink is never followed out of the storage); a backup's `.notes` beside it goes with it, as in PVE.
 */
export const freeContentFile = async (ctx: FileContext, volname: string): Promise<void> => {
  const volume = parseFileVolume(ctx, volname);
  const path = await fileVolumePath(ctx, volume);
  const info = await lstat(path).catch(() => undefined);
  if (!info) throw new AppError('not-found', `${volume.subject} does not exist`, { storage: ctx.storeid, volname });
  if (!info.isFile()) throw new AppError('invalid-params', `${volume.subject} is not a regular file — it is left alone`, { storage: ctx.storeid, volname });
  await unlink(path);
  await unlink(`${path}.notes`).catch(() => undefined);
};

/** `<vmid>/<name>`, or for a linked clone `<basevmid>/<basename>/<vmid>/<name>` (PVE's dir volnames). */
export const imageVolname = (vmid: number, name: string, base?: { vmid: number; name: string }): string =>
  base === undefined ? `${vmid}/${name}` : `${base.vmid}/${base.name}/${vmid}/${name}`;

/** The file (or folder) of a volume; images live in images/<vmid>/, other content in its folder. */
export const fileVolumePath = async (ctx: FileContext, volume: FileVolume): Promise<string> => {
  const { parsed } = volume;
  const images = parsed.content === 'images' || parsed.content === 'rootdir';
  if (images && parsed.vmid === undefined) throw new AppError('invalid-params', `${volume.subject} has no owner`, { storage: ctx.storeid });
  const content: ContentType = images ? 'images' : parsed.content;
  const segments = [...contentSegments(ctx, content), ...(images ? [String(parsed.vmid)] : []), parsed.name];
  return resolveInStorage(ctx, segments);
};

export const imagesDir = (ctx: FileContext, vmid: number, create = false): Promise<string> => contentDir(ctx, 'images', vmid, create);

export const listNames = async (dir: string): Promise<string[]> =>
  readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });

const RESERVE_ATTEMPTS = 100;

const choosing = new Map<string, Promise<unknown>>();

/**
 * One name choice at a time per guest folder in this process. O_EXCL alone is not enough: disk numbers are shared
 * across formats, so vm-100-disk-0.raw and vm-100-disk-0.qcow2 would both be created exclusively by two callers at once.
 */
export const choosingNameIn = async <T>(dir: string, work: () => Promise<T>): Promise<T> => {
  const before = choosing.get(dir) ?? Promise.resolve();
  const mine = before.then(work, work);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  choosing.set(dir, settled);
  try {
    return await mine;
  } finally {
    if (choosing.get(dir) === settled) choosing.delete(dir);
  }
};

/**
 * Take the next free disk name in `dir` by creating it exclusively (O_EXCL file, or mkdir), one choice at a time:
 * two allocations at once never get the same disk number; another process racing us sees EEXIST and moves on.
 */
export const reserveDiskName = (
  ctx: FileContext,
  dir: string,
  prefix: 'vm' | 'base' | 'subvol',
  vmid: number,
  format: VolumeFormat,
  kind: 'file' | 'dir',
): Promise<string> =>
  choosingNameIn(dir, async () => {
    for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
      const name = nextDiskName(await listNames(dir), prefix, vmid, format);
      if (await reserveName(dir, name, kind)) return name;
    }
    throw new AppError('conflict', `storage ${ctx.storeid}: could not find a free disk name for guest ${vmid}`, { storage: ctx.storeid, vmid });
  });

/** Create `name` in `dir` exclusively; false when it already exists. */
export const reserveName = async (dir: string, name: string, kind: 'file' | 'dir'): Promise<boolean> => {
  try {
    if (kind === 'dir') await mkdir(join(dir, name));
    else await (await open(join(dir, name), 'wx', 0o640)).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
};

/** A caller-chosen disk name: valid in PVE's dir convention, of the requested format, and owned by `vmid`. */
export const checkWantedName = (ctx: FileContext, vmid: number, name: string, format: VolumeFormat): void => {
  const owner = /^(?:vm|base|subvol|basevol)-(\d+)-/.exec(name)?.[1];
  if (owner !== undefined && Number(owner) !== vmid) {
    throw new AppError('access-denied', `storage ${ctx.storeid}: name ${name} belongs to guest ${owner}, not ${vmid}`, { storage: ctx.storeid, name, vmid });
  }
  const parsed = parseVolname(`${vmid}/${name}`, 'file');
  if (parsed.format !== format) {
    throw new AppError('invalid-params', `storage ${ctx.storeid}: name ${name} does not end in .${format}`, { storage: ctx.storeid, name });
  }
};

/** Sizes are whole bytes; qemu-img and truncate would otherwise round or refuse them with a less clear message. */
export const checkSize = (ctx: FileContext, size: number): void => {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new AppError('invalid-params', `storage ${ctx.storeid}: size ${size} must be a whole number of bytes`, { storage: ctx.storeid, size });
  }
};
