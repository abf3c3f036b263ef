// A full copy of one container volume for another container (pve-container's copy_volume). The new volume is what
// the target storage makes of a volume that size (ct-volume-plan: a raw ext4 image, or a folder); a raw image of the
// same size is copied block by block, anything else file by file — both volumes mounted where they are raw — with
// owners, modes, hard links, device nodes and xattrs as they are (an unprivileged container's shifted ids stay
// shifted). A copy that fails is freed.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../api/errors';
import type { StorageConfig } from '../storage/storage-config';
import type { CallOptions, StorageService } from '../storage/service';
import type { TaskContext } from '../tasks/task-context';
import { sizeBytes } from '../vm/config/property-string';
import { runOk, storageCall } from '../vm/task-run';
import type { CtMountPoint } from './config/mount-point';
import type { CtService } from './ct-service';
import { allocCtVolume } from './ct-volume-alloc';
import { volumeBytes, withVolumeMounted } from './ct-volume-fs';
import { mountSourceOf, newVolumeLayout, type CtVolumeLayout } from './ct-volume-plan';
import { lxcPath } from './lxc-paths';

/** A copy may take long (a large image); cancelling the task stops it. */
const COPY_TIMEOUT_MS = 24 * 3600_000;
const GiB = 1024 ** 3;

/** A planned copy: the source's size and what the target storage makes of a volume that size. */
export interface CopyPlan {
  readonly bytes: number;
  readonly layout: CtVolumeLayout;
  readonly target: string;
}

/**
 * What copying `mount` to storage `target` makes, checked before anything is done: a raw volume's size is its image's
 * or device's, a subvol's the size= it records (none: a folder without a limit).
 */
export const planCopy = async (
  storage: StorageService,
  mount: CtMountPoint,
  target: StorageConfig,
  call: CallOptions,
): Promise<CopyPlan> => {
  const from = await storage.volumePath(mount.volume, call);
  if (from.format !== 'raw' && from.format !== 'subvol')
    throw new AppError(
      'not-supported',
      `${mount.key}: ${mount.volume} is a ${from.format ?? 'unknown'} volume; a container's volumes are raw or subvol`,
      { volid: mount.volume },
    );
  const bytes =
    from.format === 'raw' ? await volumeBytes(from.path) : mount.size === undefined ? 0 : sizeBytes(mount.size);
  return { bytes, layout: newVolumeLayout(mount.key, target, bytes / GiB), target: target.id };
};

/** Copy `mount`'s volume to a new volume of CT `vmid` as planned; `owner` is the container's root on the host. Returns the new volid. */
export const copyCtVolume = async (
  cts: CtService,
  ctx: TaskContext,
  mount: CtMountPoint,
  vmid: number,
  plan: CopyPlan,
  owner: { uid: number; gid: number },
): Promise<string> => {
  const storage = cts.options.storage;
  const call = storageCall(ctx);
  const from = await storage.volumePath(mount.volume, call);
  const blockCopy = from.format === 'raw' && plan.layout.format === 'raw' && plan.layout.size === plan.bytes;
  const volid = blockCopy
    ? (await storage.alloc({ storage: plan.target, vmid, format: 'raw', size: plan.bytes }, call)).volid
    : (await allocCtVolume(storage, vmid, mount.key, { storage: plan.target, sizeGiB: plan.bytes / GiB }, owner, ctx))
        .volid;
  try {
    const to = await storage.volumePath(volid, call);
    ctx.log(`${mount.key}: copying ${mount.volume} to ${volid}`);
    if (blockCopy) {
      await runOk(ctx, mount.key, 'qemu-img', ['convert', '-n', '-f', 'raw', '-O', 'raw', from.path, to.path], {
        timeoutMs: COPY_TIMEOUT_MS,
      });
      return volid;
    }
    // As PVE, the volumes are mounted in the new container's LXC folder while their files are copied.
    const work = join(lxcPath(cts.options.paths), String(vmid));
    const mounted = async (volume: typeof from, dir: string, body: (path: string) => Promise<void>): Promise<void> => {
      const source = mountSourceOf(volume);
      if (source.fstype === undefined) return body(source.path);
      await mkdir(join(work, dir), { recursive: true, mode: 0o700 });
      return withVolumeMounted(ctx, mount.key, source, join(work, dir), () => body(join(work, dir)));
    };
    await mounted(from, '.copy-volume-2', (src) =>
      mounted(to, '.copy-volume-1', async (dest) => {
        // -T: into the new volume's root itself (its owner and mode become the source's); -x: this volume only.
        await runOk(ctx, mount.key, 'cp', ['-a', '-x', '--reflink=auto', '-T', src, dest], {
          timeoutMs: COPY_TIMEOUT_MS,
        });
      }),
    );
  } catch (error) {
    await storage.free(volid, vmid, call).catch(() => undefined);
    throw error;
  }
  return volid;
};
