// A container's volumes resolved for a start: the rootfs and every storage mount point to what LXC mounts (a folder,
// or a raw volume's image or device), every bind mount to its real path on the node (symlinks resolved, so the
// compiler's checkBindSource sees where it really leads; it must be an existing folder, as PVE requires).
import { realpath, stat } from 'node:fs/promises';
import { AppError } from '../api/errors';
import type { CallOptions, StorageService } from '../storage/service';
import type { CtMountPoint } from './config/mount-point';
import { checkBindSource } from './config/paths';
import type { CtConfig } from './config/typed';
import { mountSourceOf } from './ct-volume-plan';
import type { LxcMountSource } from './lxc-config';

export interface CtMounts {
  readonly rootfs: LxcMountSource;
  /** mpN → its source (storage volumes and bind mounts). */
  readonly mounts: Readonly<Record<string, LxcMountSource>>;
}

/** The real folder a bind mount's source names; invalid-params naming the key when it is missing or not a folder. */
export const bindSourceOf = async (mount: Pick<CtMountPoint, 'key' | 'volume'>): Promise<LxcMountSource> => {
  const path = await realpath(mount.volume).catch(() => undefined);
  const info = path === undefined ? undefined : await stat(path).catch(() => undefined);
  if (path === undefined || info?.isDirectory() !== true)
    throw new AppError('invalid-params', `${mount.key}: the bind source ${mount.volume} is not a folder on this node`, { key: mount.key });
  return { path };
};

/**
 * A bind source given in create or set: where it exists, its real path must pass checkBindSource (a symlink to /proc
 * is refused now, not at start); a folder that does not exist yet is checked at start.
 */
export const checkBindSourceNow = async (mount: Pick<CtMountPoint, 'key' | 'volume'>): Promise<void> => {
  const path = await realpath(mount.volume).catch(() => undefined);
  if (path !== undefined) checkBindSource(path, mount.key);
};

/** The storage volumes (rootfs and mpN) resolved, key → source; bind mounts are left out. */
export const volumeSources = async (storage: StorageService, ct: CtConfig, call: CallOptions): Promise<Record<string, LxcMountSource>> => {
  const sources: Record<string, LxcMountSource> = {};
  for (const mount of [ct.rootfs, ...ct.mountPoints])
    if (mount.kind === 'volume') sources[mount.key] = mountSourceOf(await storage.volumePath(mount.volume, call));
  return sources;
};

export const resolveCtMounts = async (storage: StorageService, ct: CtConfig, call: CallOptions): Promise<CtMounts> => {
  const { rootfs, ...volumes } = await volumeSources(storage, ct, call);
  if (rootfs === undefined) throw new AppError('invalid-params', 'rootfs: must be a storage volume', { key: 'rootfs' });
  const mounts: Record<string, LxcMountSource> = { ...volumes };
  for (const mount of ct.mountPoints) if (mount.kind === 'bind') mounts[mount.key] = await bindSourceOf(mount);
  return { rootfs, mounts };
};

/** The image files among the sources (what LXC's loop devices hold while the container runs). */
export const loopImagesOf = (sources: readonly LxcMountSource[]): string[] => sources.filter((source) => source.loop === true).map((source) => source.path);
