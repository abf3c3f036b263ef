// A VM's disks on the storage layer: new disks from the STORAGE:SIZE shorthand (and STORAGE:cloudinit), checks that
// every volume a config names exists, resize (live through QMP when running) and move between storages.
import { lstat } from 'node:fs/promises';
import { AppError } from '../api/errors';
import type { StorageService } from '../storage/service';
import type { TaskContext } from '../tasks/task-context';
import { CURRENT, currentOf, setKey } from './config/conf-document';
import { driveKeyOf, formatDrive, nextDiskKey, parseDrive, type Drive } from './config/drive';
import { sizeBytes } from './config/property-string';
import { runOk, storageCall } from './task-run';
import type { VmService } from './vm-service';
import { isVolid } from './vm-volumes';

const GiB = 1024 ** 3;
const CLOUDINIT = /^([A-Za-z][A-Za-z0-9._-]*):cloudinit$/;
/** PVE's cloud-init drive is small: the seed ISO is a few KiB. */
const CLOUDINIT_BYTES = 4 * 1024 * 1024;

/** A size as PVE writes it: whole G when it is, else M, else K (`size=32G`, `size=512M`). */
export const formatSize = (bytes: number): string => {
  for (const [unit, factor] of [['T', 1024 ** 4], ['G', GiB], ['M', 1024 ** 2], ['K', 1024]] as const)
    if (bytes % factor === 0 && bytes >= factor) return `${bytes / factor}${unit}`;
  return String(bytes);
};

/** The keys of `values` that ask for a new volume (STORAGE:SIZE or STORAGE:cloudinit). */
export const newDiskKeys = (values: Readonly<Record<string, string>>): string[] =>
  Object.entries(values)
    .filter(([key, value]) => driveKeyOf(key) && (CLOUDINIT.test(value.split(',')[0] ?? '') || parseDrive(key, value, true).alloc !== undefined))
    .map(([key]) => key);

/**
 * Check, before anything is allocated, that every storage a new disk goes to holds images here, and that every
 * existing volume a drive names exists (an ISO on a CD drive included): errors name the key.
 */
export const checkVolumes = async (storage: StorageService, values: Readonly<Record<string, string>>, signal: AbortSignal): Promise<void> => {
  const errors: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (!driveKeyOf(key)) continue;
    const file = value.split(',')[0]?.replace(/^(file|volume)=/, '') ?? '';
    const cloudinit = CLOUDINIT.exec(file);
    let drive: Drive | undefined;
    try {
      drive = parseDrive(key, value, true);
    } catch {
      continue; // validation names it
    }
    try {
      const target = cloudinit?.[1] ?? drive.alloc?.storage;
      if (target !== undefined) {
        const resolved = await storage.resolve(target, { signal });
        if (!resolved.storage.content.includes('images')) throw new AppError('invalid-params', `storage ${target} does not hold disk images`);
      } else if (isVolid(drive.file)) {
        const { path } = await storage.volumePath(drive.file, { signal });
        if (!(await lstat(path).then(() => true, () => false))) throw new AppError('not-found', `volume ${drive.file} does not exist`);
      }
    } catch (error) {
      errors[key] = `${key}: ${AppError.from(error).message}`;
    }
  }
  const messages = Object.values(errors);
  if (messages.length > 0) throw new AppError('invalid-params', messages.join('; '), { errors });
};

/** Allocate one new disk for `key`; returns the drive value naming the new volume (with its size). */
export const allocDisk = async (storage: StorageService, vmid: number, key: string, value: string, ctx: TaskContext): Promise<string> => {
  const file = value.split(',')[0]?.replace(/^(file|volume)=/, '') ?? '';
  const cloudinit = CLOUDINIT.exec(file);
  // The cloud-init shorthand names no volume yet: read its options as an empty CD drive's.
  const rest = value.slice(value.indexOf(file) + file.length).split(',').filter((part) => part !== '' && !part.startsWith('media='));
  const drive = parseDrive(key, cloudinit ? ['none', 'media=cdrom', ...rest].join(',') : value, true);
  const { format, ...options } = drive.options;
  const call = storageCall(ctx);
  if (cloudinit) {
    const { volid } = await storage.alloc({ storage: cloudinit[1] ?? '', vmid, format: 'raw', size: CLOUDINIT_BYTES, name: `vm-${vmid}-cloudinit` }, call);
    ctx.log(`${key}: allocated cloud-init drive ${volid}`);
    return formatDrive({ kind: drive.kind, file: volid, options: { ...options, media: 'cdrom' } });
  }
  const alloc = drive.alloc;
  if (!alloc) throw new AppError('internal-error', `${key}: not a new disk`);
  const size = Math.round(alloc.sizeGiB * GiB);
  const { volid } = await storage.alloc(
    { storage: alloc.storage, vmid, size, ...(format === 'raw' || format === 'qcow2' || format === 'vmdk' ? { format } : {}) },
    call,
  );
  ctx.log(`${key}: allocated ${volid} (${formatSize(size)})`);
  return formatDrive({ kind: drive.kind, file: volid, options: { ...options, size: formatSize(size) } });
};

