// VM snapshots, as qm's: the config copied into a [snapname] section (parent, snaptime, vmstate), every disk
// snapshotted (by QEMU while it runs, by the storage otherwise), and with RAM the whole machine state saved by
// QEMU's savevm into the qcow2 disks — rolled back by starting QEMU with -loadvm, so the guest resumes exactly there.
import { AppError } from '../api/errors';
import {
  CURRENT,
  addSection,
  currentOf,
  deleteKey,
  removeSection,
  sectionOf,
  setKey,
  snapshotsOf,
  type VmConf,
} from './config/conf-document';
import { startBody, stopBody } from './vm-lifecycle';
import { VmService } from './vm-service';
import { storageCall } from './task-run';
import { drivesOf, isVolid } from './vm-volumes';

/** Keys of the current config a snapshot does not copy (PVE's): its own bookkeeping. */
const NOT_COPIED = new Set(['lock', 'snaptime', 'vmstate', 'snapstate']);

interface SnapDisk {
  key: string;
  volid: string;
  format: string | undefined;
}

/** The disks a snapshot covers: every disk on a storage (CDs and unused disks aside). */
const snapshotDisks = async (vms: VmService, values: Readonly<Record<string, string>>, signal: AbortSignal): Promise<SnapDisk[]> => {
  const disks: SnapDisk[] = [];
  for (const drive of drivesOf(values)) {
    if (drive.media === 'cdrom' || drive.kind === 'unused' || !isVolid(drive.file) || /-cloudinit(\.|$)/.test(drive.file)) continue;
    const { format } = await vms.options.storage.volumePath(drive.file, { signal });
    disks.push({ key: drive.key, volid: drive.file, format });
  }
  return disks;
};

const hmp = async (vms: VmService, vmid: number, command: string): Promise<void> => {
  const output = await vms.monitor.client(vmid).execute<string>('human-monitor-command', { 'command-line': command }, { timeoutMs: 10 * 60_000 });
  // HMP reports failures as text, not as QMP errors.
  if (typeof output === 'string' && /error|fail|cannot|not supported/i.test(output))
    throw new AppError('command-failed', `VM ${vmid}: ${command}: ${output.trim()}`, { vmid });
};

export const snapshotVm = async (vms: VmService, vmid: number, snapname: string, vmstate: boolean, description: string | undefined): Promise<{ upid: string }> => {
  const { conf } = await vms.store.read(vmid);
  VmService.checkUnlocked(vmid, conf, 'take a snapshot');
  VmService.checkNotTemplate(vmid, conf, 'have snapshots');
  if (sectionOf(conf, snapname)) throw new AppError('already-exists', `VM ${vmid} already has a snapshot ${snapname}`, { vmid, snapname });
  const running = vms.monitor.isRunning(vmid);
  if (vmstate && !running) throw new AppError('invalid-params', `VM ${vmid} is not running: a snapshot with RAM needs a running VM`, { vmid });
  const signal = AbortSignal.timeout(30_000);
  const disks = await snapshotDisks(vms, currentOf(conf).values, signal);
  if (vmstate || running) {
    const notQcow2 = disks.filter((disk) => disk.format !== 'qcow2');
    if (notQcow2.length > 0)
      throw new AppError('not-supported', `VM ${vmid}: ${vmstate ? 'a RAM snapshot' : 'a snapshot of a running VM'} needs qcow2 disks (${notQcow2.map((d) => `${d.key} is ${d.format ?? 'raw'}`).join(', ')}) — shut it down first, or move the disks to qcow2`, { vmid });
  }
  return vms.runTask(vmid, 'qmsnapshot', async (ctx) => {
    const call = storageCall(ctx);
    const done: SnapDisk[] = [];
    try {
      if (running && vmstate) {
        ctx.log(`saving the RAM and every disk of VM ${vmid} as ${snapname} (savevm)`);
        await hmp(vms, vmid, `savevm ${snapname}`);
      } else if (running) {
        for (const disk of disks) {
          await vms.monitor.client(vmid).execute('blockdev-snapshot-internal-sync', { device: `drive-${disk.key}`, name: snapname });
          done.push(disk);
          ctx.log(`${disk.key}: snapshot ${snapname} of ${disk.volid}`);
        }
      } else {
        for (const disk of disks) {
          await vms.options.storage.snapshot(disk.volid, vmid, snapname, 'create', call);
          done.push(disk);
          ctx.log(`${disk.key}: snapshot ${snapname} of ${disk.volid}`);
        }
      }
    } catch (error) {
      for (const disk of done) await vms.options.storage.snapshot(disk.volid, vmid, snapname, 'delete', call).catch(() => undefined);
      throw error;
    }
    const { conf: now } = await vms.store.read(vmid);
    const entries = Object.entries(currentOf(now).values).filter(([key]) => !NOT_COPIED.has(key));
    entries.push(['snaptime', String(Math.floor(Date.now() / 1000))]);
    if (vmstate) entries.push(['vmstate', '1']);
    let next = addSection(now, snapname, entries, description);
    next = setKey(next, CURRENT, 'parent', snapname);
    await vms.store.write(vmid, next);
    ctx.log(`snapshot ${snapname} of VM ${vmid} taken${vmstate ? ' with RAM' : ''}`);
    await vms.publishStatus(vmid);
  });
};

