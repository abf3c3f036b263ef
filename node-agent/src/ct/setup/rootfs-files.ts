// Reads and writes files inside a container's root file system without ever leaving it. The rootfs belongs to the
// guest, so any path in it may be a symlink aimed at the host: writes walk the path one directory at a time with
// O_DIRECTORY|O_NOFOLLOW, each step opened through the previous directory's descriptor (/proc/self/fd/N/name acts as
// openat), so no symlink is followed and no directory can be swapped in between the check and the write.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readlink, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../api/errors';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW } = constants;
const MAX_SYMLINKS = 40; // as the kernel's own limit for one path lookup

export interface Owner {
  uid: number;
  gid: number;
}

const errno = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

const refuse = (path: string, why: string): AppError =>
  new AppError('access-denied', `refusing to touch ${path} in the container's root file system: ${why}`, { path });

/** The components of an absolute path inside the container; `..` is refused rather than resolved. */
export const containerPathParts = (path: string): string[] => {
  if (!path.startsWith('/')) throw new AppError('invalid-params', `container path ${path} must be absolute`, { path });
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse(path, 'it contains ..');
  if (parts.length === 0) throw new AppError('invalid-params', `container path ${path} names the root itself`, { path });
  return parts;
};

/** The path of `name` inside an open directory: the kernel resolves /proc/self/fd/N to that very directory. */
const at = (dir: FileHandle, name: string): string => `/proc/self/fd/${dir.fd}/${name}`;

const openDir = async (path: string, shown: string): Promise<FileHandle> => {
  try {
    return await open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    const code = errno(error);
    if (code === 'ELOOP' || code === 'ENOTDIR') throw refuse(shown, `${shown} is a symbolic link or not a directory`);
    throw error;
  }
};

/** The owner new files get: the rootfs root's own (0:0 privileged, the mapped root, e.g. 100000, unprivileged). */
export const rootfsOwner = async (root: string): Promise<Owner> => {
  const info = await stat(root);
  return { uid: info.uid, gid: info.gid };
};

/**
 * Open the directory holding `path`, every parent a real directory reached without following a symlink.
 * With `create`, missing parents are made (0755, owned like the rootfs). The caller closes the handle.
 */
export const openParent = async (
  root: string,
  path: string,
  create?: Owner,
): Promise<{ dir: FileHandle; name: string; parts: string[] }> => {
  const parts = containerPathParts(path);
  let dir = await open(root, O_RDONLY | O_DIRECTORY);
  try {
    for (let i = 0; i < parts.length - 1; i += 1) {
      const shown = `/${parts.slice(0, i + 1).join('/')}`;
      const next = at(dir, parts[i] ?? '');
      if (create) {
        try {
          await mkdir(next, 0o755);
          const made = await openDir(next, shown);
          await made.chown(create.uid, create.gid);
          await dir.close();
          dir = made;
          continue;
        } catch (error) {
          if (errno(error) !== 'EEXIST') throw error;
        }
      }
      const opened = await openDir(next, shown);
      await dir.close();
      dir = opened;
    }
  } catch (error) {
    await dir.close();
    if (errno(error) === 'ENOENT') throw new AppError('not-found', `${path} has no parent directory in the container`, { path });
    throw error;
  }
  return { dir, name: parts[parts.length - 1] ?? '', parts };
};

export interface ExistingFile {
  content: string;
  mode: number;
  uid: number;
  gid: number;
}

