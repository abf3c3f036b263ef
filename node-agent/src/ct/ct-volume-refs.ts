// The storage volumes a container config names (rootfs and mpN that are volumes, not bind mounts) and whether each
// exists: asked of the storage's own listing, so dir, btrfs, LVM and ZFS all answer the same way.
import { AppError } from '../api/errors';
import type { CallOptions, StorageService } from '../storage/service';
import { parseVolid } from '../storage/volume-name';
import { isMountKey, parseMountPoint, type CtMountPoint } from './config/mount-point';

/** The storage volumes among one section's rootfs and mpN, rootfs first, then by N; unreadable values are skipped (validation names them). */
export const volumeMountsOf = (values: Readonly<Record<string, string>>): CtMountPoint[] =>
  Object.entries(values)
    .filter(([key]) => isMountKey(key))
    .flatMap(([key, value]) => {
      try {
        return [parseMountPoint(key, value)];
      } catch {
        return [];
      }
    })
    .filter((mount) => mount.kind === 'volume')
    .sort((a, b) => a.index - b.index);

/** The last part of a volname: a linked clone's own name without its base ("base-100-disk-0/vm-101-disk-0" → "vm-101-disk-0"). */
const ownName = (volname: string): string => volname.split('/').at(-1) ?? volname;

/**
 * Why volid cannot be used as guest `vmid`'s volume (its storage is missing or disabled here, the volume is not on it,
 * or it is named for another guest), or undefined when it can.
 */
export const volumeProblem = async (
  storage: StorageService,
  volid: string,
  vmid: number,
  call: CallOptions,
): Promise<string | undefined> => {
  try {
    const volume = await storage.resolveVolume(volid, call);
    const owner = volume.parsed.vmid;
    if (owner !== undefined && owner !== vmid) return `volume ${volid} is named for guest ${owner}, not for CT ${vmid}`;
    const listed = await storage.contentList(volume.storage.id, owner === undefined ? {} : { vmid: owner }, call);
    const own = ownName(volume.volname);
    if (!listed.some((info) => ownName(parseVolid(info.volid).volname) === own))
      return `volume ${volid} does not exist on storage ${volume.storage.id}`;
    return undefined;
  } catch (error) {
    return AppError.from(error).message;
  }
};
