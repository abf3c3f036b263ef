// Clones of containers, as pct clone. A linked clone snapshots a template's volumes where the storage can (btrfs,
// zfs, lvm-thin); a full clone copies every volume, to any storage. The source is locked (`disk`) for the copy and
// the new config holds `lock: create` until it is complete; a clone that fails leaves nothing behind. Templates are
// made in ct-template.
import { AppError } from '../api/errors';
import type { ParsedParams } from '../api';
import { findGuest, guestNoun } from '../guests/guest-configs';
import type { TaskContext } from '../tasks/task-context';
import { CURRENT, currentOf, sectionOf, setDescription, setKey } from '../vm/config/conf-document';
import { isTrue } from '../vm/config/property-string';
import { randomMac } from '../vm/config/net';
import { storageCall } from '../vm/task-run';
import { asCtConf } from './config/ct-conf';
import { ctNetIndexOf, formatCtNet, parseCtNet } from './config/ct-net';
import { formatMountPoint, isMountKey, parseMountPoint, type CtMountPoint } from './config/mount-point';
import { ctConfigErrors } from './config/validate';
import { CtService } from './ct-service';
import { isRunning } from './ct-template';
import { copyCtVolume, planCopy, type CopyPlan } from './ct-volume-copy';
import { removeLxcDir } from './ct-volume-fs';
import { volumeMountsOf } from './ct-volume-refs';
import { guestMacs } from './guest-macs';
import { unprivilegedIdMap } from './sub-ids';

export { templateCt } from './ct-template';

/** Keys a clone does not take from its source (PVE: the snapshot's bookkeeping, the lock, the template flag). */
const NOT_CLONED = new Set(['lock', 'template', 'parent', 'snaptime', 'snapstate']);

interface VolumePlan {
  mount: CtMountPoint;
  /** A full copy to another volume; undefined: the storage's clone (linked, or a btrfs snapshot's writable copy). */
  copy?: CopyPlan;
}

/** Every volume's way into the clone, checked before anything is done; bind and device mounts are refused (as PVE). */
const planVolumes = async (
  cts: CtService,
  vmid: number,
  source: Readonly<Record<string, string>>,
  full: boolean,
  request: ParsedParams<'ct.clone'>,
): Promise<VolumePlan[]> => {
  const call = { signal: AbortSignal.timeout(60_000) };
  const storage = cts.options.storage;
  for (const [key, value] of Object.entries(source)) {
    if (!isMountKey(key)) continue;
    const { kind } = parseMountPoint(key, value);
    if (kind !== 'volume')
      throw new AppError(
        'not-supported',
        `CT ${vmid}: ${key}: a ${kind} mount point cannot be cloned (as PVE) — remove it from the container first`,
        { vmid, key },
      );
  }
  const plans: VolumePlan[] = [];
  for (const mount of volumeMountsOf(source)) {
    const named = (problem: unknown): never => {
      const { code, message } = AppError.from(problem);
      throw new AppError(
        code,
        `CT ${vmid}: ${message.startsWith(`${mount.key}: `) ? message : `${mount.key}: ${message}`}`,
        { vmid, key: mount.key },
      );
    };
    const volume = await storage.resolveVolume(mount.volume, call).catch(named);
    const own = volume.storage.id;
    if (!full) {
      if (volume.caps.clones !== true)
        throw new AppError(
          'not-supported',
          `CT ${vmid}: ${mount.key}: storage ${own} (${volume.storage.type}) cannot make linked clones of container volumes — clone it full`,
          { vmid, storage: own },
        );
      plans.push({ mount });
    } else if (request.snapname !== undefined) {
      // The copy of a snapshot is the storage's writable snapshot of it: an independent volume on btrfs only.
      if (volume.storage.type !== 'btrfs' || (request.storage !== undefined && request.storage !== own))
        throw new AppError(
          'not-supported',
          `CT ${vmid}: ${mount.key}: a full clone from snapshot ${request.snapname} is built for btrfs volumes on their own storage only (${own} is ${volume.storage.type})`,
          { vmid, storage: own },
        );
      plans.push({ mount });
    } else {
      const target = await storage.resolve(request.storage ?? own, call).catch(named);
      plans.push({ mount, copy: await planCopy(storage, mount, target.storage, call).catch(named) });
    }
  }
  return plans;
};

