// A new container volume from STORAGE:SIZE_GiB (pve-container's alloc_disk): allocated as its storage holds container
// volumes (ct-volume-plan), a raw one given its ext4 file system, and the root folder of either owned by the
// container's root on the host (an unprivileged container's mapped root). Freed again if any step fails.
import { chown } from 'node:fs/promises';
import type { StorageService } from '../storage/service';
import type { TaskContext } from '../tasks/task-context';
import { storageCall } from '../vm/task-run';
import { formatSize } from '../vm/vm-disks';
import { formatVolume } from './ct-volume-fs';
import { mountSourceOf, newVolumeLayout } from './ct-volume-plan';
import type { LxcMountSource } from './lxc-config';

export interface AllocatedCtVolume {
  readonly volid: string;
  /** Bytes, as the mount point's size= records it. */
  readonly size: number;
  readonly source: LxcMountSource;
}

export const allocCtVolume = async (
  storage: StorageService,
  vmid: number,
  key: string,
  request: { readonly storage: string; readonly sizeGiB: number },
  owner: { readonly uid: number; readonly gid: number },
  ctx: TaskContext,
): Promise<AllocatedCtVolume> => {
  const call = storageCall(ctx);
  const target = await storage.resolve(request.storage, call);
  const layout = newVolumeLayout(key, target.storage, request.sizeGiB);
  const { volid } = await storage.alloc({ storage: request.storage, vmid, format: layout.format, size: layout.size }, call);
  try {
    const volume = await storage.volumePath(volid, call);
    if (layout.mkfs) await formatVolume(ctx, `${key}: ${volid}`, volume.path, owner);
    else await chown(volume.path, owner.uid, owner.gid);
    ctx.log(`${key}: allocated ${volid} (${layout.size === 0 ? 'a folder without a size limit' : formatSize(layout.size)}${layout.mkfs ? ', ext4' : ''})`);
    return { volid, size: layout.size, source: mountSourceOf(volume) };
  } catch (error) {
    await storage.free(volid, vmid, call).catch(() => undefined);
    throw error;
  }
};
