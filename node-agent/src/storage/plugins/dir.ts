// The `dir` storage: PVE's folder layout on any local file system; raw, qcow2 and vmdk images through qemu-img,
// internal qcow2 snapshots, linked qcow2 clones of base images, containers' subvol folders.
import { lstat, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { AppError } from '../../api/errors';
import type { AllocRequest, StoragePlugin, VolumeInfo } from '../plugin';
import type { DirConfig } from '../storage-config';
import { SNAPSHOT_NAME } from '../volume-name';
import { activateFileStorage, fileStorageStatus, type FileContext } from './file-layout';
import { fileImageEntry, listFileStorage } from './file-list';
import {
  checkSize,
  checkWantedName,
  fileVolumePath,
  freeContentFile,
  imagesDir,
  isImageVolname,
  imageVolname,
  parseFileVolume,
  parseImageVolume,
  reserveDiskName,
  reserveName,
  type ImageVolume,
} from './file-volume';
import { preallocationFor, qemuImgConvert, qemuImgCreate, qemuImgCreateBacked, qemuImgInfo, qemuImgResize, qemuImgSnapshot } from './qemu-img';
import { exportRawFile, importRawFile } from './raw-stream';

const notSupported = (volume: ImageVolume, what: string): AppError =>
  new AppError('not-supported', `${volume.subject}: ${what} is not supported for format ${volume.format}`, { volname: volume.volname, format: volume.format });

const checkSnapshotName = (volume: ImageVolume, snap: string): void => {
  if (!SNAPSHOT_NAME.test(snap)) throw new AppError('invalid-params', `${volume.subject}: ${JSON.stringify(snap)} is not a valid snapshot name`, { snap });
};

/** The image's file, which must exist. */
const existingImage = async (ctx: FileContext, volume: ImageVolume): Promise<string> => {
  const path = await fileVolumePath(ctx, volume);
  const stats = await lstat(path).catch(() => undefined);
  if (!stats || (volume.format === 'subvol' ? !stats.isDirectory() : !stats.isFile())) {
    throw new AppError('not-found', `${volume.subject} does not exist`, { storage: ctx.storeid, volname: volume.volname });
  }
  return path;
};

/** The qcow2's internal snapshots (checking it really is qcow2 on the way). */
const qcow2Snapshots = async (ctx: FileContext, volume: ImageVolume, path: string): Promise<string[]> => {
  if (volume.format !== 'qcow2') throw notSupported(volume, 'snapshots');
  return (await qemuImgInfo(ctx, volume.subject, path, 'qcow2')).snapshots;
};

/** Linked clones of a base volume (their backing file names it): a base with clones must stay. */
const linkedClones = async (ctx: FileContext, volume: ImageVolume): Promise<VolumeInfo[]> => {
  if (!volume.parsed.isBase) return [];
  const parent = `${ctx.storeid}:${volume.vmid}/${volume.parsed.name}`;
  return (await listFileStorage(ctx, { content: 'images' }, fileImageEntry)).filter((info) => info.parent === parent);
};

const removeEmptyFolder = (path: string): Promise<void> => rmdir(dirname(path)).catch(() => undefined);

/** A new image file of `format` (size in bytes) under a name reserved exclusively first. */
const allocFile = async (ctx: FileContext, request: AllocRequest): Promise<string> => {
  checkSize(ctx, request.size);
  const dir = await imagesDir(ctx, request.vmid, true);
  const kind = request.format === 'subvol' ? 'dir' : 'file';
  let name: string;
  if (request.name !== undefined) {
    checkWantedName(ctx, request.vmid, request.name, request.format);
    if (!(await reserveName(dir, request.name, kind))) {
      throw new AppError('already-exists', `volume ${ctx.storeid}:${request.vmid}/${request.name} already exists`, { storage: ctx.storeid });
    }
    name = request.name;
  } else {
    name = await reserveDiskName(ctx, dir, request.format === 'subvol' ? 'subvol' : 'vm', request.vmid, request.format, kind);
  }
  const volname = `${request.vmid}/${name}`;
  if (request.format === 'subvol') {
    if (request.size !== 0) {
      await rmdir(join(dir, name));
      throw new AppError('not-supported', `storage ${ctx.storeid}: a dir storage cannot limit a subvol's size; allocate it with size 0`, { storage: ctx.storeid });
    }
    return volname;
  }
  try {
    const preallocation = preallocationFor(request.format, ctx.config.preallocation);
    await qemuImgCreate(ctx, `volume ${ctx.storeid}:${volname}`, join(dir, name), request.format, request.size, preallocation);
  } catch (error) {
    await unlink(join(dir, name)).catch(() => undefined);
    throw error;
  }
  return volname;
};

/** A linked qcow2 clone of a base image, or a full copy (qemu-img convert) of anything else or of a snapshot. */
const cloneFile = async (ctx: FileContext, volume: ImageVolume, vmid: number, snap?: string): Promise<string> => {
  if (volume.format === 'subvol') throw notSupported(volume, 'cloning');
  const source = await existingImage(ctx, volume);
  if (snap !== undefined) {
    checkSnapshotName(volume, snap);
    if (!(await qcow2Snapshots(ctx, volume, source)).includes(snap)) {
      throw new AppError('not-found', `${volume.subject} has no snapshot ${snap}`, { snap });
    }
  }
  const dir = await imagesDir(ctx, vmid, true);
  const linked = volume.parsed.isBase && snap === undefined;
  const format = linked ? 'qcow2' : volume.format;
  const name = await reserveDiskName(ctx, dir, 'vm', vmid, format, 'file');
  const target = join(dir, name);
  const base = linked ? { vmid: volume.vmid, name: volume.parsed.name } : undefined;
  const volname = imageVolname(vmid, name, base);
  const subject = `volume ${ctx.storeid}:${volname}`;
  try {
    if (base) {
      const preallocation = preallocationFor('qcow2', ctx.config.preallocation);
      await qemuImgCreateBacked(ctx, subject, target, `../${base.vmid}/${base.name}`, volume.format, preallocation);
    } else {
      await qemuImgConvert(ctx, subject, { path: source, format: volume.format, ...(snap === undefined ? {} : { snapshot: snap }) }, { path: target, format });
    }
  } catch (error) {
    await unlink(target).catch(() => undefined);
    throw error;
  }
  return volname;
};

/** Export a non-raw image through a sparse raw copy next to it (qemu-img cannot write to a pipe). */
const exportConverted = async (ctx: FileContext, volume: ImageVolume, path: string, out: Writable): Promise<void> => {
  const temp = join(dirname(path), `.${volume.parsed.name}.export-${process.pid}-${Date.now()}.raw`);
  try {
    await qemuImgConvert(ctx, volume.subject, { path, format: volume.format }, { path: temp, format: 'raw' });
    await exportRawFile(temp, out, ctx.signal);
  } finally {
    await rm(temp, { force: true });
  }
};

export const dirPlugin: StoragePlugin<DirConfig> = {
  type: 'dir',

  activate: async (ctx) => activateFileStorage(ctx),

  status: async (ctx) => fileStorageStatus(ctx),

  list: async (ctx, filter = {}) => listFileStorage(ctx, filter, fileImageEntry),

  alloc: async (ctx, request) => {
    if (request.format === 'vmdk' || request.format === 'raw' || request.format === 'qcow2' || request.format === 'subvol') return allocFile(ctx, request);
    throw new AppError('not-supported', `storage ${ctx.storeid}: format ${String(request.format)} is not supported`);
  },

  async free(ctx, volname) {
    if (!isImageVolname(ctx, volname)) return freeContentFile(ctx, volname);
    const volume = parseImageVolume(ctx, volname);
    const path = await existingImage(ctx, volume);
    const clones = await linkedClones(ctx, volume);
    if (clones.length > 0) {
      throw new AppError('conflict', `${volume.subject} is the base of linked clones (${clones.map((c) => c.volid).join(', ')}) — remove them first`, {
        clones: clones.map((c) => c.volid),
      });
    }
    if (volume.format === 'subvol') await rm(path, { recursive: true });
    else await unlink(path);
    await removeEmptyFolder(path);
  },

  async resize(ctx, volname, size) {
    const volume = parseImageVolume(ctx, volname);
    checkSize(ctx, size);
    if (volume.format !== 'raw' && volume.format !== 'qcow2') throw notSupported(volume, 'resizing');
    const path = await existingImage(ctx, volume);
    const info = await qemuImgInfo(ctx, volume.subject, path, volume.format);
    if (size < info.virtualSize) {
      throw new AppError('invalid-params', `${volume.subject} is ${info.virtualSize} bytes; disks only grow (asked for ${size})`, { size, current: info.virtualSize });
    }
    if (size === info.virtualSize) return;
    if (info.snapshots.length > 0) {
      throw new AppError('not-supported', `${volume.subject} has snapshots (${info.snapshots.join(', ')}); delete them before resizing`, { snapshots: info.snapshots });
    }
    await qemuImgResize(ctx, volume.subject, path, volume.format, size, preallocationFor(volume.format, ctx.config.preallocation));
  },

  path: async (ctx, volname) => fileVolumePath(ctx, parseFileVolume(ctx, volname)),

  async snapshotCreate(ctx, volname, snap) {
    const volume = parseImageVolume(ctx, volname);
    checkSnapshotName(volume, snap);
    const path = await existingImage(ctx, volume);
    if ((await qcow2Snapshots(ctx, volume, path)).includes(snap)) throw new AppError('already-exists', `${volume.subject} already has a snapshot ${snap}`, { snap });
    await qemuImgSnapshot(ctx, volume.subject, path, 'create', snap);
  },

  async snapshotRollback(ctx, volname, snap) {
    const volume = parseImageVolume(ctx, volname);
    checkSnapshotName(volume, snap);
    const path = await existingImage(ctx, volume);
    if (!(await qcow2Snapshots(ctx, volume, path)).includes(snap)) throw new AppError('not-found', `${volume.subject} has no snapshot ${snap}`, { snap });
    await qemuImgSnapshot(ctx, volume.subject, path, 'apply', snap);
  },

  async snapshotDelete(ctx, volname, snap) {
    const volume = parseImageVolume(ctx, volname);
    checkSnapshotName(volume, snap);
    const path = await existingImage(ctx, volume);
    if (!(await qcow2Snapshots(ctx, volume, path)).includes(snap)) throw new AppError('not-found', `${volume.subject} has no snapshot ${snap}`, { snap });
    await qemuImgSnapshot(ctx, volume.subject, path, 'delete', snap);
  },

  clone: async (ctx, volname, vmid, snap) => cloneFile(ctx, parseImageVolume(ctx, volname), vmid, snap),

  async rename(ctx, volname, vmid, newName) {
    const volume = parseImageVolume(ctx, volname);
    const source = await existingImage(ctx, volume);
    if ((await linkedClones(ctx, volume)).length > 0) throw new AppError('conflict', `${volume.subject} is the base of linked clones and keeps its name`);
    const dir = await imagesDir(ctx, vmid, true);
    const kind = volume.format === 'subvol' ? 'dir' : 'file';
    let name: string;
    if (newName !== undefined) {
      checkWantedName(ctx, vmid, newName, volume.format);
      if (!(await reserveName(dir, newName, kind))) throw new AppError('already-exists', `volume ${ctx.storeid}:${vmid}/${newName} already exists`);
      name = newName;
    } else {
      name = await reserveDiskName(ctx, dir, volume.format === 'subvol' ? 'subvol' : 'vm', vmid, volume.format, kind);
    }
    // rename(2) replaces the empty placeholder that reserved the name.
    await rename(source, join(dir, name));
    await removeEmptyFolder(source);
    return imageVolname(vmid, name, volume.base);
  },

  async exportStream(ctx, volname, out) {
    const volume = parseFileVolume(ctx, volname);
    const path = await fileVolumePath(ctx, volume);
    const format = volume.parsed.format;
    if (format === 'subvol') throw new AppError('not-supported', `${volume.subject}: a subvol folder has no raw data to export`);
    if ((await stat(path).catch(() => undefined))?.isFile() !== true) throw new AppError('not-found', `${volume.subject} does not exist`);
    if (format === 'qcow2' || format === 'vmdk') return exportConverted(ctx, parseImageVolume(ctx, volname), path, out);
    return exportRawFile(path, out, ctx.signal);
  },

  async importStream(ctx, volname, input) {
    const volume = parseImageVolume(ctx, volname);
    if (volume.format === 'subvol') throw notSupported(volume, 'importing raw data');
    const path = await existingImage(ctx, volume);
    const info = await qemuImgInfo(ctx, volume.subject, path, volume.format);
    if (volume.format === 'raw') {
      await importRawFile(path, input, info.virtualSize, volume.subject, ctx.signal);
      return;
    }
    const temp = join(dirname(path), `.${volume.parsed.name}.import-${process.pid}-${Date.now()}.raw`);
    try {
      await qemuImgCreate(ctx, volume.subject, temp, 'raw', info.virtualSize, 'off');
      await importRawFile(temp, input, info.virtualSize, volume.subject, ctx.signal);
      await qemuImgConvert(ctx, volume.subject, { path: temp, format: 'raw' }, { path, format: volume.format, existing: true });
    } finally {
      await rm(temp, { force: true });
    }
  },
};

