// A container's runtime life, as pct's: start from a freshly compiled LXC config (pending changes applied first,
// new volumes allocated, raw volumes checked free and grown if a resize could not grow them online), stop, shutdown
// with a deadline, reboot, and destroy with every volume it owns. A stop waits until LXC's loop devices let go of
// the raw volumes, so what follows (destroy, an offline resize, a rollback) finds them free.
import { rm } from 'node:fs/promises';
import { AppError } from '../api/errors';
import { guestHistoryFile } from '../vm/vm-usage';
import type { TaskContext } from '../tasks/task-context';
import { PENDING, applyPending, currentOf, sectionOf, type VmConf } from '../vm/config/conf-document';
import { storageCall } from '../vm/task-run';
import { asCtConf } from './config/ct-conf';
import { typedCtConfig, type CtConfig } from './config/typed';
import { validateCtConfig } from './config/validate';
import { applyPendingMounts, ownedVolumes, type MountChangeEnv } from './ct-mount-changes';
import { loopImagesOf, resolveCtMounts, volumeSources } from './ct-mounts';
import { ctState, lxcStart, lxcStop, writeLxcConfig } from './ct-runtime';
import { CtService } from './ct-service';
import { growToVolume, removeLxcDir, waitReleased } from './ct-volume-fs';
import { netPlumbing } from './lxc-config';
import { checkVlanAware, plugCommands, runHostCommands } from '../guests/nic-commands';
import { setupRoot, withRootFolder } from './ct-setup';
import { unprivilegedIdMap } from './sub-ids';

/** What the container's root is on the host: new volumes and folders belong to it. */
const rootOwner = async (cts: CtService, vmid: number, ct: Pick<CtConfig, 'unprivileged'>): Promise<{ uid: number; gid: number }> => {
  if (!ct.unprivileged) return { uid: 0, gid: 0 };
  const { uid, gid } = await unprivilegedIdMap(cts.options.paths, vmid);
  return { uid: uid.base, gid: gid.base };
};

/** The config a task may change mount points with (a running task logs, its signal and lock holder apply). */
export const mountChangeEnv = async (cts: CtService, vmid: number, conf: VmConf, ctx: TaskContext): Promise<MountChangeEnv> => ({
  storage: cts.options.storage,
  vmid,
  owner: await rootOwner(cts, vmid, typedCtConfig(currentOf(conf).values)),
  ctx,
});

/** The pending section carried out: mount point changes with their volumes first, then every other key. */
const applyPendingChanges = async (cts: CtService, vmid: number, conf: VmConf, ctx: TaskContext): Promise<VmConf> => {
  const { conf: mounted, allocated } = await applyPendingMounts(await mountChangeEnv(cts, vmid, conf, ctx), conf);
  try {
    const next = asCtConf(applyPending(mounted));
    validateCtConfig(currentOf(next).values);
    await cts.store.write(vmid, next);
    return next;
  } catch (error) {
    for (const volid of allocated) await cts.options.storage.free(volid, vmid, storageCall(ctx)).catch(() => undefined);
    throw error;
  }
};

/** The image files LXC's loop devices hold while the container runs. */
const loopImages = async (cts: CtService, ct: CtConfig, ctx: TaskContext): Promise<string[]> =>
  loopImagesOf(Object.values(await volumeSources(cts.options.storage, ct, storageCall(ctx))));

/** Start (the caller holds the lock): pending applied, raw volumes ready, LXC config compiled, veths plugged, limits in place. */
export const startBody = async (cts: CtService, vmid: number, ctx: TaskContext): Promise<void> => {
  if ((await ctState(cts.options.paths, vmid)).state === 'running') throw new AppError('already-exists', `CT ${vmid} is already running`, { vmid });
  let { conf } = await cts.store.read(vmid);
  if (currentOf(conf).values.template === '1') throw new AppError('not-supported', `CT ${vmid} is a template — clone it instead`, { vmid });
  if (sectionOf(conf, PENDING)) {
    conf = await applyPendingChanges(cts, vmid, conf, ctx);
    ctx.log('applied the pending changes');
  }
  const ct = typedCtConfig(currentOf(conf).values);
  const nics = netPlumbing(ct, { ctid: vmid }).map((nic) => ({ ...nic, device: nic.veth }));
  await checkVlanAware(`CT ${vmid}`, vmid, nics);
  const mounts = await resolveCtMounts(cts.options.storage, ct, storageCall(ctx));
  const held = await waitReleased(loopImagesOf([mounts.rootfs, ...Object.values(mounts.mounts)]));
  if (held.length > 0)
    throw new AppError('conflict', `CT ${vmid}: ${held.join(', ')} is still attached to a loop device (losetup -j) — a previous run has not let go of it`, { vmid, held });
  for (const [key, source] of Object.entries({ rootfs: mounts.rootfs, ...mounts.mounts }))
    if (source.fstype !== undefined) await growToVolume(ctx, key, source.path);
  await withRootFolder(cts, vmid, ctx, mounts.rootfs, (root) => setupRoot(ctx, vmid, root, currentOf(conf).values));
  const text = await writeLxcConfig(cts.options.paths, ct, {
    ctid: vmid,
    rootfs: mounts.rootfs,
    mounts: mounts.mounts,
    ...(ct.unprivileged ? { idmap: await unprivilegedIdMap(cts.options.paths, vmid) } : {}),
  });
  for (const line of text.trimEnd().split('\n')) ctx.log(`lxc: ${line}`);
  await lxcStart(cts.options.paths, vmid, (command, args, options) => ctx.run(command, args, options));
  // LXC made each veth and, where lxc.net.N.link says so, its bridge port; the rest (VLAN, rate, other bridges) here.
  for (const nic of nics) await runHostCommands(`CT ${vmid}`, nic.key, ctx, plugCommands(nic, nic.attachedByLxc));
  ctx.log(`CT ${vmid} started`);
  await cts.publishStatus(vmid);
};

