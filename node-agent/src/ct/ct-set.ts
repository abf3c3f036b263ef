// pct set: a config change, validated first. Limits reach a running container's cgroups at once; keys LXC only reads
// at start wait in the pending section while it runs. Mount points carry their volumes (ct-mount-changes): on a
// stopped container mpN = STORAGE:SIZE allocates now and a removed volume becomes unusedN; on a running one mount
// point changes are pending and carried out by the next start (no hot-plug yet). Deleting unusedN frees its volume
// at once, running or not (nothing mounts it), as PVE's hotplug path does.
import { AppError } from '../api/errors';
import type { VmConfigValues } from '../api/vm';
import { run } from '../exec/run';
import type { TaskContext } from '../tasks/task-context';
import { CURRENT, PENDING, currentOf, deleteKey, pendingDeletes, setKey, type VmConf } from '../vm/config/conf-document';
import { textValues } from '../vm/vm-edit';
import { asCtConf } from './config/ct-conf';
import { ctHotplugClassOf } from './config/ct-keys';
import { mountPointIndexOf, parseMountPoint } from './config/mount-point';
import { typedCtConfig } from './config/typed';
import { validateCtConfig } from './config/validate';
import { mountChangeEnv } from './ct-lifecycle';
import { deleteMountPoint, dropPending, isVolumeKey, setMountPoint } from './ct-mount-changes';
import { checkBindSourceNow } from './ct-mounts';
import { applyCgroupLimits, ctState } from './ct-runtime';
import { CtService } from './ct-service';
import { newVolumeLayout, withVolume } from './ct-volume-plan';

/** How long a config change may take allocating and formatting new volumes. */
const ALLOC_TIMEOUT_MS = 30 * 60_000;

/** A context for the commands a config change runs outside any task (its result names what it made). */
const callContext = (signal: AbortSignal): TaskContext => ({
  upid: 'config',
  signal,
  log: () => undefined,
  warn: () => undefined,
  progress: () => undefined,
  run: (command, args, options) => run(command, args, { ...options, signal }),
});

/** Checks that need the node: new volumes' storages hold them, bind sources do not lead where they must not. */
const checkMountValues = async (cts: CtService, vmid: number, values: Readonly<Record<string, string>>, current: Readonly<Record<string, string>>, signal: AbortSignal) => {
  for (const [key, value] of Object.entries(values)) {
    if (key === 'rootfs') {
      const next = parseMountPoint(key, value, true);
      const now = current.rootfs === undefined ? undefined : parseMountPoint(key, current.rootfs);
      if (next.alloc !== undefined || next.volume !== now?.volume)
        throw new AppError('invalid-params', `rootfs: CT ${vmid}'s root volume cannot be replaced — grow it with ct.resize`, { key });
    }
    if (mountPointIndexOf(key) === undefined) continue;
    const mount = parseMountPoint(key, value, true);
    if (mount.alloc) newVolumeLayout(key, (await cts.options.storage.resolve(mount.alloc.storage, { signal })).storage, mount.alloc.sizeGiB);
    else if (mount.kind === 'bind') await checkBindSourceNow(mount);
  }
};

/**
 * The whole config the change leads to, checked across keys: a new volume (STORAGE:SIZE) stands in as the volid it
 * will have, so its mount target is compared with the others before anything is allocated.
 */
const checkMerged = (vmid: number, conf: VmConf, values: Readonly<Record<string, string>>, deletes: readonly string[]): void => {
  const merged: Record<string, string> = { ...currentOf(conf).values };
  for (const [key, value] of Object.entries(values)) {
    const alloc = mountPointIndexOf(key) === undefined ? undefined : parseMountPoint(key, value, true);
    merged[key] = alloc?.alloc === undefined ? value : withVolume(alloc, `${alloc.alloc.storage}:${vmid}/vm-${vmid}-disk-new.raw`);
  }
  for (const key of deletes) delete merged[key];
  validateCtConfig(merged);
};