export const cloneCt = async (cts: CtService, request: ParsedParams<'ct.clone'>): Promise<{ upid: string }> => {
  const { vmid, newid, snapname } = request;
  const { conf } = await cts.store.read(vmid);
  CtService.checkUnlocked(vmid, conf, 'be cloned');
  const template = isTrue(currentOf(conf).values.template);
  const full = request.full ?? !template;
  if (!full && !template)
    throw new AppError('invalid-params', `CT ${vmid} is not a template — a linked clone needs one (or clone it full)`, {
      vmid,
    });
  if (!full && request.storage !== undefined)
    throw new AppError(
      'invalid-params',
      `CT ${vmid}: storage: a linked clone stays on the template's storages — leave storage out, or clone full`,
      { vmid },
    );
  const snapshot = snapname === undefined ? undefined : sectionOf(conf, snapname);
  if (snapname !== undefined && snapshot?.kind !== 'snapshot')
    throw new AppError('not-found', `CT ${vmid} has no snapshot ${snapname}`, { vmid });
  const running = await isRunning(cts, vmid);
  if (full && running && snapname === undefined)
    throw new AppError(
      'not-supported',
      `CT ${vmid} is running — a full clone of a running container is made from a snapshot (snapname), or stop it first`,
      { vmid },
    );
  const hostnameProblem =
    request.hostname === undefined
      ? undefined
      : ctConfigErrors({ hostname: request.hostname }, { section: 'pending' }).hostname;
  if (hostnameProblem !== undefined) throw new AppError('invalid-params', hostnameProblem, { key: 'hostname' });
  const taken = await findGuest(cts.store.configDir, newid);
  if (taken)
    throw new AppError(
      'already-exists',
      `CT ${newid}: the id is taken by ${guestNoun[taken.kind]} ${newid} on node ${taken.node}`,
      { vmid: newid },
    );
  const source = snapshot ?? currentOf(conf);
  const plans = await planVolumes(cts, vmid, source.values, full, request);
  const idmap = isTrue(source.values.unprivileged) ? await unprivilegedIdMap(cts.options.paths, newid) : undefined;
  const owner = { uid: idmap?.uid.base ?? 0, gid: idmap?.gid.base ?? 0 };

  // As PVE, before the task: the source locked for the copy, the new id claimed by a config holding only its lock.
  const holder = { label: 'vzclone' };
  await cts.store.lockConf(vmid, 'disk', holder);
  try {
    await cts.store.create(newid, cts.store.dialect.parse('lock: create\n', cts.store.fileName(newid)));
  } catch (error) {
    await cts.store.unlockConf(vmid, holder);
    throw error;
  }
  await cts.publishStatus(vmid);
  await cts.publishStatus(newid);
  let started = false;
  const release = async (failed: boolean) => {
    if (failed) await cts.store.remove(newid);
    await cts.store.unlockConf(vmid, holder);
    await cts.publishStatus(vmid);
    await cts.publishStatus(newid);
  };
  try {
    return await cts.options.spawnTask({ type: 'vzclone', id: String(vmid), user: cts.options.user }, async (ctx) => {
      started = true;
      let failed = true;
      try {
        if (full && snapname === undefined && (await isRunning(cts, vmid)))
          throw new AppError('not-supported', `CT ${vmid} started meanwhile — stop it, or clone from a snapshot`, {
            vmid,
          });
        await cloneBody(cts, ctx, {
          vmid,
          newid,
          plans,
          source: source.values,
          description: request.description ?? source.description,
          hostname: request.hostname,
          snapname,
          full,
          owner,
        });
        failed = false;
      } finally {
        await release(failed);
      }
    });
  } catch (error) {
    if (!started) await release(true);
    throw error;
  }
};

interface CloneJob {
  vmid: number;
  newid: number;
  plans: VolumePlan[];
  source: Readonly<Record<string, string>>;
  description: string | undefined;
  hostname: string | undefined;
  snapname: string | undefined;
  full: boolean;
  /** The new container's root on the host (an unprivileged container's mapped root). */
  owner: { uid: number; gid: number };
}

/** The volumes made, then the new config written in one go; on failure every volume made is freed. */
const cloneBody = async (cts: CtService, ctx: TaskContext, job: CloneJob): Promise<void> => {
  const { vmid, newid } = job;
  const storage = cts.options.storage;
  const call = storageCall(ctx);
  ctx.log(
    `creating a ${job.full ? 'full' : 'linked'} clone of CT ${vmid}${job.snapname === undefined ? '' : ` (snapshot ${job.snapname})`} as CT ${newid}`,
  );
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(job.source))
    if (!NOT_CLONED.has(key) && !/^unused\d+$/.test(key)) values[key] = value;
  const made: string[] = [];
  try {
    for (const { mount, copy } of job.plans) {
      const volid =
        copy === undefined
          ? (await storage.clone(mount.volume, newid, job.snapname, call)).volid
          : await copyCtVolume(cts, ctx, mount, newid, copy, job.owner);
      made.push(volid);
      values[mount.key] = formatMountPoint({ volume: volid, options: mount.options });
      ctx.log(`${mount.key}: ${mount.volume} → ${volid} (${job.full ? 'full copy' : 'linked clone'})`);
    }
    const taken = new Set((await guestMacs(cts)).keys());
    for (const [key, value] of Object.entries(values)) {
      if (ctNetIndexOf(key) === undefined) continue;
      const net = parseCtNet(key, value);
      const hwaddr = randomMac(taken);
      taken.add(hwaddr);
      values[key] = formatCtNet({ options: { ...net.options, hwaddr } });
      ctx.log(`${key}: new MAC address ${hwaddr}`);
    }
    if (job.hostname !== undefined) values.hostname = job.hostname;
    let next = cts.store.dialect.parse('', cts.store.fileName(newid));
    for (const [key, value] of Object.entries(values)) next = setKey(next, CURRENT, key, value);
    if (job.description !== undefined && job.description !== '') next = setDescription(next, CURRENT, job.description);
    await removeLxcDir(cts, newid);
    // As PVE: written only while the new config still holds its create lock (nobody removed or took it meanwhile).
    await cts.store.update(newid, { label: 'vzclone', upid: ctx.upid }, undefined, ({ conf }) => {
      if (currentOf(conf).values.lock !== 'create')
        throw new AppError('conflict', `CT ${newid} lost its create lock while it was being cloned — giving up`, {
          vmid: newid,
        });
      return asCtConf(next);
    });
    ctx.log(`CT ${newid} cloned from CT ${vmid}`);
  } catch (error) {
    await removeLxcDir(cts, newid).catch((problem: unknown) =>
      ctx.log(`CT ${newid}: ${AppError.from(problem).message}`),
    );
    for (const volid of made.reverse())
      await storage.free(volid, newid, call).then(
        () => ctx.log(`removed ${volid}`),
        (problem: unknown) => ctx.log(`${volid}: could not be removed: ${AppError.from(problem).message}`),
      );
    throw error;
  }
};
