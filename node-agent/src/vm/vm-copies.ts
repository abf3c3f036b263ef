// Templates and clones, as qm's: a template's disks become read-only base volumes (base-<vmid>-disk-N); a linked
// clone gets copy-on-write disks on the template's storage, a full clone copies every disk (to any storage). A clone
// gets new MACs, a new smbios uuid and vmgenid, and no snapshots.
import { randomUUID } from 'node:crypto';
import { AppError } from '../api/errors';
import { findGuest, guestNoun } from '../guests/guest-configs';
import { CURRENT, currentOf, parseVmConf, sectionOf, setKey, snapshotsOf, type VmConf } from './config/conf-document';
import { formatDrive } from './config/drive';
import { formatNet, randomMac, macsOf } from './config/net';
import { VmService } from './vm-service';
import { runOk, storageCall } from './task-run';
import { netsOf } from './vm-facts';
import { drivesOf, isVolid, volumeOwner } from './vm-volumes';
import { virtualSize } from './vm-disks';

export const templateVm = async (vms: VmService, vmid: number): Promise<{ upid: string }> => {
  const { conf } = await vms.store.read(vmid);
  VmService.checkUnlocked(vmid, conf, 'become a template');
  VmService.checkNotTemplate(vmid, conf, 'become a template again');
  if (vms.monitor.isRunning(vmid)) throw new AppError('not-supported', `VM ${vmid} is running — shut it down before making it a template`, { vmid });
  if (snapshotsOf(conf).length > 0) throw new AppError('not-supported', `VM ${vmid} has snapshots — delete them before making it a template`, { vmid });
  return vms.runTask(vmid, 'qmtemplate', async (ctx) => {
    const call = storageCall(ctx);
    let next = (await vms.store.read(vmid)).conf;
    for (const drive of drivesOf(currentOf(next).values)) {
      if (drive.media === 'cdrom' || !isVolid(drive.file) || volumeOwner(drive.file) !== vmid) continue;
      const own = drive.file.split('/').at(-1) ?? '';
      if (!own.startsWith(`vm-${vmid}-`) || own.includes('-cloudinit')) continue;
      const { volid } = await vms.options.storage.rename(drive.file, vmid, own.replace(/^vm-/, 'base-'), call);
      next = setKey(next, CURRENT, drive.key, formatDrive({ ...drive, file: volid }));
      ctx.log(`${drive.key}: ${drive.file} is now the base volume ${volid}`);
    }
    await vms.store.write(vmid, setKey(next, CURRENT, 'template', '1'));
    ctx.log(`VM ${vmid} is a template`);
    await vms.publishStatus(vmid);
  });
};

