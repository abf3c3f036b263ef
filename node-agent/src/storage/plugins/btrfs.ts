// The `btrfs` storage (PVE's btrfs plugin): a dir storage whose raw disks and container volumes are subvolumes, so
// snapshots are read-only snapshot subvolumes and clones are writable snapshots. ISO images, templates and backups are
// plain folders, exactly as on a dir storage; qcow2 or vmdk files found in images/ are handled by the dir plugin.
import { lstat, open, rename, rmdir, stat, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError, isAppError } from '../../api/errors';
import type { AllocRequest, StorageContext, StoragePlugin } from '../plugin';
import type { BtrfsConfig } from '../storage-config';
import { nextDiskName, SNAPSHOT_NAME } from '../volume-name';
import {
  assertBtrfs,
  createSubvolume,
  deleteSubvolumes,
  exists,
  isSubvolumeFormat,
  rawFileIn,
  setReadOnly,
  snapshotsOf,
  snapshotSubvolume,
  subvolumeName,
  subvolumePath,
} from './btrfs-subvolume';
import { copyLimit, limitSubvolume, subvolumeLimit } from './btrfs-quota';
import { dirPlugin } from './dir';
import { activateFileStorage, fileStorageStatus, type FileContext } from './file-layout';
import { fileImageEntry, listFileStorage, type ImageEntryInfo } from './file-list';
import { checkSize, checkWantedName, choosingNameIn, imagesDir, isImageVolname, listNames, parseFileVolume, parseImageVolume, type ImageVolume } from './file-volume';
import { qemuImgResize } from './qemu-img';
import { runStorageCommand } from './storage-command';
import { exportRawFile, importRawFile } from './raw-stream';

/** The dir plugin serves what btrfs keeps as plain files (its config is a subset of dir's). */
const dir = dirPlugin as unknown as StoragePlugin<FileContext['config']>;

const notSupported = (volume: ImageVolume, what: string): AppError =>
  new AppError('not-supported', `${volume.subject}: ${what} is not supported for format ${volume.format}`, { volname: volume.volname, format: volume.format });

const checkSnapshotName = (volume: ImageVolume, snap: string): void => {
  if (!SNAPSHOT_NAME.test(snap)) throw new AppError('invalid-params', `${volume.subject}: ${JSON.stringify(snap)} is not a valid snapshot name`, { snap });
};

/** The volume's subvolume, which must exist. */
const existingSubvolume = async (ctx: FileContext, volume: ImageVolume): Promise<string> => {
  const path = await subvolumePath(ctx, volume);
  if ((await lstat(path).catch(() => undefined))?.isDirectory() !== true) {
    throw new AppError('not-found', `${volume.subject} does not exist`, { storage: ctx.storeid, volname: volume.volname });
  }
  return path;
};

const existingSnapshot = async (ctx: FileContext, volume: ImageVolume, snap: string): Promise<string> => {
  checkSnapshotName(volume, snap);
  const path = await subvolumePath(ctx, volume, snap);
  if (!(await exists(path))) throw new AppError('not-found', `${volume.subject} has no snapshot ${snap}`, { snap });
  return path;
};

/**
 * A new subvolume for `vmid` named by `name` (or the next free disk name), created by `make` (subvolume create, or a
 * snapshot for clones). One choice at a time per folder; a subvolume that appeared meanwhile means try the next name.
 */
const newSubvolume = async (
  ctx: FileContext,
  vmid: number,
  format: 'raw' | 'subvol',
  wanted: string | undefined,
  make: (path: string, volname: string) => Promise<void>,
): Promise<string> => {
  const folder = await imagesDir(ctx, vmid, true);
  return choosingNameIn(folder, async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = wanted ?? nextDiskName(await listNames(folder), format === 'subvol' ? 'subvol' : 'vm', vmid, format);
      const path = join(folder, format === 'raw' ? name.replace(/\.raw$/, '') : name);
      const volname = `${vmid}/${name}`;
      if (!(await exists(path))) {
        try {
          await make(path, volname);
          return volname;
        } catch (error) {
          // Only a create or snapshot that lost the race for this name (it exists now) moves on to the next name.
          if (wanted !== undefined || !isAppError(error, 'command-failed') || !(await exists(path))) throw error;
        }
      }
      if (wanted !== undefined) throw new AppError('already-exists', `volume ${ctx.storeid}:${volname} already exists`, { storage: ctx.storeid });
    }
    throw new AppError('conflict', `storage ${ctx.storeid}: could not find a free disk name for guest ${vmid}`, { storage: ctx.storeid });
  });
};

