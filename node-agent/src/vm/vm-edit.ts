// Creating, changing and importing VM configs. Everything is checked first — every key against the schema, the
// storages and volumes named, the bridges, MACs across this node's VMs, the VMID — and only then does anything
// change. A change that cannot reach a running VM waits in [PENDING] (PVE's rule), applied at the next start.
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { AppError } from '../api/errors';
import { run } from '../exec/run';
import type { VmConfigValues } from '../api/vm';
import { findGuest, guestNoun } from '../guests/guest-configs';
import type { TaskContext } from '../tasks/task-context';
import {
  CURRENT,
  PENDING,
  currentOf,
  deleteKey,
  parseVmConf,
  pendingDeletes,
  sectionsOf,
  setDescription,
  setKey,
  type VmConf,
} from './config/conf-document';
import { driveKeyOf, nextDiskKey, parseDrive } from './config/drive';
import { hotplugClassOf } from './config/keys';
import { formatNet, macCollisions, macsOf, netIndexOf, randomMac } from './config/net';
import { validateVmConfig, vmConfigErrors } from './config/validate';
import { hotplugChange } from './vm-hotplug';
import { allocDisk, checkVolumes, newDiskKeys } from './vm-disks';
import { netsOf } from './vm-facts';
import { VmService } from './vm-service';
import { isVolid, volumeOwner } from './vm-volumes';
import { storageCall } from './task-run';

/** The API's numbers as PVE's text. */
export const textValues = (values: VmConfigValues): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === 'number' ? String(value) : value]));

const invalid = (errors: Record<string, string>): AppError | undefined => {
  const messages = Object.values(errors);
  return messages.length === 0
    ? undefined
    : new AppError('invalid-params', messages.length === 1 ? (messages[0] ?? '') : `${messages.length} problems: ${messages.join('; ')}`, { errors });
};

/** Every NIC's bridge must exist on this node (as a bridge). */
const bridgeErrors = async (values: Readonly<Record<string, string>>, node: string): Promise<Record<string, string>> => {
  const errors: Record<string, string> = {};
  for (const net of netsOf(values)) {
    if (net.bridge === undefined) continue;
    const isBridge = await access(`/sys/class/net/${net.bridge}/bridge`).then(() => true, () => false);
    if (!isBridge) errors[net.key] = `${net.key}: bridge ${net.bridge} does not exist on node ${node}`;
  }
  return errors;
};

/** MACs of `values` that another VM of this node uses already. */
const macErrors = async (vms: VmService, vmid: number, values: Readonly<Record<string, string>>): Promise<Record<string, string>> => {
  const configs = new Map<number, Record<string, string>>();
  for (const other of await vms.store.vmids()) {
    if (other === vmid) continue;
    const { conf } = await vms.store.read(other).catch(() => ({ conf: undefined }));
    if (conf) configs.set(other, Object.assign({}, ...sectionsOf(conf).map((section) => section.values)) as Record<string, string>);
  }
  configs.set(vmid, { ...values });
  const errors: Record<string, string> = {};
  for (const [mac, users] of macCollisions(configs)) {
    if (!users.includes(vmid)) continue;
    const key = Object.entries(values).find(([k, v]) => netIndexOf(k) !== undefined && v.toUpperCase().includes(mac))?.[0] ?? 'net';
    errors[key] = `${key}: MAC ${mac} is already used by VM ${users.filter((u) => u !== vmid).join(', ')}`;
  }
  return errors;
};

/** Give every NIC without a MAC a fresh one, unique on this node. */
const withMacs = async (vms: VmService, values: Record<string, string>): Promise<Record<string, string>> => {
  const taken = new Set<string>();
  for (const other of await vms.store.vmids()) {
    const read = await vms.store.read(other).catch(() => undefined);
    if (read) for (const mac of macsOf(sectionsOf(read.conf).map((s) => s.values))) taken.add(mac);
  }
  for (const mac of macsOf([values])) taken.add(mac);
  const result = { ...values };
  for (const net of netsOf(values)) {
    if (net.macaddr !== undefined) continue;
    const mac = randomMac(taken);
    taken.add(mac);
    result[net.key] = formatNet({ ...net, macaddr: mac });
  }
  return result;
};

/** A config with `values` written as PVE writes a new file (keys sorted). */
const confFrom = (vmid: number, values: Readonly<Record<string, string>>, description: string | undefined): VmConf => {
  let conf = parseVmConf('', `qemu-server/${vmid}.conf`);
  for (const [key, value] of Object.entries(values)) conf = setKey(conf, CURRENT, key, value);
  return description === undefined ? conf : setDescription(conf, CURRENT, description);
};

