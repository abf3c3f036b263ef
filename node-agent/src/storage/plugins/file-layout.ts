// PVE's folder layout for file storages (dir, btrfs) and the one resolver every path goes through: plain
// segments only, and no symlink below the storage root may lead out of it, so a hostile volname touches nothing outside.
import { lstat, mkdir, readFile, realpath, statfs } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { AppError } from '../../api/errors';
import type { ContentType, StorageContext } from '../plugin';

/** pve-storage's $vtype_subdirs: where each content type lives under the storage path. */
export const CONTENT_SUBDIRS: Record<ContentType, string> = {
  images: 'images',
  rootdir: 'private',
  iso: 'template/iso',
  vztmpl: 'template/cache',
  backup: 'dump',
  snippets: 'snippets',
  import: 'import',
};

/** The properties every file storage shares (DirConfig and BtrfsConfig both have them). */
export interface FileStorageConfig {
  path: string;
  content: ContentType[];
  mkdir?: boolean;
  'create-base-path'?: boolean;
  'create-subdirs'?: boolean;
  'is_mountpoint'?: string;
  'content-dirs'?: Record<string, string>;
  preallocation?: 'off' | 'metadata' | 'falloc' | 'full';
}

export type FileContext = StorageContext<FileStorageConfig>;

// eslint-disable-next-line no-control-regex
const BAD_SEGMENT = /[\u0000-\u001f\u007f/\\]/;
// eslint-disable-next-line no-control-regex
const BAD_PATH = /[\u0000-\u001f\u007f]/;

/** One path segment from a volname or config: refuses '', '.', '..', separators and control characters. */
export const checkSegment = (storeid: string, segment: string, what: string): string => {
  if (segment === '' || segment === '.' || segment === '..' || BAD_SEGMENT.test(segment)) {
    throw new AppError('invalid-params', `storage ${storeid}: ${JSON.stringify(what)} is not a safe path inside the storage`, { storage: storeid });
  }
  return segment;
};

/** The storage's folder on this node: its configured absolute path under the agent's root. */
export const storageRoot = (ctx: FileContext): string => {
  const path = ctx.config.path;
  if (typeof path !== 'string' || !isAbsolute(path) || path.split('/').includes('..') || BAD_PATH.test(path)) {
    throw new AppError('invalid-params', `storage ${ctx.storeid}: path ${JSON.stringify(path)} must be an absolute path without ..`, { storage: ctx.storeid });
  }
  return join(ctx.root, path);
};

/** The segments (relative to the storage root) of a content type's folder, honouring `content-dirs`. */
export const contentSegments = (ctx: FileContext, content: ContentType): string[] => {
  const override = ctx.config['content-dirs']?.[content];
  const relative = override ?? CONTENT_SUBDIRS[content];
  return relative
    .split('/')
    .filter((part) => part !== '')
    .map((part) => checkSegment(ctx.storeid, part, relative));
};

const isInside = (root: string, path: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * The path of `segments` below the storage root. Every segment must be plain; every component that exists is
 * lstat'ed and a symlink is allowed only when its target stays inside the storage. Throws access-denied otherwise.
 */
export const resolveInStorage = async (ctx: FileContext, segments: readonly string[]): Promise<string> => {
  const root = storageRoot(ctx);
  for (const segment of segments) checkSegment(ctx.storeid, segment, segments.join('/'));
  const realRoot = await realpath(root).catch(() => root);
  let current = root;
  for (const segment of segments) {
    current = join(current, segment);
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (!info) break;
    if (info.isSymbolicLink()) {
      const target = await realpath(current).catch(() => undefined);
      if (target === undefined || !isInside(realRoot, target)) {
        throw new AppError('access-denied', `storage ${ctx.storeid}: ${segments.join('/')} leads outside the storage (symlink ${segment})`, {
          storage: ctx.storeid,
        });
      }
    }
  }
  return join(root, ...segments);
};

/** The folder of a content type (images: of one guest), created on demand when `create` is set. */
export const contentDir = async (ctx: FileContext, content: ContentType, vmid?: number, create = false): Promise<string> => {
  const segments = [...contentSegments(ctx, content), ...(vmid === undefined ? [] : [String(vmid)])];
  const dir = await resolveInStorage(ctx, segments);
  if (create) await mkdir(dir, { recursive: true });
  return dir;
};

const unescapeMount = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** Whether `path` is a mount point (listed in /proc/self/mountinfo, PVE's path_is_mounted). */
export const isMountPoint = async (path: string): Promise<boolean> => {
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined) return false;
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => {
    const field = line.split(' ')[4];
    return field !== undefined && unescapeMount(field) === real;
  });
};

/** PVE's parse_is_mountpoint: a boolean says "the storage path", anything else names the mount point. */
export const expectedMountPoint = (ctx: FileContext): string | undefined => {
  const value = ctx.config.is_mountpoint;
  if (value === undefined) return undefined;
  if (/^(1|yes|on|true)$/i.test(value)) return storageRoot(ctx);
  if (/^(0|no|off|false)$/i.test(value)) return undefined;
  if (!isAbsolute(value) || value.split('/').includes('..')) {
    throw new AppError('invalid-params', `storage ${ctx.storeid}: is_mountpoint ${JSON.stringify(value)} must be a boolean or an absolute path`, { storage: ctx.storeid });
  }
  return join(ctx.root, value);
};

/** Mount check, base folder (PVE: create-base-path, else mkdir, default yes), existence, then the content folders PVE creates. */
export const activateFileStorage = async (ctx: FileContext, check?: (root: string) => Promise<void>): Promise<void> => {
  const root = storageRoot(ctx);
  const mountPoint = expectedMountPoint(ctx);
  if (mountPoint !== undefined && !(await isMountPoint(mountPoint))) {
    throw new AppError('unreachable', `unable to activate storage ${ctx.storeid}: ${mountPoint} is expected to be a mount point but is not mounted`, { storage: ctx.storeid });
  }
  if (ctx.config['create-base-path'] ?? ctx.config.mkdir ?? true) await mkdir(root, { recursive: true });
  const info = await lstat(root).catch(() => undefined);
  if (!info?.isDirectory() && !(info?.isSymbolicLink() && (await realpath(root).then(() => true, () => false)))) {
    throw new AppError('not-found', `unable to activate storage ${ctx.storeid}: directory ${root} does not exist`, { storage: ctx.storeid });
  }
  // A type's own check (btrfs: the file system) runs before any content folder is made on the wrong file system.
  await check?.(root);
  if (ctx.config['create-subdirs'] === false || ctx.config.mkdir === false) return;
  const wanted = new Set(ctx.config.content);
  // PVE also makes dump/ for rootdir (container migration writes there).
  if (wanted.has('rootdir')) wanted.add('backup');
  for (const content of wanted) await contentDir(ctx, content, undefined, true);
};

/** total/used/avail from statfs, the way PVE's df does; inactive (zeros) when the folder is missing or not mounted. */
export const fileStorageStatus = async (ctx: FileContext): Promise<{ total: number; used: number; avail: number; active: boolean }> => {
  const inactive = { total: 0, used: 0, avail: 0, active: false };
  const mountPoint = expectedMountPoint(ctx);
  if (mountPoint !== undefined && !(await isMountPoint(mountPoint))) return inactive;
  const stats = await statfs(storageRoot(ctx)).catch(() => undefined);
  if (!stats) return inactive;
  return {
    total: stats.blocks * stats.bsize,
    used: (stats.blocks - stats.bfree) * stats.bsize,
    avail: stats.bavail * stats.bsize,
    active: true,
  };
};