/** Resize a disk of VM vmid to `size` (`32G`) or by `+size`; the VM sees it at once when running. */
export const resizeDisk = async (vms: VmService, vmid: number, disk: string, size: string): Promise<{ upid: string }> => {
  const { conf } = await vms.store.read(vmid);
  const value = currentOf(conf).values[disk];
  if (value === undefined) throw new AppError('invalid-params', `${disk}: VM ${vmid} has no such disk`, { vmid, disk });
  const drive = parseDrive(disk, value);
  if (drive.media === 'cdrom' || !isVolid(drive.file)) throw new AppError('invalid-params', `${disk}: only a disk on a storage can be resized`, { vmid, disk });
  const current = drive.size === undefined ? 0 : sizeBytes(drive.size);
  const wanted = size.startsWith('+') ? current + sizeBytes(size.slice(1)) : sizeBytes(size);
  if (wanted < current) throw new AppError('invalid-params', `${disk}: shrinking a disk is not supported (it is ${formatSize(current)})`, { vmid, disk });
  return vms.runTask(vmid, 'qmresize', async (ctx) => {
    const call = storageCall(ctx);
    await vms.options.storage.resize(drive.file, vmid, wanted, call);
    if (vms.monitor.isRunning(vmid)) await vms.monitor.client(vmid).execute('block_resize', { device: `drive-${disk}`, size: wanted });
    await vms.store.write(vmid, setKey((await vms.store.read(vmid)).conf, CURRENT, disk, formatDrive({ ...drive, options: { ...drive.options, size: formatSize(wanted) } })));
    ctx.log(`${disk}: ${drive.file} is now ${formatSize(wanted)}`);
  });
};

/** Move a disk of a stopped VM to another storage: copy (qemu-img convert), then point the config at the copy. */
export const moveDisk = async (
  vms: VmService,
  request: { vmid: number; disk: string; storage: string; format?: 'raw' | 'qcow2' | 'vmdk' | undefined; delete: boolean },
  signal: AbortSignal,
): Promise<{ upid: string }> => {
  const { vmid, disk } = request;
  const { conf } = await vms.store.read(vmid);
  const value = currentOf(conf).values[disk];
  if (value === undefined) throw new AppError('invalid-params', `${disk}: VM ${vmid} has no such disk`, { vmid, disk });
  const drive = parseDrive(disk, value);
  if (drive.media === 'cdrom' || !isVolid(drive.file)) throw new AppError('invalid-params', `${disk}: only a disk on a storage can be moved`, { vmid, disk });
  if (vms.monitor.isRunning(vmid)) throw new AppError('not-supported', `VM ${vmid} is running — moving a disk of a running VM is not supported yet; shut it down first`, { vmid });
  const source = await vms.options.storage.volumePath(drive.file, { signal });
  const target = await vms.options.storage.resolve(request.storage, { signal });
  const format = request.format ?? ('format' in target.storage ? target.storage.format : undefined) ?? target.caps.defaultFormat;
  if (!target.caps.formats.includes(format)) throw new AppError('invalid-params', `storage ${request.storage} cannot hold ${format} volumes`, { vmid, disk });
  return vms.runTask(vmid, 'qmmove', async (ctx) => {
    const call = storageCall(ctx);
    const size = drive.size === undefined ? await virtualSize(ctx, disk, source.path, source.format ?? 'raw') : sizeBytes(drive.size);
    const { volid } = await vms.options.storage.alloc({ storage: request.storage, vmid, size, format: format === 'subvol' ? 'raw' : format }, call);
    try {
      const dest = await vms.options.storage.volumePath(volid, call);
      await runOk(ctx, `${disk}`, 'qemu-img', ['convert', '-f', source.format ?? 'raw', '-O', dest.format ?? 'raw', source.path, dest.path], { timeoutMs: 24 * 3600_000 });
    } catch (error) {
      await vms.options.storage.free(volid, vmid, call).catch(() => undefined);
      throw error;
    }
    let next = setKey((await vms.store.read(vmid)).conf, CURRENT, disk, formatDrive({ ...drive, file: volid }));
    if (request.delete) await vms.options.storage.free(drive.file, vmid, call);
    else {
      const unused = nextDiskKey('unused', Object.keys(currentOf(next).values));
      if (unused !== undefined) next = setKey(next, CURRENT, unused, drive.file);
    }
    await vms.store.write(vmid, next);
    ctx.log(`${disk}: moved ${drive.file} to ${volid}`);
  });
};

/** A volume's virtual size in bytes (qemu-img info). */
export const virtualSize = async (ctx: TaskContext, subject: string, path: string, format: string): Promise<number> => {
  const { stdout } = await runOk(ctx, subject, 'qemu-img', ['info', '--output=json', '-f', format, path], { timeoutMs: 30_000 });
  const size = (JSON.parse(stdout) as { 'virtual-size'?: unknown })['virtual-size'];
  if (typeof size !== 'number') throw new AppError('command-failed', `${subject}: qemu-img info gave no virtual size for ${path}`);
  return size;
};