const alloc = async (ctx: StorageContext<BtrfsConfig>, request: AllocRequest): Promise<string> => {
  const { format } = request;
  checkSize(ctx, request.size);
  if (!isSubvolumeFormat(format)) {
    throw new AppError('not-supported', `storage ${ctx.storeid}: btrfs storages keep raw disks and subvols; format ${format} is not supported`, { format });
  }
  if (request.name !== undefined) checkWantedName(ctx, request.vmid, request.name, format);
  if (format === 'subvol' && request.size !== 0 && ctx.config.quotas !== true) {
    // As PVE: quotas do not survive send/receive, so only a storage with `quotas` limits a subvol's size.
    throw new AppError('not-supported', `storage ${ctx.storeid}: a sized subvol needs btrfs quotas (storage option quotas); allocate it with size 0 or use a raw disk`, {
      storage: ctx.storeid,
    });
  }
  return newSubvolume(ctx, request.vmid, format, request.name, async (path, volname) => {
    const subject = `volume ${ctx.storeid}:${volname}`;
    await createSubvolume(ctx, subject, path);
    try {
      if (format === 'subvol') {
        if (request.size !== 0) await limitSubvolume(ctx, subject, path, request.size);
        return;
      }
      const file = rawFileIn(path);
      await (await open(file, 'wx', 0o640)).close();
      // nocow (PVE's option) must be set while the file is still empty: btrfs ignores it once data exists.
      if (ctx.config.nocow === true) await runStorageCommand(ctx, subject, 'chattr', ['+C', file]);
      await truncate(file, request.size);
    } catch (error) {
      await deleteSubvolumes(ctx, subject, [path]).catch(() => undefined);
      throw error;
    }
  });
};

/** A sized subvol (a storage with `quotas`) grows by raising its limit; it never shrinks, and an unlimited one stays so. */
const resizeSubvol = async (ctx: StorageContext<BtrfsConfig>, volume: ImageVolume, size: number): Promise<void> => {
  if (ctx.config.quotas !== true) throw new AppError('not-supported', `${volume.subject}: a subvol's size is a btrfs quota, and storage ${ctx.storeid} has no quotas (option quotas)`);
  const path = await existingSubvolume(ctx, volume);
  const current = await subvolumeLimit(ctx, volume.subject, path);
  if (current === undefined) throw new AppError('invalid-params', `${volume.subject} has no size limit to grow`, { size });
  if (size < current) throw new AppError('invalid-params', `${volume.subject} is ${current} bytes; volumes only grow (asked for ${size})`, { size, current });
  if (size > current) await limitSubvolume(ctx, volume.subject, path, size);
};

/** images/<vmid>/<entry> on btrfs: a raw disk's subvolume, a subvol, or (handled as on dir) an image file. */
const btrfsImageEntry: ImageEntryInfo = async (ctx, vmid, entry, path) => {
  if (entry.includes('@')) return undefined;
  if (entry.includes('.')) return fileImageEntry(ctx, vmid, entry, path);
  const volume = parseFileVolume(ctx, `${vmid}/${entry}.raw`);
  const raw = await stat(rawFileIn(path)).catch(() => undefined);
  if (!raw?.isFile()) return undefined;
  return {
    volid: `${ctx.storeid}:${volume.volname}`,
    content: 'images',
    format: 'raw',
    size: raw.size,
    used: raw.blocks * 512,
    vmid,
    ctime: Math.floor(raw.ctimeMs / 1000),
  };
};

