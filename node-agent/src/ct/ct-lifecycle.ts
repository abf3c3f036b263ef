// A container's life, as pct's: create from a template (root disk allocated, template unpacked — through the
// user namespace for an unprivileged container — and set up for its distribution), start from a freshly compiled
// LXC config, stop, shutdown with a deadline, reboot, destroy with its volumes, config changes (limits live through
// the cgroups), and snapshots on storages that have them.
import { randomBytes } from 'node:crypto';
import { AppError } from '../api/errors';
import { run } from '../exec/run';
import type { VmConfigValues } from '../api/vm';
import { findGuest, guestNoun } from '../guests/guest-configs';
import type { TaskContext } from '../tasks/task-context';
import {
  CURRENT,
  PENDING,
  addSection,
  applyPending,
  currentOf,
  deleteKey,
  parseVmConf,
  pendingDeletes,
  removeSection,
  sectionOf,
  setDescription,
  setKey,
  snapshotsOf,
} from '../vm/config/conf-document';
import { runOk, storageCall } from '../vm/task-run';
import { textValues } from '../vm/vm-edit';
import { asCtConf } from './config/ct-conf';
import { ctHotplugClassOf } from './config/ct-keys';
import { formatCtNet, parseCtNet } from './config/ct-net';
import { parseMountPoint } from './config/mount-point';
import { typedCtConfig } from './config/typed';
import { validateCtConfig } from './config/validate';
import { applyCgroupLimits, ctState, lxcStart, lxcStop, writeLxcConfig } from './ct-runtime';
import { CtService } from './ct-service';
import { shiftIds } from './shift-ids';
import { unprivilegedIdMap } from './sub-ids';
import { netPlumbing } from './lxc-config';
import { applySetup } from './setup/apply';
import { configOstype, detectDistribution } from './setup/detect';
import { setupPlan } from './setup/plan';
import { checkTemplateTarball } from './setup/template-check';

const randomMac = (): string => ['BC', '24', '11', ...[...randomBytes(3)].map((b) => b.toString(16).toUpperCase().padStart(2, '0'))].join(':');

