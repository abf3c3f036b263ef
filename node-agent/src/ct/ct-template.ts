// A container becomes a template, as pct template: stopped, without snapshots; its storage volumes become read-only
// base volumes named by the storage's rule (vm-… → base-…, a ZFS subvol-… → basevol-…; a subvol on dir or btrfs
// keeps its name, as PVE's create_base leaves it), bind mounts stay as they are, and `template: 1` is written.
import { AppError } from '../api/errors';
import type { ResolvedVolume } from '../storage/service';
import { parseVolid } from '../storage/volume-name';
import { CURRENT, currentOf, setKey, snapshotsOf, type VmConf } from '../vm/config/conf-document';
import { isTrue } from '../vm/config/property-string';
import { storageCall } from '../vm/task-run';
import { asCtConf } from './config/ct-conf';
import { formatMountPoint } from './config/mount-point';
import { ctState } from './ct-runtime';
import { CtService } from './ct-service';
import { removeLxcDir } from './ct-volume-fs';
import { volumeMountsOf } from './ct-volume-refs';

export const isRunning = async (cts: CtService, vmid: number): Promise<boolean> =>
  (await ctState(cts.options.paths, vmid)).state !== 'stopped';

/** What keeps a container from becoming a template: a lock, being one already, snapshots. */
const checkTemplatable = (vmid: number, conf: VmConf): void => {
  CtService.checkUnlocked(vmid, conf, 'become a template');
  if (isTrue(currentOf(conf).values.template))
    throw new AppError('already-exists', `CT ${vmid} is already a template`, { vmid });
  if (snapshotsOf(conf).length > 0)
    throw new AppError('not-supported', `CT ${vmid} has snapshots — delete them before making it a template`, { vmid });
};

/** The base volume's name by the storage's rule, or undefined when the volume stays as it is (already a base, a file storage's subvol). */
const baseNameOf = (volume: ResolvedVolume): string | undefined => {
  const { name, isBase } = volume.parsed;
  if (isBase) return undefined;
  if (name.startsWith('vm-')) return name.replace(/^vm-/, 'base-');
  if (name.startsWith('subvol-') && volume.caps.layout === 'block') return name.replace(/^subvol-/, 'basevol-');
  return undefined;
};

export const templateCt = async (cts: CtService, vmid: number): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  checkTemplatable(vmid, conf);
  if (await isRunning(cts, vmid))
    throw new AppError('not-supported', `CT ${vmid} is running — stop it before making it a template`, { vmid });
  const signal = AbortSignal.timeout(30_000);
  for (const mount of volumeMountsOf(currentOf(conf).values)) {
    const volume = await cts.options.storage.resolveVolume(mount.volume, { signal }).catch((error: unknown) => {
      throw new AppError(AppError.from(error).code, `CT ${vmid}: ${mount.key}: ${AppError.from(error).message}`, {
        vmid,
        key: mount.key,
      });
    });
    if (volume.parsed.vmid !== undefined && volume.parsed.vmid !== vmid)
      throw new AppError(
        'invalid-params',
        `CT ${vmid}: ${mount.key}: ${mount.volume} belongs to guest ${volume.parsed.vmid} — a template converts only its own volumes`,
        { vmid },
      );
  }

  return cts.runTask(vmid, 'vztemplate', async (ctx) => {
    const call = storageCall(ctx);
    let next = (await cts.store.read(vmid)).conf;
    checkTemplatable(vmid, next);
    if (await isRunning(cts, vmid))
      throw new AppError('not-supported', `CT ${vmid} started meanwhile — stop it first`, { vmid });
    const renamed: { from: string; to: string }[] = [];
    try {
      for (const mount of volumeMountsOf(currentOf(next).values)) {
        const volume = await cts.options.storage.resolveVolume(mount.volume, call);
        const base = baseNameOf(volume);
        if (base === undefined) {
          ctx.log(`${mount.key}: ${mount.volume} is the base volume as it is`);
          continue;
        }
        const { volid } = await cts.options.storage.rename(mount.volume, vmid, base, call);
        renamed.push({ from: mount.volume, to: volid });
        next = setKey(next, CURRENT, mount.key, formatMountPoint({ volume: volid, options: mount.options }));
        ctx.log(`${mount.key}: ${mount.volume} is now the base volume ${volid}`);
      }
      await cts.store.write(vmid, asCtConf(setKey(next, CURRENT, 'template', '1')));
    } catch (error) {
      // The config still names the old volumes: give them their names back.
      for (const { from, to } of renamed.reverse()) {
        const name = parseVolid(from).volname.split('/').at(-1);
        await cts.options.storage
          .rename(to, vmid, name, call)
          .catch((problem: unknown) => ctx.log(`${to}: could not be renamed back: ${AppError.from(problem).message}`));
      }
      throw error;
    }
    await removeLxcDir(cts, vmid);
    ctx.log(`CT ${vmid} is a template`);
    await cts.publishStatus(vmid);
  });
};