export const createVm = async (
  vms: VmService,
  request: { vmid: number; config: VmConfigValues; start: boolean },
  signal: AbortSignal,
  start: (vmid: number, ctx: TaskContext) => Promise<void>,
): Promise<{ upid: string }> => {
  const { vmid } = request;
  const { description, ...values } = textValues(request.config);
  const taken = await findGuest(vms.store.configDir, vmid);
  if (taken) throw new AppError('already-exists', `VMID ${vmid} is taken by ${guestNoun[taken.kind]} ${vmid} on node ${taken.node} — the next free one is ${await vms.store.nextid()}`, { vmid });
  validateVmConfig(values, { forCreate: true });
  const problem = invalid({ ...(await bridgeErrors(values, vms.node)), ...(await macErrors(vms, vmid, values)) });
  if (problem) throw problem;
  await checkVolumes(vms.options.storage, values, signal);

  return vms.options.spawnTask({ type: 'qmcreate', id: String(vmid), user: vms.options.user }, async (ctx) => {
    // Claim the VMID first: a config holding only `lock: create`.
    await vms.store.create(vmid, confFrom(vmid, { lock: 'create' }, undefined));
    const allocated: string[] = [];
    try {
      const final = await withMacs(vms, values);
      for (const key of newDiskKeys(values)) {
        final[key] = await allocDisk(vms.options.storage, vmid, key, values[key] ?? '', ctx);
        const file = final[key]?.split(',')[0];
        if (file !== undefined) allocated.push(file);
      }
      final.smbios1 ??= `uuid=${randomUUID()}`;
      final.vmgenid ??= randomUUID();
      final.meta ??= `creation-qemu=7.2.0,ctime=${Math.floor(Date.now() / 1000)}`;
      await vms.store.withLock(vmid, { label: 'create', upid: ctx.upid }, async () => {
        await vms.store.write(vmid, confFrom(vmid, final, description));
      });
      ctx.log(`VM ${vmid} created`);
    } catch (error) {
      for (const volid of allocated) await vms.options.storage.free(volid, vmid, storageCall(ctx)).catch(() => undefined);
      await vms.store.remove(vmid);
      throw error;
    }
    await vms.publishStatus(vmid);
    if (request.start) await start(vmid, ctx);
  });
};

/** A sync context for allocations done inside a config change (no task log: the result names the new volumes). */
const callContext = (signal: AbortSignal, label: string): TaskContext => ({
  upid: label,
  signal,
  log: () => undefined,
  warn: () => undefined,
  progress: () => undefined,
  run: (command, args, options) => run(command, args, { ...options, signal }),
});

export const setVm = async (
  vms: VmService,
  request: { vmid: number; config: VmConfigValues; delete: string[]; revert: string[]; digest: string },
  signal: AbortSignal,
): Promise<{ digest: string; pending: string[] }> => {
  const { vmid } = request;
  const { description, ...values } = textValues(request.config);
  const both = request.delete.filter((key) => key in values || key === 'description' && description !== undefined);
  if (both.length > 0) throw new AppError('invalid-params', `${both.join(', ')}: both set and deleted`, { keys: both });
  const errors = vmConfigErrors(values, { forCreate: true });
  for (const key of [...request.delete, ...request.revert]) if (!/^[a-z][a-z0-9_-]*$/.test(key)) errors[key] = `${key}: not a config key`;
  Object.assign(errors, await bridgeErrors(values, vms.node), await macErrors(vms, vmid, values));
  const problem = invalid(errors);
  if (problem) throw problem;
  await checkVolumes(vms.options.storage, values, signal);
  const running = vms.monitor.isRunning(vmid);
  const pendingKeys: string[] = [];
  const digest = await vms.store.update(vmid, { label: 'config' }, request.digest, async ({ conf: before }) => {
    VmService.checkUnlocked(vmid, before, 'change its config');
    let conf = before;
    const final = await withMacs(vms, values);
    // Cross-key checks on the result (cores × sockets vs vcpus, balloon ≤ memory, boot devices…); the new disks'
    // STORAGE:SIZE values were checked above and are not volumes yet.
    const merged: Record<string, string> = { ...currentOf(conf).values, ...final };
    for (const key of request.delete) delete merged[key];
    const fresh = new Set(newDiskKeys(values));
    const crossKey = invalid(Object.fromEntries(Object.entries(vmConfigErrors(merged)).filter(([key]) => !fresh.has(key))));
    if (crossKey) throw crossKey;
    for (const key of request.revert) conf = deleteKey(conf, PENDING, key);
    const ctx = callContext(signal, 'config');
    for (const [key, value] of Object.entries(final)) {
      const next = newDiskKeys({ [key]: value }).length > 0 ? await allocDisk(vms.options.storage, vmid, key, value, ctx) : value;
      // Hotplug (vm-hotplug.ts): a disk or NIC change reaches the running VM when QEMU allows it; else it waits.
      const hotplugged = running && hotplugClassOf(key) !== 'immediate' && (await hotplugChange(vms, vmid, currentOf(conf).values, key, next, ctx));
      const live = !running || hotplugClassOf(key) === 'immediate' || hotplugged;
      if (live) {
        conf = detachReplaced(conf, vmid, key, next);
        conf = setKey(conf, CURRENT, key, next);
        conf = dropPending(conf, key); // an older pending value or delete must not undo it at the next start
      } else {
        conf = setKey(conf, PENDING, key, next);
        pendingKeys.push(key);
      }
    }
    if (description !== undefined) conf = setDescription(conf, CURRENT, description === '' ? undefined : description);
    for (const key of request.delete) {
      if (key === 'description') conf = setDescription(conf, CURRENT, undefined);
      // Hotplug (vm-hotplug.ts): a disk or NIC leaves the running VM when QEMU allows it; a disk becomes unusedN.
      else if (!running || hotplugClassOf(key) === 'immediate' || (await hotplugChange(vms, vmid, currentOf(conf).values, key, undefined, ctx)))
        conf = dropPending(detachReplaced(deleteKey(conf, CURRENT, key), vmid, key, undefined, currentOf(conf).values[key]), key);
      else {
        const deletes = new Set(pendingDeletes(conf).map((entry) => entry.key));
        deletes.add(key);
        conf = setKey(conf, PENDING, 'delete', [...deletes].join(','));
        pendingKeys.push(key);
      }
    }
    return conf;
  });
  await vms.publishStatus(vmid);
  return { digest, pending: pendingKeys };
};