export const createCt = async (
  cts: CtService,
  request: { vmid: number; ostemplate: string; config: VmConfigValues; password?: string | undefined; sshPublicKeys?: string | undefined; start: boolean },
  signal: AbortSignal,
): Promise<{ upid: string }> => {
  const { vmid } = request;
  const { description, ...values } = textValues(request.config);
  const taken = await findGuest(cts.store.configDir, vmid);
  if (taken) throw new AppError('already-exists', `CT id ${vmid} is taken by ${guestNoun[taken.kind]} ${vmid} on node ${taken.node}`, { vmid });
  values.hostname ??= `CT${vmid}`;
  validateCtConfig(values, { forCreate: true });
  const rootfs = parseMountPoint('rootfs', values.rootfs ?? '', true);
  const alloc = /^([A-Za-z][A-Za-z0-9._-]*):(\d+(?:\.\d+)?)$/.exec(rootfs.volume);
  if (!alloc) throw new AppError('invalid-params', 'rootfs: a new container needs a new root disk: STORAGE:SIZE_GiB', { key: 'rootfs' });
  const target = await cts.options.storage.resolve(alloc[1] ?? '', { signal });
  if (!target.storage.content.includes('rootdir')) throw new AppError('invalid-params', `rootfs: storage ${alloc[1]} does not hold container disks (content rootdir)`, { key: 'rootfs' });
  const template = await cts.options.storage.volumePath(request.ostemplate, { signal }).catch((error: unknown) => {
    throw new AppError('invalid-params', `ostemplate: ${AppError.from(error).message}`, { key: 'ostemplate' });
  });
  await checkTemplateTarball(template.path, signal);
  const idmap = values.unprivileged === '1' ? await unprivilegedIdMap(cts.options.paths, vmid) : undefined;

  return cts.options.spawnTask({ type: 'vzcreate', id: String(vmid), user: cts.options.user }, async (ctx) => {
    await cts.store.create(vmid, parseVmConf('lock: create\n', `lxc/${vmid}.conf`));
    let rootVolid: string | undefined;
    try {
      // A subvolume (a folder on dir storage, a btrfs subvolume on btrfs): its size is recorded, not enforced yet —
      // PVE formats a raw image and loop-mounts it on dir storages, and sets a btrfs quota; both are still to come.
      ({ volid: rootVolid } = await cts.options.storage.alloc({ storage: alloc[1] ?? '', vmid, size: 0, format: 'subvol' }, storageCall(ctx)));
      const { path } = await cts.options.storage.volumePath(rootVolid, storageCall(ctx));
      ctx.log(`rootfs: ${rootVolid} at ${path}`);
      // Unpacked as the container's root sees it: through the id mapping for an unprivileged container.
      const tar = ['--numeric-owner', '--xattrs', '--xattrs-include=user.*', '-C', path, '--skip-old-files', '--anchored', '--exclude', './dev/*'];
      await runOk(ctx, `CT ${vmid}`, 'tar', ['xpf', template.path, ...tar], { timeoutMs: 3600_000 });
      if (idmap) ctx.log(`shifted the ids of ${await shiftIds(path, idmap.uid, idmap.gid)} files into the container's map (uid +${idmap.uid.base}, gid +${idmap.gid.base})`);
      const distro = await detectDistribution(path);
      ctx.log(`distribution: ${distro.ostype} ${distro.version ?? ''}`.trim());
      const final: Record<string, string> = { ...values, rootfs: [`${rootVolid}`, `size=${alloc[2]}G`, ...Object.entries(rootfs.options).filter(([k]) => k !== 'size').map(([k, v]) => `${k}=${v}`)].join(',') };
      final.ostype ??= configOstype(distro.ostype);
      final.arch ??= 'amd64';
      for (const [key, value] of Object.entries(final)) {
        if (!/^net\d+$/.test(key)) continue;
        const net = parseCtNet(key, value);
        if (net.hwaddr === undefined) final[key] = formatCtNet({ options: { ...net.options, hwaddr: randomMac() } });
      }
      const nets = Object.entries(final)
        .filter(([key]) => /^net\d+$/.test(key))
        .map(([key, value]) => parseCtNet(key, value));
      const plan = await setupPlan(distro, {
        hostname: final.hostname ?? `CT${vmid}`,
        nets: nets.map((net) => ({
          name: net.name,
          ...(net.hwaddr === undefined ? {} : { hwaddr: net.hwaddr }),
          ...(net.ip === undefined ? {} : { ip: net.ip }),
          ...(net.gw === undefined ? {} : { gw: net.gw }),
          ...(net.ip6 === undefined ? {} : { ip6: net.ip6 }),
          ...(net.gw6 === undefined ? {} : { gw6: net.gw6 }),
        })),
        ...(final.nameserver === undefined ? {} : { nameserver: final.nameserver }),
        ...(final.searchdomain === undefined ? {} : { searchdomain: final.searchdomain }),
        ...(request.password === undefined ? {} : { rootPassword: request.password }),
        ...(request.sshPublicKeys === undefined ? {} : { sshKeys: request.sshPublicKeys }),
      });
      await applySetup(path, plan, { onStep: (step) => ctx.log(`setup: ${step.kind} ${'path' in step ? String(step.path) : ''}`.trim()) });
      let conf = parseVmConf('', `lxc/${vmid}.conf`);
      for (const [key, value] of Object.entries(final)) conf = setKey(conf, CURRENT, key, value);
      if (description !== undefined && description !== '') conf = setDescription(conf, CURRENT, description);
      await cts.store.withLock(vmid, { label: 'vzcreate', upid: ctx.upid }, () => cts.store.write(vmid, asCtConf(conf)));
      ctx.log(`CT ${vmid} created`);
    } catch (error) {
      if (rootVolid !== undefined) await cts.options.storage.free(rootVolid, vmid, storageCall(ctx)).catch(() => undefined);
      await cts.store.remove(vmid);
      throw error;
    }
    await cts.publishStatus(vmid);
    if (request.start) await cts.store.withLock(vmid, { label: 'vzstart', upid: ctx.upid }, () => startBody(cts, vmid, ctx));
  });
};