/** The current config becomes the snapshot's (snapshot sections stay; parent points at it). */
const restoreConfig = (conf: VmConf, snapname: string): VmConf => {
  const snapshot = sectionOf(conf, snapname);
  if (!snapshot) throw new AppError('not-found', `no snapshot ${snapname}`);
  let next = conf;
  for (const key of Object.keys(currentOf(conf).values)) if (!(key in snapshot.values)) next = deleteKey(next, CURRENT, key);
  for (const [key, value] of Object.entries(snapshot.values)) if (!NOT_COPIED.has(key) && key !== 'parent') next = setKey(next, CURRENT, key, value);
  return setKey(next, CURRENT, 'parent', snapname);
};

export const rollbackVm = async (vms: VmService, vmid: number, snapname: string, start: boolean): Promise<{ upid: string }> => {
  const { conf } = await vms.store.read(vmid);
  VmService.checkUnlocked(vmid, conf, 'roll back');
  const snapshot = sectionOf(conf, snapname);
  if (!snapshot || snapshot.kind !== 'snapshot') throw new AppError('not-found', `VM ${vmid} has no snapshot ${snapname}`, { vmid, snapname });
  const withRam = snapshot.values.vmstate !== undefined && snapshot.values.vmstate !== '0';
  const disks = await snapshotDisks(vms, snapshot.values, AbortSignal.timeout(30_000));
  return vms.runTask(vmid, 'qmrollback', async (ctx) => {
    if (vms.monitor.isRunning(vmid)) await stopBody(vms, vmid, ctx);
    await vms.store.write(vmid, restoreConfig((await vms.store.read(vmid)).conf, snapname));
    if (withRam) {
      // -loadvm reverts every qcow2 disk to the snapshot and restores the RAM: the guest resumes where it was.
      await startBody(vms, vmid, ctx, { loadvm: snapname });
    } else {
      const call = storageCall(ctx);
      for (const disk of disks) {
        await vms.options.storage.snapshot(disk.volid, vmid, snapname, 'rollback', call);
        ctx.log(`${disk.key}: rolled back to ${snapname}`);
      }
      if (start) await startBody(vms, vmid, ctx);
    }
    ctx.log(`VM ${vmid} rolled back to ${snapname}`);
    await vms.publishStatus(vmid);
  });
};

export const delsnapshotVm = async (vms: VmService, vmid: number, snapname: string): Promise<{ upid: string }> => {
  const { conf } = await vms.store.read(vmid);
  VmService.checkUnlocked(vmid, conf, 'delete a snapshot');
  const snapshot = sectionOf(conf, snapname);
  if (!snapshot || snapshot.kind !== 'snapshot') throw new AppError('not-found', `VM ${vmid} has no snapshot ${snapname}`, { vmid, snapname });
  const disks = await snapshotDisks(vms, snapshot.values, AbortSignal.timeout(30_000));
  return vms.runTask(vmid, 'qmdelsnapshot', async (ctx) => {
    if (vms.monitor.isRunning(vmid)) {
      // delvm drops the snapshot (and its RAM state) from every disk of the running VM.
      await hmp(vms, vmid, `delvm ${snapname}`);
    } else {
      const call = storageCall(ctx);
      for (const disk of disks) {
        await vms.options.storage.snapshot(disk.volid, vmid, snapname, 'delete', call).catch((error: unknown) => {
          const problem = AppError.from(error);
          if (!/not found|does not exist|no snapshot/i.test(problem.message)) throw problem;
          ctx.log(`${disk.key}: had no snapshot ${snapname}`);
        });
      }
    }
    let next = (await vms.store.read(vmid)).conf;
    const parent = sectionOf(next, snapname)?.values.parent;
    for (const child of snapshotsOf(next).filter((section) => section.values.parent === snapname))
      next = parent === undefined ? deleteKey(next, child.name, 'parent') : setKey(next, child.name, 'parent', parent);
    if (currentOf(next).values.parent === snapname) next = parent === undefined ? deleteKey(next, CURRENT, 'parent') : setKey(next, CURRENT, 'parent', parent);
    await vms.store.write(vmid, removeSection(next, snapname));
    ctx.log(`snapshot ${snapname} of VM ${vmid} deleted`);
    await vms.publishStatus(vmid);
  });
};