export const startCt = async (cts: CtService, vmid: number): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  CtService.checkUnlocked(vmid, conf, 'start');
  if ((await ctState(cts.options.paths, vmid)).state === 'running') throw new AppError('already-exists', `CT ${vmid} is already running`, { vmid });
  return cts.runTask(vmid, 'vzstart', (ctx) => startBody(cts, vmid, ctx));
};

/** Stop (the caller holds the lock): with `timeout` init is asked to halt first; returns once the raw volumes are free. */
export const stopBody = async (cts: CtService, vmid: number, ctx: TaskContext, timeout?: number): Promise<void> => {
  if ((await ctState(cts.options.paths, vmid)).state === 'stopped') {
    ctx.log(`CT ${vmid} is not running`);
    return;
  }
  await lxcStop(cts.options.paths, vmid, (command, args, options) => ctx.run(command, args, options), timeout);
  ctx.log(`CT ${vmid} stopped`);
  const images = await loopImages(cts, typedCtConfig(currentOf((await cts.store.read(vmid)).conf).values), ctx);
  for (const image of await waitReleased(images)) ctx.warn(`CT ${vmid}: ${image} is still attached to a loop device after the stop`);
  await cts.publishStatus(vmid);
};

export const stopCt = async (cts: CtService, vmid: number): Promise<{ upid: string }> => {
  await cts.store.read(vmid);
  return cts.runTask(vmid, 'vzstop', (ctx) => stopBody(cts, vmid, ctx));
};

export const shutdownCt = async (cts: CtService, vmid: number, timeout: number, forceStop: boolean): Promise<{ upid: string }> => {
  await cts.store.read(vmid);
  return cts.runTask(vmid, 'vzshutdown', async (ctx) => {
    try {
      await stopBody(cts, vmid, ctx, timeout);
    } catch (error) {
      if (!forceStop) throw error;
      ctx.warn(`CT ${vmid} did not shut down within ${timeout} s: stopping it`);
      await stopBody(cts, vmid, ctx);
    }
  });
};

export const rebootCt = async (cts: CtService, vmid: number, timeout: number): Promise<{ upid: string }> => {
  await cts.store.read(vmid);
  return cts.runTask(vmid, 'vzreboot', async (ctx) => {
    await stopBody(cts, vmid, ctx, timeout);
    await startBody(cts, vmid, ctx);
  });
};

/** Destroy a stopped container: every volume it owns (mount points, unusedN, pending and snapshot ones) is freed. */
export const destroyCt = async (cts: CtService, vmid: number): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  if (currentOf(conf).values.protection === '1') throw new AppError('access-denied', `CT ${vmid} is protected — remove its protection first`, { vmid });
  CtService.checkUnlocked(vmid, conf, 'be destroyed');
  if ((await ctState(cts.options.paths, vmid)).state !== 'stopped') throw new AppError('not-supported', `CT ${vmid} is running — stop it first`, { vmid });
  return cts.runTask(vmid, 'vzdestroy', async (ctx) => {
    const { conf: now } = await cts.store.read(vmid);
    const held = await waitReleased(await loopImages(cts, typedCtConfig(currentOf(now).values), ctx).catch(() => []));
    if (held.length > 0) throw new AppError('conflict', `CT ${vmid}: ${held.join(', ')} is still attached to a loop device — try again when it is free`, { vmid, held });
    for (const volid of ownedVolumes(now, vmid)) {
      await cts.options.storage.free(volid, vmid, storageCall(ctx)).then(
        () => ctx.log(`removed ${volid}`),
        (error: unknown) => {
          const problem = AppError.from(error);
          if (problem.code !== 'not-found' && problem.code !== 'access-denied') throw problem;
          ctx.log(`${volid}: ${problem.message}`);
        },
      );
    }
    await cts.store.remove(vmid);
    await removeLxcDir(cts, vmid);
    await rm(guestHistoryFile(cts.options.paths.data, vmid), { force: true });
    ctx.log(`CT ${vmid} destroyed`);
    await cts.publishStatus(vmid);
  });
};
