// What a container volume is on its storage, decided without touching anything (pve-container's alloc_disk and
// mountpoint_mount): a new volume of STORAGE:SIZE_GiB is a raw image formatted ext4 where the size can only be held
// by a file system (dir and btrfs storages, LVM), or a folder (subvol) where the storage limits it itself (zfs
// refquota, btrfs quota with `quotas`) or where size 0 asks for no limit at all. At start a subvol is bind-mounted
// and a raw volume mounted from its image (through a loop device) or its block device.
import { AppError } from '../api/errors';
import { capabilities } from '../storage/capabilities';
import type { StorageConfig } from '../storage/storage-config';
import type { VolumeFormat } from '../storage/plugin';
import { formatMountPoint, type CtMountPoint } from './config/mount-point';
import { formatSize } from '../vm/vm-disks';
import { sizeBytes } from '../vm/config/property-string';
import type { LxcMountSource } from './lxc-config';

/** The file system PVE puts on a container's raw volumes. */
export const CT_FILESYSTEM = 'ext4';

export interface CtVolumeLayout {
  readonly format: 'raw' | 'subvol';
  /** Bytes; 0 for a subvol without a limit. */
  readonly size: number;
  /** A raw volume gets a file system before anything uses it. */
  readonly mkfs: boolean;
}

/** PVE rounds the size to whole MiB (`int(size_gb * 1024) * 1024` KiB). */
export const newVolumeBytes = (sizeGiB: number): number => Math.trunc(sizeGiB * 1024) * 1024 * 1024;

/** How a new container volume of `sizeGiB` is made on `storage` (the key names it in errors). */
export const newVolumeLayout = (key: string, storage: StorageConfig, sizeGiB: number): CtVolumeLayout => {
  const size = newVolumeBytes(sizeGiB);
  if (!storage.content.includes('rootdir'))
    throw new AppError('invalid-params', `${key}: storage ${storage.id} does not hold container volumes (content rootdir)`, { key, storage: storage.id });
  switch (storage.type) {
    case 'dir':
    case 'btrfs': {
      const quotas = storage.type === 'btrfs' && storage.quotas === true;
      return size > 0 && !quotas ? { format: 'raw', size, mkfs: true } : { format: 'subvol', size, mkfs: false };
    }
    case 'zfspool':
      return { format: 'subvol', size, mkfs: false };
    case 'lvm':
    case 'lvmthin':
      if (size === 0)
        throw new AppError('invalid-params', `${key}: size 0 makes a folder without a limit, which needs a dir, btrfs or zfs storage (${storage.id} is ${storage.type})`, {
          key,
        });
      return { format: 'raw', size, mkfs: true };
  }
};

/** How LXC reaches a resolved volume: a folder is bind-mounted, a raw volume is a file system on an image or a device. */
export const mountSourceOf = (volume: { path: string; format: VolumeFormat | undefined; storage: Pick<StorageConfig, 'type'> }): LxcMountSource => {
  if (volume.format === 'subvol') return { path: volume.path };
  if (volume.format !== 'raw') throw new AppError('not-supported', `${volume.path}: a container volume is raw or subvol, not ${volume.format ?? 'unknown'}`);
  return { path: volume.path, fstype: CT_FILESYSTEM, loop: capabilities[volume.storage.type].layout === 'file' };
};

/** The size `request` (`8G`, or `+2G` on top of `current` bytes) asks for; refused when it would not grow the volume. */
export const resizeTarget = (key: string, current: number, request: string): number => {
  const grow = request.startsWith('+');
  const wanted = grow ? current + sizeBytes(request.slice(1)) : sizeBytes(request);
  if (wanted < current) throw new AppError('invalid-params', `${key}: volumes only grow — it is ${formatSize(current)}, ${request} would shrink it`, { key, current, wanted });
  if (wanted === current) throw new AppError('invalid-params', `${key}: it is already ${formatSize(current)}`, { key, current });
  return wanted;
};

/** The mount point's text naming `volume` with `size=` (PVE prints the size it allocated or grew to; 0 as `0T`). */
export const withVolume = (mount: Pick<CtMountPoint, 'options'>, volume: string, size?: number): string =>
  formatMountPoint({ volume, options: { ...mount.options, ...(size === undefined ? {} : { size: size === 0 ? '0T' : formatSize(size) }) } });
