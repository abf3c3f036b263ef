// pct resize: grow rootfs or a mount point's volume to SIZE or by +SIZE, never shrinking it, as a `resize` task holding
// the container's lock. The storage grows the volume (a raw image or device, a btrfs quota, a zfs refquota); a raw
// volume's ext4 then grows with it — online while the container runs (through the monitor's namespace), offline
// after a forced check when it is stopped. A size-0 folder on a dir storage has no limit: only its size= changes.
// The config's size= is written right after the storage change, so it never claims more than the volume has.
import { AppError } from '../api/errors';
import type { ParsedParams } from '../api';
import { CURRENT, currentOf, setKey } from '../vm/config/conf-document';
import { sizeBytes } from '../vm/config/property-string';
import { storageCall } from '../vm/task-run';
import { formatSize } from '../vm/vm-disks';
import { volumeOwner } from '../vm/vm-volumes';
import { asCtConf } from './config/ct-conf';
import { parseMountPoint, type CtMountPoint } from './config/mount-point';
import { ctState, monitorPid } from './ct-runtime';
import { CtService } from './ct-service';
import { growOffline, growOnline, volumeBytes, waitReleased } from './ct-volume-fs';
import { mountSourceOf, resizeTarget, withVolume } from './ct-volume-plan';

/** The mount point `disk` names in the current config (rootfs or mpN), which must be a volume of this container. */
const volumeMount = (vmid: number, disk: string, value: string | undefined): CtMountPoint => {
  if (value === undefined) throw new AppError('invalid-params', `${disk}: CT ${vmid} has no ${disk}`, { vmid, disk });
  let mount: CtMountPoint;
  try {
    mount = parseMountPoint(disk, value);
  } catch (error) {
    throw new AppError('invalid-params', `${disk}: ${(error as Error).message}`, { vmid, disk });
  }
  if (mount.kind !== 'volume') throw new AppError('invalid-params', `${disk}: ${mount.volume} is a bind mount — its size is its host file system's`, { vmid, disk });
  const owner = volumeOwner(mount.volume);
  if (owner !== vmid) throw new AppError('access-denied', `${disk}: ${mount.volume} belongs to ${owner === undefined ? 'no guest' : `guest ${owner}`}, not CT ${vmid}`, { vmid, disk });
  return mount;
};

export const resizeCt = async (cts: CtService, request: ParsedParams<'ct.resize'>): Promise<{ upid: string }> => {
  const { vmid, disk } = request;
  const { storage } = cts.options;
  const { conf } = await cts.store.read(vmid);
  CtService.checkUnlocked(vmid, conf, 'resize a volume');
  const mount = volumeMount(vmid, disk, currentOf(conf).values[disk]);
  const volume = await storage.volumePath(mount.volume, { signal: AbortSignal.timeout(30_000) });
  const source = mountSourceOf(volume);
  const recordOnly = source.fstype === undefined && volume.storage.type === 'dir';
  if (source.fstype === undefined && volume.storage.type === 'btrfs' && volume.storage.quotas !== true)
    throw new AppError('not-supported', `${disk}: ${mount.volume} is a folder without a size limit (storage ${volume.storage.id} has no btrfs quotas)`, { vmid, disk });
  const current = source.fstype === undefined ? (mount.size === undefined ? 0 : sizeBytes(mount.size)) : await volumeBytes(source.path);
  const wanted = resizeTarget(disk, current, request.size);

  return cts.runTask(vmid, 'resize', async (ctx) => {
    if (!recordOnly) await storage.resize(mount.volume, vmid, wanted, storageCall(ctx));
    const { conf: now } = await cts.store.read(vmid);
    const value = currentOf(now).values[disk];
    if (value !== undefined) await cts.store.write(vmid, asCtConf(setKey(now, CURRENT, disk, withVolume(parseMountPoint(disk, value), mount.volume, wanted))));
    ctx.log(`${disk}: ${mount.volume} is now ${formatSize(wanted)}${recordOnly ? ' (a folder without a limit: only its size is recorded)' : ''}`);
    if (source.fstype === undefined) return;
    const state = await ctState(cts.options.paths, vmid);
    if (state.state !== 'stopped' && state.pid !== undefined) {
      try {
        await growOnline(ctx, disk, source, await monitorPid(state.pid));
      } catch (error) {
        // The volume has grown: the next start grows the file system to it (growToVolume) before mounting it.
        const reason = AppError.from(error).message.replace(/\s*\n\s*/g, '; ');
        ctx.warn(`${disk}: the file system could not grow while CT ${vmid} runs — it grows at the next start (${reason})`);
      }
      return;
    }
    const held = await waitReleased(source.loop === true ? [source.path] : []);
    if (held.length > 0) throw new AppError('conflict', `${disk}: ${source.path} is still attached to a loop device — its file system grows at the next start`, { vmid, disk });
    await growOffline(ctx, disk, source.path);
  });
};