const addPendingDelete = (conf: VmConf, key: string): VmConf => {
  const deletes = new Set(pendingDeletes(conf).map((entry) => entry.key));
  deletes.add(key);
  return setKey(deleteKey(conf, PENDING, key), PENDING, 'delete', [...deletes].join(','));
};

export const setCt = async (
  cts: CtService,
  request: { vmid: number; config: VmConfigValues; delete: string[]; revert: string[]; digest: string },
): Promise<{ digest: string; pending: string[] }> => {
  const { vmid } = request;
  const values = textValues(request.config);
  validateCtConfig(values, { forCreate: true, section: 'pending' });
  const both = request.delete.filter((key) => key in values);
  if (both.length > 0) throw new AppError('invalid-params', `${both.join(', ')}: both set and deleted`, { keys: both });
  const signal = AbortSignal.timeout(ALLOC_TIMEOUT_MS);
  const { conf: first } = await cts.store.read(vmid);
  await checkMountValues(cts, vmid, values, currentOf(first).values, signal);
  const running = (await ctState(cts.options.paths, vmid)).state !== 'stopped';
  const pending: string[] = [];
  let liveLimits = false;
  const digest = await cts.store.update(vmid, { label: 'config' }, request.digest, async ({ conf: before }) => {
    CtService.checkUnlocked(vmid, before, 'change its config');
    const volumeKeys = [...Object.keys(values), ...request.delete].filter(isVolumeKey);
    if (currentOf(before).values.protection === '1' && volumeKeys.length > 0)
      throw new AppError('access-denied', `CT ${vmid} is protected — ${volumeKeys.join(', ')} cannot change until its protection is removed`, { vmid });
    let conf = before;
    for (const key of request.revert) conf = deleteKey(conf, PENDING, key);
    checkMerged(vmid, conf, values, request.delete);
    const env = await mountChangeEnv(cts, vmid, conf, callContext(signal));
    const allocated: string[] = [];
    try {
      for (const [key, value] of Object.entries(values)) {
        const hotplug = ctHotplugClassOf(key);
        if (isVolumeKey(key) && !running) {
          const result = await setMountPoint(env, conf, key, value);
          conf = result.conf;
          if (result.allocated !== undefined) allocated.push(result.allocated);
        } else if (!running || hotplug === 'immediate' || hotplug === 'cgroup') {
          conf = dropPending(setKey(conf, CURRENT, key, value), key);
          if (running && hotplug === 'cgroup') liveLimits = true;
        } else {
          conf = setKey(conf, PENDING, key, value);
          pending.push(key);
        }
      }
      const unused = request.delete.filter((key) => /^unused\d+$/.test(key));
      for (const key of request.delete.filter((k) => !unused.includes(k))) {
        if (isVolumeKey(key) && !running) conf = await deleteMountPoint(env, conf, key);
        else if (!running || ctHotplugClassOf(key) === 'immediate') conf = dropPending(deleteKey(conf, CURRENT, key), key);
        else {
          conf = addPendingDelete(conf, key);
          pending.push(key);
        }
      }
      validateCtConfig(currentOf(conf).values);
      // Last, once nothing else can fail: the volumes freed with their unusedN keys cannot come back.
      for (const key of unused) conf = await deleteMountPoint(env, conf, key);
    } catch (error) {
      for (const volid of allocated) await cts.options.storage.free(volid, vmid, { signal }).catch(() => undefined);
      throw error;
    }
    return asCtConf(conf);
  });
  if (liveLimits) {
    const { conf } = await cts.store.read(vmid);
    const changed = new Set([...Object.keys(values), ...request.delete].filter((key) => ctHotplugClassOf(key) === 'cgroup'));
    await applyCgroupLimits(cts.options.paths, vmid, typedCtConfig(currentOf(conf).values), changed, (command, args, options) => run(command, args, options));
  }
  await cts.publishStatus(vmid);
  return { digest, pending };
};