/** A regular file's content and metadata, read without following a symlink; undefined when absent or a symlink (`symlink: 'absent'`). */
export const readRegular = async (
  root: string,
  path: string,
  symlink: 'refuse' | 'absent' = 'refuse',
): Promise<ExistingFile | undefined> => {
  let parent;
  try {
    parent = await openParent(root, path);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not-found') return undefined;
    throw error;
  }
  const { dir, name } = parent;
  try {
    const info = await lstat(at(dir, name)).catch((error: unknown) => {
      if (errno(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) return undefined;
    if (info.isSymbolicLink()) {
      if (symlink === 'absent') return undefined;
      throw refuse(path, `${path} is a symbolic link`);
    }
    if (!info.isFile()) throw refuse(path, `${path} is not a regular file`);
    const handle = await open(at(dir, name), O_RDONLY | O_NOFOLLOW);
    try {
      const content = await handle.readFile('utf8');
      return { content, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid };
    } finally {
      await handle.close();
    }
  } finally {
    await dir.close();
  }
};

export interface WriteOptions {
  mode: number;
  owner: Owner;
  /** Replace a symlink at the final component (it is never followed); otherwise a symlink there is refused. */
  replaceSymlink?: boolean;
}

/** Write-then-rename inside the rootfs: a crash leaves the old file or the new one; a symlink or hard link is never written through. */
export const writeRegular = async (root: string, path: string, content: string, options: WriteOptions): Promise<void> => {
  const { dir, name } = await openParent(root, path, options.owner);
  try {
    const info = await lstat(at(dir, name)).catch((error: unknown) => {
      if (errno(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (info?.isSymbolicLink() && !options.replaceSymlink) throw refuse(path, `${path} is a symbolic link`);
    if (info && !info.isSymbolicLink() && !info.isFile()) throw refuse(path, `${path} is not a regular file`);
    const tmp = `.${name}.hd-${randomBytes(6).toString('hex')}`;
    const handle = await open(at(dir, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      await handle.writeFile(content);
      await handle.chown(options.owner.uid, options.owner.gid);
      await handle.chmod(options.mode); // after chown, which clears set-id bits
      await handle.sync();
      await handle.close();
      await rename(at(dir, tmp), at(dir, name));
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(at(dir, tmp)).catch(() => undefined);
      throw error;
    }
    await dir.sync();
  } finally {
    await dir.close();
  }
};

/** Make a directory (and its parents) and give it `mode`; an existing symlink in its place is refused. */
export const makeDirectory = async (root: string, path: string, mode: number, owner: Owner): Promise<void> => {
  const { dir, name } = await openParent(root, path, owner);
  try {
    await mkdir(at(dir, name), mode).then(
      async () => {
        const made = await openDir(at(dir, name), path);
        await made.chown(owner.uid, owner.gid).finally(() => made.close());
      },
      (error: unknown) => {
        if (errno(error) !== 'EEXIST') throw error;
      },
    );
    const made = await openDir(at(dir, name), path);
    await made.chmod(mode).finally(() => made.close());
  } finally {
    await dir.close();
  }
};

/** Remove a file (or a symlink itself, never its target); absent is fine. */
export const removeFile = async (root: string, path: string): Promise<void> => {
  let parent;
  try {
    parent = await openParent(root, path);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not-found') return;
    throw error;
  }
  try {
    await unlink(at(parent.dir, parent.name)).catch((error: unknown) => {
      if (errno(error) !== 'ENOENT') throw error;
    });
  } finally {
    await parent.dir.close();
  }
};

/**
 * Follow symlinks the way a chroot would, but refuse any that climbs above the root (`..` past `/`); absolute
 * targets start again at the rootfs root. Returns the container path of what `path` names, which need not exist.
 * For reading the guest's own links (etc/os-release → ../usr/lib/os-release); reads still open with O_NOFOLLOW.
 */
export const resolveInRoot = async (root: string, path: string): Promise<string> => {
  if (!path.startsWith('/')) throw new AppError('invalid-params', `container path ${path} must be absolute`, { path });
  let pending = path.split('/');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (done.length === 0) throw refuse(path, 'a symbolic link on its way climbs out of the root');
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    const info = await lstat(host).catch(() => undefined);
    if (!info?.isSymbolicLink()) {
      done.push(part);
      if (!info) return `/${[...done, ...pending.filter((p) => p !== '' && p !== '.')].join('/')}`;
      continue;
    }
    links += 1;
    if (links > MAX_SYMLINKS) throw refuse(path, 'too many levels of symbolic links');
    const target = await readlink(host);
    if (target.startsWith('/')) done.length = 0;
    pending = [...target.split('/'), ...pending];
  }
  return `/${done.join('/')}`;
};

/** Read a file the guest may reach through its own symlinks (see resolveInRoot); undefined when absent. */
export const readInRoot = async (root: string, path: string): Promise<string | undefined> => {
  const resolved = await resolveInRoot(root, path);
  return (await readRegular(root, resolved, 'absent'))?.content;
};

/** Whether `path` (followed as in resolveInRoot) is a regular file in the rootfs. */
export const isFileInRoot = async (root: string, path: string): Promise<boolean> => {
  const resolved = await resolveInRoot(root, path);
  const info = await lstat(join(root, resolved)).catch(() => undefined);
  return info?.isFile() ?? false;
};