/** Start (the caller holds the lock): pending applied, LXC config compiled, veths plugged, limits in place. */
export const startBody = async (cts: CtService, vmid: number, ctx: TaskContext): Promise<void> => {
  if ((await ctState(cts.options.paths, vmid)).state === 'running') throw new AppError('already-exists', `CT ${vmid} is already running`, { vmid });
  let { conf } = await cts.store.read(vmid);
  if (currentOf(conf).values.template === '1') throw new AppError('not-supported', `CT ${vmid} is a template — clone it instead`, { vmid });
  if (sectionOf(conf, PENDING)) {
    conf = asCtConf(applyPending(conf));
    await cts.store.write(vmid, conf);
    ctx.log('applied the pending changes');
  }
  const ct = typedCtConfig(currentOf(conf).values);
  const rootfsPath = await cts.rootfsPath(conf, ctx);
  const mounts: Record<string, { path: string }> = {};
  for (const mp of ct.mountPoints) if (mp.kind === 'volume') mounts[mp.key] = { path: (await cts.options.storage.volumePath(mp.volume, storageCall(ctx))).path };
  const text = await writeLxcConfig(cts.options.paths, ct, {
    ctid: vmid,
    rootfsPath,
    mounts,
    ...(ct.unprivileged ? { idmap: await unprivilegedIdMap(cts.options.paths, vmid) } : {}),
  });
  for (const line of text.trimEnd().split('\n')) ctx.log(`lxc: ${line}`);
  await lxcStart(cts.options.paths, vmid, (command, args, options) => ctx.run(command, args, options));
  for (const nic of netPlumbing(ct, { ctid: vmid })) {
    const subject = `CT ${vmid} ${nic.key}`;
    if (!nic.attachedByLxc && nic.bridge !== undefined) await runOk(ctx, subject, 'ip', ['link', 'set', 'dev', nic.veth, 'master', nic.bridge]);
    if (nic.tag !== undefined) {
      await runOk(ctx, subject, 'bridge', ['vlan', 'add', 'dev', nic.veth, 'vid', String(nic.tag), 'pvid', 'untagged']);
      await runOk(ctx, subject, 'bridge', ['vlan', 'del', 'dev', nic.veth, 'vid', '1']);
    }
    if (nic.rateMBps !== undefined) {
      const rate = `${Math.round(nic.rateMBps * 8 * 1000)}kbit`;
      await runOk(ctx, subject, 'tc', ['qdisc', 'replace', 'dev', nic.veth, 'root', 'tbf', 'rate', rate, 'burst', '1mb', 'latency', '50ms']);
    }
    if (!nic.attachedByLxc) await runOk(ctx, subject, 'ip', ['link', 'set', 'dev', nic.veth, 'up']);
  }
  ctx.log(`CT ${vmid} started`);
  await cts.publishStatus(vmid);
};

export const startCt = async (cts: CtService, vmid: number): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  CtService.checkUnlocked(vmid, conf, 'start');
  if ((await ctState(cts.options.paths, vmid)).state === 'running') throw new AppError('already-exists', `CT ${vmid} is already running`, { vmid });
  return cts.runTask(vmid, 'vzstart', (ctx) => startBody(cts, vmid, ctx));
};

const stopBody = async (cts: CtService, vmid: number, ctx: TaskContext, timeout?: number): Promise<void> => {
  if ((await ctState(cts.options.paths, vmid)).state === 'stopped') {
    ctx.log(`CT ${vmid} is not running`);
    return;
  }
  await lxcStop(cts.options.paths, vmid, (command, args, options) => ctx.run(command, args, options), timeout);
  ctx.log(`CT ${vmid} stopped`);
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

export const destroyCt = async (cts: CtService, vmid: number): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  if (currentOf(conf).values.protection === '1') throw new AppError('access-denied', `CT ${vmid} is protected — remove its protection first`, { vmid });
  CtService.checkUnlocked(vmid, conf, 'be destroyed');
  if ((await ctState(cts.options.paths, vmid)).state !== 'stopped') throw new AppError('not-supported', `CT ${vmid} is running — stop it first`, { vmid });
  return cts.runTask(vmid, 'vzdestroy', async (ctx) => {
    const { conf: now } = await cts.store.read(vmid);
    const ct = typedCtConfig(currentOf(now).values);
    for (const mp of [ct.rootfs, ...ct.mountPoints]) {
      if (mp.kind !== 'volume') continue;
      await cts.options.storage.free(mp.volume, vmid, storageCall(ctx)).then(
        () => ctx.log(`removed ${mp.volume}`),
        (error: unknown) => {
          const problem = AppError.from(error);
          if (problem.code !== 'not-found' && problem.code !== 'access-denied') throw problem;
          ctx.log(`${mp.volume}: ${problem.message}`);
        },
      );
    }
    await cts.store.remove(vmid);
    await cts.removeLxcDir(vmid);
    ctx.log(`CT ${vmid} destroyed`);
    await cts.publishStatus(vmid);
  });
};