export const cloneVm = async (
  vms: VmService,
  request: { vmid: number; newid: number; name?: string | undefined; full?: boolean | undefined; storage?: string | undefined; format?: 'raw' | 'qcow2' | 'vmdk' | undefined; snapname?: string | undefined },
  signal: AbortSignal,
): Promise<{ upid: string }> => {
  const { vmid, newid } = request;
  const { conf } = await vms.store.read(vmid);
  const values = currentOf(conf).values;
  const template = values.template === '1';
  const full = request.full ?? !template;
  if (!full && !template) throw new AppError('invalid-params', `VM ${vmid} is not a template — a linked clone needs one (or clone it full)`, { vmid });
  if (!full && request.storage !== undefined) throw new AppError('invalid-params', 'a linked clone stays on the template\'s storage — leave storage out, or clone full', { vmid });
  if (request.snapname !== undefined && !sectionOf(conf, request.snapname)) throw new AppError('not-found', `VM ${vmid} has no snapshot ${request.snapname}`, { vmid });
  if (full && vms.monitor.isRunning(vmid)) throw new AppError('not-supported', `VM ${vmid} is running — a full clone of a running VM is not supported yet; shut it down first`, { vmid });
  const taken = await findGuest(vms.store.configDir, newid);
  if (taken) throw new AppError('already-exists', `VMID ${newid} is taken by ${guestNoun[taken.kind]} ${newid} on node ${taken.node}`, { vmid: newid });
  if (request.storage !== undefined) await vms.options.storage.resolve(request.storage, { signal });
  const source = request.snapname === undefined ? values : (sectionOf(conf, request.snapname)?.values ?? values);

  return vms.options.spawnTask({ type: 'qmclone', id: String(vmid), user: vms.options.user }, async (ctx) => {
    const call = storageCall(ctx);
    await vms.store.create(newid, parseVmConf('lock: clone\n', `qemu-server/${newid}.conf`));
    const made: string[] = [];
    try {
      const target: Record<string, string> = {};
      for (const [key, value] of Object.entries(source))
        if (!['lock', 'template', 'parent', 'snaptime', 'vmstate', 'smbios1', 'vmgenid', 'meta', 'name'].includes(key) && !key.startsWith('unused')) target[key] = value;
      for (const drive of drivesOf(source)) {
        if (drive.kind === 'unused' || !(drive.key in target)) continue;
        if (drive.media === 'cdrom' || !isVolid(drive.file)) continue;
        let volid: string;
        if (/-cloudinit(\.|$)/.test(drive.file)) {
          const storeid = drive.file.split(':')[0] ?? '';
          ({ volid } = await vms.options.storage.alloc({ storage: request.storage ?? storeid, vmid: newid, format: 'raw', size: 4 * 1024 * 1024, name: `vm-${newid}-cloudinit` }, call));
        } else if (!full) {
          ({ volid } = await vms.options.storage.clone(drive.file, newid, request.snapname, call));
        } else {
          const from = await vms.options.storage.volumePath(drive.file, call);
          const storeid = request.storage ?? drive.file.split(':')[0] ?? '';
          const size = await virtualSize(ctx, drive.key, from.path, from.format ?? 'raw');
          // As PVE: the source's format unless another is asked for (the storage refuses one it cannot hold).
          const format = request.format ?? (from.format === 'raw' || from.format === 'qcow2' || from.format === 'vmdk' ? from.format : undefined);
          ({ volid } = await vms.options.storage.alloc({ storage: storeid, vmid: newid, size, ...(format ? { format } : {}) }, call));
          made.push(volid);
          const to = await vms.options.storage.volumePath(volid, call);
          await runOk(ctx, drive.key, 'qemu-img', ['convert', '-f', from.format ?? 'raw', '-O', to.format ?? 'raw', ...(request.snapname ? ['-l', `snapshot.name=${request.snapname}`] : []), from.path, to.path], { timeoutMs: 24 * 3600_000 });
        }
        if (!made.includes(volid)) made.push(volid);
        target[drive.key] = formatDrive({ ...drive, file: volid });
        ctx.log(`${drive.key}: ${drive.file} → ${volid} (${full ? 'full copy' : 'linked'})`);
      }
      const taken = new Set<string>();
      for (const other of await vms.store.vmids()) {
        const read = await vms.store.read(other).catch(() => undefined);
        if (read) for (const mac of macsOf([currentOf(read.conf).values])) taken.add(mac);
      }
      for (const net of netsOf(target)) {
        const mac = randomMac(taken);
        taken.add(mac);
        target[net.key] = formatNet({ ...net, macaddr: mac });
      }
      target.name = request.name ?? `${values.name ?? `vm${vmid}`}-clone`.slice(0, 60);
      target.smbios1 = `uuid=${randomUUID()}`;
      target.vmgenid = randomUUID();
      let next: VmConf = parseVmConf('', `qemu-server/${newid}.conf`);
      for (const [key, value] of Object.entries(target)) next = setKey(next, CURRENT, key, value);
      await vms.store.write(newid, next);
      ctx.log(`VM ${newid} cloned from VM ${vmid}`);
    } catch (error) {
      for (const volid of made) await vms.options.storage.free(volid, newid, call).catch(() => undefined);
      await vms.store.remove(newid);
      throw error;
    }
    await vms.publishStatus(newid);
  });
};

