// Mount point changes with their volumes, as pve-container's vmconfig_apply_pending and apply_pending_mountpoint do
// them: mpN = STORAGE:SIZE allocates a new volume (written back as its volid with size=), a volume that a new mpN value
// replaces or that a deleted mpN held is kept as unusedN, and deleting unusedN frees its volume. A volume another key,
// the pending section or a snapshot still names is never detached or freed. Used by ct.set on a stopped container
// and by start for the changes a running one kept pending.
import { AppError } from '../api/errors';
import type { StorageService } from '../storage/service';
import type { TaskContext } from '../tasks/task-context';
import { CURRENT, PENDING, currentOf, deleteKey, pendingDeletes, sectionOf, sectionsOf, setKey, type VmConf } from '../vm/config/conf-document';
import { nextDiskKey } from '../vm/config/drive';
import { storageCall } from '../vm/task-run';
import { volumeOwner } from '../vm/vm-volumes';
import { mountPointIndexOf, parseMountPoint } from './config/mount-point';
import { allocCtVolume } from './ct-volume-alloc';
import { withVolume } from './ct-volume-plan';

export interface MountChangeEnv {
  readonly storage: StorageService;
  readonly vmid: number;
  /** The container's root on the host: new volumes' root folder belongs to it. */
  readonly owner: { readonly uid: number; readonly gid: number };
  readonly ctx: TaskContext;
}

const UNUSED = /^unused(\d+)$/;

/** Keys whose changes this module carries out (rootfs changes are plain config edits). */
export const isVolumeKey = (key: string): boolean => mountPointIndexOf(key) !== undefined || UNUSED.test(key);

/** The storage volume a mount point or unusedN value names, if any. */
const volumeOf = (key: string, value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  if (UNUSED.test(key)) return value;
  try {
    const mount = parseMountPoint(key, value, true);
    if (mount.alloc !== undefined) return undefined;
    return mount.kind === 'volume' ? mount.volume : undefined;
  } catch {
    return undefined;
  }
};

/** Whether any key but `except` (current, pending or a snapshot) names the volume. */
const inUse = (conf: VmConf, volid: string, except: string): boolean =>
  sectionsOf(conf).some(
    (section) =>
      (section.kind === 'current' || section.kind === 'pending' || section.kind === 'snapshot') &&
      Object.entries(section.values).some(
        ([key, value]) => !(section.kind === 'current' && key === except) && (key === 'rootfs' || isVolumeKey(key)) && volumeOf(key, value) === volid,
      ),
  );

/** Keep a volume the container no longer mounts as the next unusedN (when it owns it and nothing else names it). */
const keepAsUnused = (conf: VmConf, env: MountChangeEnv, key: string, volid: string | undefined): VmConf => {
  if (volid === undefined || volumeOwner(volid) !== env.vmid || inUse(conf, volid, key)) return conf;
  const unused = nextDiskKey('unused', Object.keys(currentOf(conf).values));
  if (unused === undefined) throw new AppError('conflict', `CT ${env.vmid}: ${key}: no free unusedN key is left for ${volid} — delete some unused volumes first`);
  env.ctx.log(`${key}: ${volid} is kept as ${unused}`);
  return setKey(conf, CURRENT, unused, volid);
};

/** Forget what [PENDING] says of `key` (value and delete): the current config has just been decided. */
export const dropPending = (conf: VmConf, key: string): VmConf => {
  const next = deleteKey(conf, PENDING, key);
  const deletes = pendingDeletes(next);
  const rest = deletes.filter((entry) => entry.key !== key);
  if (rest.length === deletes.length) return next;
  return rest.length === 0 ? deleteKey(next, PENDING, 'delete') : setKey(next, PENDING, 'delete', rest.map((d) => (d.force ? `!${d.key}` : d.key)).join(','));
};

/**
 * mpN = `value` in the current config: a STORAGE:SIZE value allocates its volume first. Returns the new config and
 * the volume allocated (the caller frees it if it does not keep the config).
 */
export const setMountPoint = async (env: MountChangeEnv, conf: VmConf, key: string, value: string): Promise<{ conf: VmConf; allocated?: string }> => {
  const mount = parseMountPoint(key, value, true);
  let text = value;
  let allocated: string | undefined;
  if (mount.alloc !== undefined) {
    const volume = await allocCtVolume(env.storage, env.vmid, key, mount.alloc, env.owner, env.ctx);
    allocated = volume.volid;
    text = withVolume(mount, volume.volid, volume.size);
  }
  const before = volumeOf(key, currentOf(conf).values[key]);
  let next = setKey(conf, CURRENT, key, text);
  if (before !== volumeOf(key, text)) next = keepAsUnused(next, env, key, before);
  return { conf: dropPending(next, key), ...(allocated === undefined ? {} : { allocated }) };
};

/** mpN or unusedN deleted from the current config: mpN's volume is kept as unusedN, unusedN's volume is freed. */
export const deleteMountPoint = async (env: MountChangeEnv, conf: VmConf, key: string): Promise<VmConf> => {
  const volid = volumeOf(key, currentOf(conf).values[key]);
  let next = deleteKey(conf, CURRENT, key);
  if (UNUSED.test(key)) {
    if (volid !== undefined && !inUse(next, volid, key)) {
      await env.storage.free(volid, env.vmid, storageCall(env.ctx));
      env.ctx.log(`${key}: freed ${volid}`);
    }
  } else next = keepAsUnused(next, env, key, volid);
  return dropPending(next, key);
};

/** The pending mount point changes carried out (deletes first, as PVE); the other pending keys stay for applyPending. */
export const applyPendingMounts = async (env: MountChangeEnv, conf: VmConf): Promise<{ conf: VmConf; allocated: string[] }> => {
  let next = conf;
  const allocated: string[] = [];
  for (const { key } of pendingDeletes(conf)) if (isVolumeKey(key)) next = await deleteMountPoint(env, next, key);
  for (const [key, value] of Object.entries(sectionOf(conf, PENDING)?.values ?? {})) {
    if (mountPointIndexOf(key) === undefined) continue;
    const result = await setMountPoint(env, next, key, value);
    next = result.conf;
    if (result.allocated !== undefined) allocated.push(result.allocated);
  }
  return { conf: next, allocated };
};

/** Every volume CT vmid owns that its config names (current, pending, snapshots; mount points and unusedN): destroy frees them. */
export const ownedVolumes = (conf: VmConf, vmid: number): string[] => {
  const volids = new Set<string>();
  for (const section of sectionsOf(conf))
    for (const [key, value] of Object.entries(section.values)) {
      const volid = key === 'rootfs' || isVolumeKey(key) ? volumeOf(key, value) : undefined;
      if (volid !== undefined && volumeOwner(volid) === vmid) volids.add(volid);
    }
  return [...volids];
};