/** A config change: limits reach a running container's cgroups at once; other keys of a running one wait. */
export const setCt = async (
  cts: CtService,
  request: { vmid: number; config: VmConfigValues; delete: string[]; revert: string[]; digest: string },
): Promise<{ digest: string; pending: string[] }> => {
  const { vmid } = request;
  const values = textValues(request.config);
  validateCtConfig(values, { forCreate: true, section: 'pending' });
  const running = (await ctState(cts.options.paths, vmid)).state === 'running';
  const pending: string[] = [];
  let liveLimits = false;
  const digest = await cts.store.update(vmid, { label: 'config' }, request.digest, ({ conf: before }) => {
    CtService.checkUnlocked(vmid, before, 'change its config');
    let conf = before;
    for (const key of request.revert) conf = deleteKey(conf, PENDING, key);
    const merged: Record<string, string> = { ...currentOf(conf).values, ...values };
    for (const key of request.delete) delete merged[key];
    validateCtConfig(merged);
    for (const [key, value] of Object.entries(values)) {
      const hotplug = ctHotplugClassOf(key);
      if (!running || hotplug === 'immediate' || hotplug === 'cgroup') {
        conf = deleteKey(setKey(conf, CURRENT, key, value), PENDING, key);
        if (running && hotplug === 'cgroup') liveLimits = true;
      } else {
        conf = setKey(conf, PENDING, key, value);
        pending.push(key);
      }
    }
    for (const key of request.delete) {
      if (!running || ctHotplugClassOf(key) === 'immediate') conf = deleteKey(deleteKey(conf, CURRENT, key), PENDING, key);
      else {
        const deletes = new Set(pendingDeletes(conf).map((entry) => entry.key));
        deletes.add(key);
        conf = setKey(conf, PENDING, 'delete', [...deletes].join(','));
        pending.push(key);
      }
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

/** Snapshot every storage volume of the container where its storage can (btrfs, zfs, lvm-thin), then the config. */
export const snapshotCt = async (cts: CtService, vmid: number, snapname: string, description: string | undefined): Promise<{ upid: string }> => {
  const { conf } = await cts.store.read(vmid);
  CtService.checkUnlocked(vmid, conf, 'take a snapshot');
  if (sectionOf(conf, snapname)) throw new AppError('already-exists', `CT ${vmid} already has a snapshot ${snapname}`, { vmid });
  const ct = typedCtConfig(currentOf(conf).values);
  const volumes = [ct.rootfs, ...ct.mountPoints].filter((mp) => mp.kind === 'volume').map((mp) => mp.volume);
  for (const volid of volumes) {
    const storeid = volid.split(':')[0] ?? '';
    const { caps, storage } = await cts.options.storage.resolve(storeid, { signal: AbortSignal.timeout(30_000) });
    if (caps.snapshots !== true)
      throw new AppError('not-supported', `CT ${vmid}: ${volid} is on a ${storage.type} storage, which cannot snapshot a container's volume — use btrfs, zfs or lvm-thin`, { vmid });
  }
  return cts.runTask(vmid, 'vzsnapshot', async (ctx) => {
    const done: string[] = [];
    try {
      for (const volid of volumes) {
        await cts.options.storage.snapshot(volid, vmid, snapname, 'create', storageCall(ctx));
        done.push(volid);
        ctx.log(`snapshot ${snapname} of ${volid}`);
      }
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

