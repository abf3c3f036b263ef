// Container snapshots (pct snapshot / rollback / delsnapshot) on storages that snapshot volumes (btrfs, zfs,
// lvm-thin): every storage volume of the container (a running one frozen and synced meanwhile), then the config
// section. A rollback stops the container first (and waits until its raw volumes are free), rolls every volume
// back and restores the snapshot's config.
import { AppError } from '../api/errors';
import { CURRENT, addSection, currentOf, deleteKey, removeSection, sectionOf, setKey, snapshotsOf } from '../vm/config/conf-document';
import type { TaskContext } from '../tasks/task-context';
import { runOk, storageCall } from '../vm/task-run';
import { asCtConf } from './config/ct-conf';
import type { CtMountPoint } from './config/mount-point';
import { typedCtConfig } from './config/typed';
import { startBody, stopBody } from './ct-lifecycle';
import { ctState } from './ct-runtime';
import { CtService } from './ct-service';
import { lxcTarget } from './lxc-paths';

/**
 * Run `body` with a running container frozen and its volumes' file systems synced (PVE's __snapshot_freeze): an ext4
 * in a raw image keeps recent writes in its own page cache, which a snapshot of the image underneath would miss.
 */
const whileFrozen = async (cts: CtService, vmid: number, mounts: readonly CtMountPoint[], ctx: TaskContext, body: () => Promise<void>): Promise<void> => {
  const { state, pid } = await ctState(cts.options.paths, vmid);
  if (state !== 'running' || pid === undefined) return body();
  await runOk(ctx, `CT ${vmid}`, 'lxc-freeze', lxcTarget(cts.options.paths, vmid));
  try {
    // Through /proc/<pid>/root the path walk stays in the container's mounts: each volume's own file system is synced.
    for (const mount of mounts) await runOk(ctx, `CT ${vmid} ${mount.key}`, 'sync', ['--file-system', `/proc/${pid}/root${mount.mp === '/' ? '/' : mount.mp}`]);
    await body();
  } finally {
    await runOk(ctx, `CT ${vmid}`, 'lxc-unfreeze', lxcTarget(cts.options.paths, vmid));
  }
};

/** Snapshot every storage volume of the container where its storage can (btrfs, zfs, lvm-thin), then the config. */
export const snapshotCt = async (cts: CtService, vmid: number, snapname: string, description: string | undefined): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  CtService.checkUnlocked(vmid, conf, 'take a snapshot');
  if (sectionOf(conf, snapname)) throw new AppError('already-exists', `CT ${vmid} already has a snapshot ${snapname}`, { vmid });
  const ct = typedCtConfig(currentOf(conf).values);
  const mounts = [ct.rootfs, ...ct.mountPoints].filter((mp) => mp.kind === 'volume');
  const volumes = mounts.map((mp) => mp.volume);
  for (const volid of volumes) {
    const storeid = volid.split(':')[0] ?? '';
    const { caps, storage } = await cts.options.storage.resolve(storeid, { signal: AbortSignal.timeout(30_000) });
    if (caps.snapshots !== true)
      throw new AppError('not-supported', `CT ${vmid}: ${volid} is on a ${storage.type} storage, which cannot snapshot a container's volume — use btrfs, zfs or lvm-thin`, { vmid });
  }
  return cts.runTask(vmid, 'vzsnapshot', async (ctx) => {
    const done: string[] = [];
    try {
      await whileFrozen(cts, vmid, mounts, ctx, async () => {
        for (const volid of volumes) {
          await cts.options.storage.snapshot(volid, vmid, snapname, 'create', storageCall(ctx));
          done.push(volid);
          ctx.log(`snapshot ${snapname} of ${volid}`);
        }
      });
    } catch (error) {
      for (const volid of done) await cts.options.storage.snapshot(volid, vmid, snapname, 'delete', storageCall(ctx)).catch(() => undefined);
      throw error;
    }
    const { conf: now } = await cts.store.read(vmid);
    const entries = Object.entries(currentOf(now).values).filter(([key]) => key !== 'lock');
    entries.push(['snaptime', String(Math.floor(Date.now() / 1000))]);
    await cts.store.write(vmid, asCtConf(setKey(addSection(now, snapname, entries, description), CURRENT, 'parent', snapname)));
    await cts.publishStatus(vmid);
  });
};

export const rollbackCt = async (cts: CtService, vmid: number, snapname: string, start: boolean): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  CtService.checkUnlocked(vmid, conf, 'roll back');
  const snapshot = sectionOf(conf, snapname);
  if (!snapshot || snapshot.kind !== 'snapshot') throw new AppError('not-found', `CT ${vmid} has no snapshot ${snapname}`, { vmid });
  return cts.runTask(vmid, 'vzrollback', async (ctx) => {
    if ((await ctState(cts.options.paths, vmid)).state !== 'stopped') await stopBody(cts, vmid, ctx);
    const ct = typedCtConfig(snapshot.values);
    for (const mp of [ct.rootfs, ...ct.mountPoints]) {
      if (mp.kind !== 'volume') continue;
      await cts.options.storage.snapshot(mp.volume, vmid, snapname, 'rollback', storageCall(ctx));
      ctx.log(`${mp.key}: rolled back to ${snapname}`);
    }
    let next = (await cts.store.read(vmid)).conf;
    for (const key of Object.keys(currentOf(next).values)) if (!(key in snapshot.values)) next = deleteKey(next, CURRENT, key);
    for (const [key, value] of Object.entries(snapshot.values)) if (key !== 'snaptime' && key !== 'parent') next = setKey(next, CURRENT, key, value);
    await cts.store.write(vmid, asCtConf(setKey(next, CURRENT, 'parent', snapname)));
    if (start) await startBody(cts, vmid, ctx);
    await cts.publishStatus(vmid);
  });
};

export const delsnapshotCt = async (cts: CtService, vmid: number, snapname: string): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  const snapshot = sectionOf(conf, snapname);
  if (!snapshot || snapshot.kind !== 'snapshot') throw new AppError('not-found', `CT ${vmid} has no snapshot ${snapname}`, { vmid });
  return cts.runTask(vmid, 'vzdelsnapshot', async (ctx) => {
    const ct = typedCtConfig(snapshot.values);
    for (const mp of [ct.rootfs, ...ct.mountPoints])
      if (mp.kind === 'volume') await cts.options.storage.snapshot(mp.volume, vmid, snapname, 'delete', storageCall(ctx));
    let next = (await cts.store.read(vmid)).conf;
    const parent = snapshot.values.parent;
    for (const child of snapshotsOf(next).filter((section) => section.values.parent === snapname))
      next = parent === undefined ? deleteKey(next, child.name, 'parent') : setKey(next, child.name, 'parent', parent);
    if (currentOf(next).values.parent === snapname) next = parent === undefined ? deleteKey(next, CURRENT, 'parent') : setKey(next, CURRENT, 'parent', parent);
    await cts.store.write(vmid, asCtConf(removeSection(next, snapname)));
    await cts.publishStatus(vmid);
  });
};