export const btrfsPlugin: StoragePlugin<BtrfsConfig> = {
  type: 'btrfs',

  // statfs, not `btrfs filesystem usage`: PVE does the same (DirPlugin::status), the kernel's f_bavail already
  // accounts for the RAID profile, and status is polled for the metrics history: no process per sample.
  status: async (ctx) => fileStorageStatus(ctx),

  activate: async (ctx) => activateFileStorage(ctx, (root) => assertBtrfs(ctx, root)),

  list: async (ctx, filter = {}) => listFileStorage(ctx, filter, btrfsImageEntry),

  alloc: async (ctx, request) => alloc(ctx, request),

  async free(ctx, volname) {
    if (!isImageVolname(ctx, volname)) return dir.free(ctx, volname);
    const volume = parseImageVolume(ctx, volname);
    if (!isSubvolumeFormat(volume.format)) return dir.free(ctx, volname);
    const path = await existingSubvolume(ctx, volume);
    const name = subvolumeName(volume);
    const snapshots = (await snapshotsOf(dirname(path), name)).map((snap) => join(dirname(path), `${name}@${snap}`));
    await deleteSubvolumes(ctx, volume.subject, [...snapshots, path]);
    await rmdir(dirname(path)).catch(() => undefined);
  },

  async resize(ctx, volname, size) {
    const volume = parseImageVolume(ctx, volname);
    if (!isSubvolumeFormat(volume.format)) return dir.resize(ctx, volname, size);
    checkSize(ctx, size);
    if (volume.format === 'subvol') return resizeSubvol(ctx, volume, size);
    const file = rawFileIn(await existingSubvolume(ctx, volume));
    const current = (await stat(file)).size;
    if (size < current) throw new AppError('invalid-params', `${volume.subject} is ${current} bytes; disks only grow (asked for ${size})`, { size, current });
    if (size === current) return;
    // Snapshots are separate subvolumes, so (unlike qcow2) a disk with snapshots can grow.
    await qemuImgResize(ctx, volume.subject, file, 'raw', size, undefined);
  },

  async path(ctx, volname) {
    const volume = parseFileVolume(ctx, volname);
    if (volume.parsed.format === undefined || !isSubvolumeFormat(volume.parsed.format)) return dir.path(ctx, volname);
    const subvolume = await subvolumePath(ctx, parseImageVolume(ctx, volname));
    return volume.parsed.format === 'raw' ? rawFileIn(subvolume) : subvolume;
  },

  async snapshotCreate(ctx, volname, snap) {
    const volume = parseImageVolume(ctx, volname);
    if (!isSubvolumeFormat(volume.format)) return dir.snapshotCreate(ctx, volname, snap);
    checkSnapshotName(volume, snap);
    const path = await existingSubvolume(ctx, volume);
    const target = await subvolumePath(ctx, volume, snap);
    if (await exists(target)) throw new AppError('already-exists', `${volume.subject} already has a snapshot ${snap}`, { snap });
    await snapshotSubvolume(ctx, volume.subject, path, target, true);
  },

  async snapshotRollback(ctx, volname, snap) {
    const volume = parseImageVolume(ctx, volname);
    if (!isSubvolumeFormat(volume.format)) return dir.snapshotRollback(ctx, volname, snap);
    const path = await existingSubvolume(ctx, volume);
    const snapshot = await existingSnapshot(ctx, volume, snap);
    // A writable copy of the snapshot first, then swap it in: the volume is never missing if a step fails.
    const stamp = `${process.pid}-${Date.now()}`;
    const fresh = `${path}.rollback-${stamp}`;
    const old = `${path}.replaced-${stamp}`;
    await snapshotSubvolume(ctx, volume.subject, snapshot, fresh, false);
    if (volume.format === 'subvol' && ctx.config.quotas === true) await copyLimit(ctx, volume.subject, path, fresh);
    await rename(path, old);
    try {
      await rename(fresh, path);
    } catch (error) {
      await rename(old, path);
      await deleteSubvolumes(ctx, volume.subject, [fresh]).catch(() => undefined);
      throw error;
    }
    await deleteSubvolumes(ctx, volume.subject, [old]);
  },

  async snapshotDelete(ctx, volname, snap) {
    const volume = parseImageVolume(ctx, volname);
    if (!isSubvolumeFormat(volume.format)) return dir.snapshotDelete(ctx, volname, snap);
    await existingSubvolume(ctx, volume);
    await deleteSubvolumes(ctx, volume.subject, [await existingSnapshot(ctx, volume, snap)]);
  },

  async clone(ctx, volname, vmid, snap) {
    const volume = parseImageVolume(ctx, volname);
    const { format } = volume;
    if (!isSubvolumeFormat(format)) return dir.clone(ctx, volname, vmid, snap);
    const source = snap === undefined ? await existingSubvolume(ctx, volume) : await existingSnapshot(ctx, volume, snap);
    // A writable snapshot is a full, independent copy on btrfs: no base link in the new volname (as PVE).
    return newSubvolume(ctx, vmid, format, undefined, async (path, target) => {
      await snapshotSubvolume(ctx, `volume ${ctx.storeid}:${target}`, source, path, false);
      if (format === 'subvol' && ctx.config.quotas === true) await copyLimit(ctx, `volume ${ctx.storeid}:${target}`, source, path);
    });
  },

  async rename(ctx, volname, vmid, newName) {
    const volume = parseImageVolume(ctx, volname);
    const { format } = volume;
    if (!isSubvolumeFormat(format)) return dir.rename(ctx, volname, vmid, newName);
    const source = await existingSubvolume(ctx, volume);
    const oldName = subvolumeName(volume);
    if (newName !== undefined) checkWantedName(ctx, vmid, newName, format);
    const snapshots = await snapshotsOf(dirname(source), oldName);
    return newSubvolume(ctx, vmid, format, newName, async (path) => {
      await rename(source, path);
      // The snapshots follow their volume, so rollback and free still find them.
      const moveFolder = dirname(source) !== dirname(path);
      for (const snap of snapshots) {
        const from = join(dirname(source), `${oldName}@${snap}`);
        if (moveFolder) await setReadOnly(ctx, volume.subject, from, false);
        await rename(from, `${path}@${snap}`);
        if (moveFolder) await setReadOnly(ctx, volume.subject, `${path}@${snap}`, true);
      }
      await rmdir(dirname(source)).catch(() => undefined);
    });
  },

  async exportStream(ctx, volname, out) {
    const volume = parseFileVolume(ctx, volname);
    if (volume.parsed.format !== 'raw' && volume.parsed.format !== 'subvol') return dir.exportStream(ctx, volname, out);
    const image = parseImageVolume(ctx, volname);
    if (image.format === 'subvol') throw notSupported(image, 'exporting raw data');
    return exportRawFile(rawFileIn(await existingSubvolume(ctx, image)), out, ctx.signal);
  },

  async importStream(ctx, volname, input) {
    const volume = parseImageVolume(ctx, volname);
    if (!isSubvolumeFormat(volume.format)) return dir.importStream(ctx, volname, input);
    if (volume.format === 'subvol') throw notSupported(volume, 'importing raw data');
    const file = rawFileIn(await existingSubvolume(ctx, volume));
    await importRawFile(file, input, (await stat(file)).size, volume.subject, ctx.signal);
  },
};