/** Forget what [PENDING] says of `key` (its value and its delete): the current config has just been decided. */
const dropPending = (conf: VmConf, key: string): VmConf => {
  let next = deleteKey(conf, PENDING, key);
  const deletes = pendingDeletes(next).filter((entry) => entry.key !== key);
  if (deletes.length === pendingDeletes(next).length) return next;
  next = deletes.length === 0 ? deleteKey(next, PENDING, 'delete') : setKey(next, PENDING, 'delete', deletes.map((d) => (d.force ? `!${d.key}` : d.key)).join(','));
  return next;
};

/**
 * A disk replaced or deleted in the current config is not lost: a volume this VM owns moves to the next unusedN
 * (PVE's rule); CDs and foreign volumes simply go.
 */
const detachReplaced = (conf: VmConf, vmid: number, key: string, next: string | undefined, removedValue?: string): VmConf => {
  if (!driveKeyOf(key) || key.startsWith('unused')) return conf;
  const previous = removedValue ?? currentOf(conf).values[key];
  if (previous === undefined) return conf;
  let drive;
  try {
    drive = parseDrive(key, previous);
  } catch {
    return conf;
  }
  if (drive.media === 'cdrom' || !isVolid(drive.file) || volumeOwner(drive.file) !== vmid) return conf;
  if (next !== undefined && next.split(',')[0] === drive.file) return conf;
  const unused = nextDiskKey('unused', Object.keys(currentOf(conf).values));
  return unused === undefined ? conf : setKey(conf, CURRENT, unused, drive.file);
};

/** Import a PVE config file as it is: every section checked, its volumes present, the VMID free. */
export const importVm = async (vms: VmService, vmid: number, text: string, signal: AbortSignal): Promise<{ digest: string }> => {
  const conf = parseVmConf(text, `qemu-server/${vmid}.conf`);
  const errors: Record<string, string> = {};
  for (const section of sectionsOf(conf)) {
    if (section.kind === 'special') continue;
    const sectionErrors = vmConfigErrors(section.values, { section: section.kind === 'snapshot' ? 'snapshot' : section.kind === 'pending' ? 'pending' : 'current' });
    for (const [key, message] of Object.entries(sectionErrors)) errors[section.kind === 'current' ? key : `[${section.name}] ${key}`] = section.kind === 'current' ? message : `[${section.name}] ${message}`;
  }
  const lock = currentOf(conf).values.lock;
  if (lock !== undefined) errors.lock = `lock: the config is locked (${lock}) — unlock it on the source first`;
  const problem = invalid(errors);
  if (problem) throw problem;
  await checkVolumes(vms.options.storage, currentOf(conf).values, signal);
  const macs = invalid(await macErrors(vms, vmid, currentOf(conf).values));
  if (macs) throw macs;
  const digest = await vms.store.create(vmid, conf);
  await vms.publishStatus(vmid);
  return { digest };
};
