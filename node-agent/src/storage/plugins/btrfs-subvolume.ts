// PVE's btrfs volume model: a raw disk `<vmid>/vm-<vmid>-disk-<n>.raw` lives at images/<vmid>/vm-<vmid>-disk-<n>/disk.raw
// (its own subvolume), a container volume `<vmid>/subvol-<vmid>-disk-<n>.subvol` is the subvolume itself, and a snapshot
// is the read-only subvolume `<subvolume>@<snap>` beside it.
import { lstat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../api/errors';
import type { StorageContext } from '../plugin';
import { contentSegments, resolveInStorage, type FileContext } from './file-layout';
import { listNames, type ImageVolume } from './file-volume';
import { runStorageCommand } from './storage-command';

/** statfs f_type of btrfs (linux/magic.h). */
export const BTRFS_MAGIC = 0x9123683e;

export const RAW_FILE = 'disk.raw';

export const isSubvolumeFormat = (format: string): format is 'raw' | 'subvol' => format === 'raw' || format === 'subvol';

/** The subvolume's folder name: a raw disk's name without `.raw`; a subvol keeps its `.subvol`. */
export const subvolumeName = (volume: { parsed: { name: string }; format: string }): string =>
  volume.format === 'raw' ? volume.parsed.name.replace(/\.raw$/, '') : volume.parsed.name;

/** The volume's subvolume (or one of its snapshots), resolved safely inside the storage. */
export const subvolumePath = (ctx: FileContext, volume: ImageVolume, snap?: string): Promise<string> =>
  resolveInStorage(ctx, [...contentSegments(ctx, 'images'), String(volume.vmid), subvolumeName(volume) + (snap === undefined ? '' : `@${snap}`)]);

export const exists = (path: string): Promise<boolean> => lstat(path).then(
  () => true,
  () => false,
);

/** The names of a subvolume's snapshots (`<name>@<snap>` entries beside it). */
export const snapshotsOf = async (folder: string, name: string): Promise<string[]> =>
  (await listNames(folder)).filter((entry) => entry.startsWith(`${name}@`)).map((entry) => entry.slice(name.length + 1));

export const assertBtrfs = async (ctx: FileContext, path: string): Promise<void> => {
  const stats = await statfs(path);
  if (stats.type !== BTRFS_MAGIC) {
    throw new AppError('invalid-params', `storage ${ctx.storeid}: ${path} is not on a btrfs file system (statfs type 0x${stats.type.toString(16)})`, {
      storage: ctx.storeid,
    });
  }
};

const BTRFS = 'btrfs';

export const createSubvolume = async <C>(ctx: StorageContext<C>, subject: string, path: string): Promise<void> => {
  await runStorageCommand(ctx, subject, BTRFS, ['subvolume', 'create', '--', path]);
};

/** `readOnly`: a snapshot; otherwise a writable copy (clone, rollback). */
export const snapshotSubvolume = async <C>(ctx: StorageContext<C>, subject: string, source: string, target: string, readOnly: boolean): Promise<void> => {
  await runStorageCommand(ctx, subject, BTRFS, ['subvolume', 'snapshot', ...(readOnly ? ['-r'] : []), '--', source, target]);
};

export const deleteSubvolumes = async <C>(ctx: StorageContext<C>, subject: string, paths: readonly string[]): Promise<void> => {
  if (paths.length > 0) await runStorageCommand(ctx, subject, BTRFS, ['subvolume', 'delete', '--', ...paths], { timeoutMs: 10 * 60_000 });
};

/** The path of a volume's raw file inside its subvolume. */
export const rawFileIn = (subvolume: string): string => join(subvolume, RAW_FILE);

/** A read-only snapshot cannot change its parent folder (its `..` would change), so a move across guests unlocks it briefly. */
export const setReadOnly = async <C>(ctx: StorageContext<C>, subject: string, path: string, readOnly: boolean): Promise<void> => {
  await runStorageCommand(ctx, subject, BTRFS, ['property', 'set', '-ts', path, 'ro', String(readOnly)]);
};
