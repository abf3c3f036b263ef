// pct create: the root volume (and any new mount point volumes) allocated as PVE's create_disks does — a raw ext4
// image where the storage cannot limit a folder, a folder otherwise — the template unpacked into the root (an image
// is loop-mounted on <lxcDir>/rootfs for that and always unmounted after), the ids shifted into an unprivileged
// container's map, the distribution set up, the config written; everything allocated is freed if a step fails.
import { randomBytes } from 'node:crypto';
import { AppError } from '../api/errors';
import type { VmConfigValues } from '../api/vm';
import { findGuest, guestNoun } from '../guests/guest-configs';
import type { TaskContext } from '../tasks/task-context';
import { CURRENT, parseVmConf, setDescription, setKey } from '../vm/config/conf-document';
import { runOk, storageCall } from '../vm/task-run';
import { textValues } from '../vm/vm-edit';
import { asCtConf } from './config/ct-conf';
import { formatCtNet, parseCtNet } from './config/ct-net';
import { mountPointIndexOf, parseMountPoint, type CtMountPoint } from './config/mount-point';
import { validateCtConfig } from './config/validate';
import { checkBindSourceNow } from './ct-mounts';
import { startBody } from './ct-lifecycle';
import type { CtService } from './ct-service';
import { allocCtVolume } from './ct-volume-alloc';
import { removeLxcDir } from './ct-volume-fs';
import { newVolumeLayout, withVolume } from './ct-volume-plan';
import { shiftIds } from './shift-ids';
import { unprivilegedIdMap } from './sub-ids';
import { configOstype } from './setup/detect';
import { setupRoot, withRootFolder } from './ct-setup';
import { checkTemplateTarball } from './setup/template-check';

const randomMac = (): string => ['BC', '24', '11', ...[...randomBytes(3)].map((b) => b.toString(16).toUpperCase().padStart(2, '0'))].join(':');

type IdMap = Awaited<ReturnType<typeof unprivilegedIdMap>>;

/** Every NIC gets a MAC address now (PVE's BC:24:11 prefix), so the setup and the config agree on it. */
const withMacs = (values: Record<string, string>): Record<string, string> => {
  const next = { ...values };
  for (const [key, value] of Object.entries(values)) {
    if (!/^net\d+$/.test(key)) continue;
    const net = parseCtNet(key, value);
    if (net.hwaddr === undefined) next[key] = formatCtNet({ options: { ...net.options, hwaddr: randomMac() } });
  }
  return next;
};

/** Unpack the template into the root folder, shift its ids for an unprivileged container, set the distribution up. */
const populateRoot = async (
  ctx: TaskContext,
  vmid: number,
  root: string,
  template: string,
  idmap: IdMap | undefined,
  final: Record<string, string>,
  request: { password?: string | undefined; sshPublicKeys?: string | undefined },
): Promise<void> => {
  const tar = ['--numeric-owner', '--xattrs', '--xattrs-include=user.*', '-C', root, '--skip-old-files', '--anchored', '--exclude', './dev/*'];
  await runOk(ctx, `CT ${vmid}`, 'tar', ['xpf', template, ...tar], { timeoutMs: 3600_000 });
  // Unpacked as host root, then shifted: the volume's root folder was made 0:0 for that (see allocCtVolume's owner).
  if (idmap) ctx.log(`shifted the ids of ${await shiftIds(root, idmap.uid, idmap.gid)} files into the container's map (uid +${idmap.uid.base}, gid +${idmap.gid.base})`);
  const distro = await setupRoot(ctx, vmid, root, final, request);
  ctx.log(`distribution: ${distro.ostype} ${distro.version}`.trim());
  final.ostype ??= configOstype(distro.ostype);
};

export const createCt = async (
  cts: CtService,
  request: { vmid: number; ostemplate: string; config: VmConfigValues; password?: string | undefined; sshPublicKeys?: string | undefined; start: boolean },
  signal: AbortSignal,
): Promise<{ upid: string }> => {
  const { vmid } = request;
  const { storage } = cts.options;
  const { description, ...values } = textValues(request.config);
  const taken = await findGuest(cts.store.configDir, vmid);
  if (taken) throw new AppError('already-exists', `CT id ${vmid} is taken by ${guestNoun[taken.kind]} ${vmid} on node ${taken.node}`, { vmid });
  values.hostname ??= `CT${vmid}`;
  validateCtConfig(values, { forCreate: true });
  const rootfs = parseMountPoint('rootfs', values.rootfs ?? '', true);
  const rootAlloc = rootfs.alloc;
  if (!rootAlloc) throw new AppError('invalid-params', 'rootfs: a new container needs a new root disk: STORAGE:SIZE_GiB', { key: 'rootfs' });
  // Every new volume's storage can hold it, and every bind source is a safe folder, before anything is made.
  const mountPoints: CtMountPoint[] = Object.entries(values)
    .filter(([key]) => mountPointIndexOf(key) !== undefined)
    .map(([key, value]) => parseMountPoint(key, value, true));
  for (const mount of [rootfs, ...mountPoints]) {
    if (mount.alloc) newVolumeLayout(mount.key, (await storage.resolve(mount.alloc.storage, { signal })).storage, mount.alloc.sizeGiB);
    else if (mount.kind === 'bind') await checkBindSourceNow(mount);
  }
  const template = await storage.volumePath(request.ostemplate, { signal }).catch((error: unknown) => {
    throw new AppError('invalid-params', `ostemplate: ${AppError.from(error).message}`, { key: 'ostemplate' });
  });
  await checkTemplateTarball(template.path, signal);
  const idmap = values.unprivileged === '1' ? await unprivilegedIdMap(cts.options.paths, vmid) : undefined;
  const owner = { uid: idmap?.uid.base ?? 0, gid: idmap?.gid.base ?? 0 };

  return cts.options.spawnTask({ type: 'vzcreate', id: String(vmid), user: cts.options.user }, async (ctx) => {
    await cts.store.create(vmid, parseVmConf('lock: create\n', `lxc/${vmid}.conf`));
    const allocated: string[] = [];
    try {
      const final: Record<string, string> = withMacs(values);
      final.arch ??= 'amd64';
      // The root starts as 0:0 like every file tar unpacks; shiftIds moves it with the rest.
      const root = await allocCtVolume(storage, vmid, 'rootfs', rootAlloc, { uid: 0, gid: 0 }, ctx);
      allocated.push(root.volid);
      final.rootfs = withVolume(rootfs, root.volid, root.size);
      for (const mount of mountPoints) {
        if (!mount.alloc) continue;
        const volume = await allocCtVolume(storage, vmid, mount.key, mount.alloc, owner, ctx);
        allocated.push(volume.volid);
        final[mount.key] = withVolume(mount, volume.volid, volume.size);
      }
      await withRootFolder(cts, vmid, ctx, root.source, (path) => populateRoot(ctx, vmid, path, template.path, idmap, final, request));
      let conf = parseVmConf('', `lxc/${vmid}.conf`);
      for (const [key, value] of Object.entries(final)) conf = setKey(conf, CURRENT, key, value);
      if (description !== undefined && description !== '') conf = setDescription(conf, CURRENT, description);
      await cts.store.withLock(vmid, { label: 'vzcreate', upid: ctx.upid }, () => cts.store.write(vmid, asCtConf(conf)));
      ctx.log(`CT ${vmid} created`);
    } catch (error) {
      for (const volid of allocated) await storage.free(volid, vmid, storageCall(ctx)).catch(() => undefined);
      await cts.store.remove(vmid);
      await removeLxcDir(cts, vmid);
      throw error;
    }
    await cts.publishStatus(vmid);
    if (request.start) await cts.store.withLock(vmid, { label: 'vzstart', upid: ctx.upid }, () => startBody(cts, vmid, ctx));
  });
};
