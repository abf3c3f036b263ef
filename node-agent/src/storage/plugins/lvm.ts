// Thick LVM (PVE's `lvm` type): one LV per raw disk in a volume group, often on a shared SAN LUN. No snapshots
// (PVE 9's snapshot-as-volume-chain, qcow2 layered on LVs, is a tech preview we do not build), full clones only.
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../../api/errors';
import type { AllocRequest, StorageContext, StoragePlugin, StorageStatus, VolumeInfo } from '../plugin';
import type { LvmConfig } from '../storage-config';
import {
  lvmBytes,
  assertGrow,
  blockContentMatches,
  devicePath,
  lvmVolname,
  newVolname,
  readLvs,
  readVg,
  requireLv,
  requireVg,
} from './lvm-volumes';
import type { LvmPluginOptions } from './lvm-volumes';
import { runChecked, runTool, streamDeviceIn, streamDeviceOut } from './plan-command';

type Ctx = StorageContext<LvmConfig>;

/** blkdiscard --zeroout step in MiB (PVE's saferemove-stepsize default). */
const ZERO_STEP_MIB = 32;
const LONG_MS = 24 * 60 * 60 * 1000;

/** Mirrored and RAID LVs are disks too; thin pools, thin volumes and pool internals belong to lvmthin. */
const THICK_TYPES = new Set(['-', 'm', 'M', 'r', 'R']);

const noSnapshots = (ctx: Ctx, volname: string): AppError =>
  new AppError(
    'not-supported',
    `volume '${volname}' on storage '${ctx.storeid}' (lvm): thick LVM has no snapshots (PVE 9's snapshot-as-volume-chain is not built); use an lvmthin, zfspool or qcow2 storage`,
  );

export const createLvmPlugin = (options: LvmPluginOptions = {}): StoragePlugin<LvmConfig> => {
  const path = (ctx: Ctx, volname: string): string => devicePath(options, ctx.config.vgname, volname);
  const lvPath = (ctx: Ctx, volname: string): string => `/dev/${ctx.config.vgname}/${volname}`;
  const activateLv = (ctx: Ctx, volname: string) =>
    runChecked(ctx, volname, 'lvchange', ['-aly', lvPath(ctx, volname)]);

  const alloc = async (ctx: Ctx, request: AllocRequest): Promise<string> => {
    if (request.format !== 'raw') {
      throw new AppError(
        'not-supported',
        `storage '${ctx.storeid}' (lvm) holds raw volumes only, not ${request.format}`,
      );
    }
    const vg = await requireVg(ctx);
    const lvs = await readLvs(ctx);
    const name = newVolname(ctx, lvs, request.vmid, request.name);
    if (!Number.isFinite(request.size) || request.size <= 0)
      throw new AppError(
        'invalid-params',
        `storage '${ctx.storeid}': size ${request.size} is not a positive byte count`,
      );
    if (vg.free < request.size) {
      throw new AppError(
        'invalid-params',
        `storage '${ctx.storeid}': volume group '${vg.name}' has ${vg.free} bytes free, ${request.size} asked for ${name}`,
      );
    }
    // -Wy wipes old signatures, --setautoactivation n keeps a shared VG's LVs inactive at boot (PVE does both).
    await runChecked(ctx, name, 'lvcreate', [
      '-aly',
      '-Wy',
      '--yes',
      '--size',
      lvmBytes(request.size),
      '--name',
      name,
      '--setautoactivation',
      'n',
      '--addtag',
      `pve-vm-${request.vmid}`,
      ctx.config.vgname,
    ]);
    return name;
  };

  const free = async (ctx: Ctx, volname: string): Promise<void> => {
    lvmVolname(ctx, volname, false);
    requireLv(ctx, await readLvs(ctx, volname), volname);
    await removeLv(ctx, volname);
  };

  const removeLv = async (ctx: Ctx, volname: string): Promise<void> => {
    const vg = ctx.config.vgname;
    if (!ctx.config.saferemove) {
      await runChecked(ctx, volname, 'lvremove', ['-f', `${vg}/${volname}`]);
      return;
    }
    // Zero the data before the extents go back to the VG, so the next guest cannot read this one's disk.
    // Renamed first, as PVE does, so the name is free at once and a half-zeroed LV is recognisable (del-…).
    const doomed = `del-${volname}`;
    await runChecked(ctx, volname, 'lvrename', [vg, volname, doomed]);
    await runChecked(ctx, volname, 'lvchange', ['-aly', `/dev/${vg}/${doomed}`]);
    // Unlike PVE we do not remove the LV when zeroing fails: its data would then be handed to the next allocation.
    await runChecked(
      ctx,
      volname,
      'blkdiscard',
      [
        `/dev/${vg}/${doomed}`,
        '-v',
        '--zeroout',
        '--step',
        String((ctx.config['saferemove-stepsize'] ?? ZERO_STEP_MIB) * 1024 * 1024),
      ],
      { timeoutMs: LONG_MS },
    );
    await runChecked(ctx, volname, 'lvremove', ['-f', `${vg}/${doomed}`]);
  };

  const resize = async (ctx: Ctx, volname: string, size: number): Promise<void> => {
    lvmVolname(ctx, volname, false);
    const lv = requireLv(ctx, await readLvs(ctx, volname), volname);
    if (!assertGrow(ctx, volname, lv.size, size)) return;
    await runChecked(ctx, volname, 'lvextend', ['-L', lvmBytes(size), lvPath(ctx, volname)]);
  };

  /** A full copy into a new LV for `vmid`: thick LVs cannot share blocks. */
  const clone = async (ctx: Ctx, volname: string, vmid: number, snap?: string): Promise<string> => {
    lvmVolname(ctx, volname, false);
    if (snap !== undefined) throw noSnapshots(ctx, volname);
    const source = requireLv(ctx, await readLvs(ctx, volname), volname);
    const target = await alloc(ctx, { vmid, format: 'raw', size: source.size });
    try {
      await activateLv(ctx, volname);
      await runChecked(
        ctx,
        target,
        'qemu-img',
        ['convert', '-n', '-f', 'raw', '-O', 'raw', lvPath(ctx, volname), lvPath(ctx, target)],
        { timeoutMs: LONG_MS },
      );
    } catch (error) {
      // A half-done copy is useless; removeLv zeroes it first where the storage asks for saferemove.
      await removeLv(ctx, target).catch(() => undefined);
      throw error;
    }
    return target;
  };

  const rename = async (ctx: Ctx, volname: string, vmid: number, newName?: string): Promise<string> => {
    const parsed = lvmVolname(ctx, volname, false);
    const lvs = await readLvs(ctx, volname);
    requireLv(ctx, lvs, volname);
    const target = newVolname(ctx, lvs, vmid, newName);
    const vg = ctx.config.vgname;
    await runChecked(ctx, volname, 'lvrename', [vg, volname, target]);
    if (parsed.vmid !== vmid) {
      // The owner tag follows the volume (PVE's tagged_only storages list only tagged LVs).
      await runChecked(ctx, target, 'lvchange', [
        '--addtag',
        `pve-vm-${vmid}`,
        '--deltag',
        `pve-vm-${parsed.vmid}`,
        `${vg}/${target}`,
      ]);
    }
    return target;
  };

  return {
    type: 'lvm',

    async activate(ctx) {
      if (await readVg(ctx)) return;
      // LVM scans on its own; one explicit scan covers a LUN that appeared since (PVE does the same).
      await runTool(ctx, undefined, 'vgscan', ['--ignorelockingfailure', '--mknodes']);
      await requireVg(ctx);
    },

    async status(ctx): Promise<StorageStatus> {
      const vg = await readVg(ctx);
      if (!vg) return { total: 0, used: 0, avail: 0, active: false };
      return { total: vg.size, used: vg.size - vg.free, avail: vg.free, active: true };
    },

    async list(ctx, filter = {}): Promise<VolumeInfo[]> {
      if (!blockContentMatches(filter.content)) return [];
      const lvs = await readLvs(ctx);
      const volumes: VolumeInfo[] = [];
      for (const lv of lvs.values()) {
        const owner = /^vm-(\d+)-/.exec(lv.name);
        if (!owner || !THICK_TYPES.has(lv.type)) continue;
        // tagged_only: a VG shared with other users lists only the LVs tagged pve-vm-<vmid> (PVE's option).
        if (ctx.config.tagged_only && !lv.tags.some((tag) => /^pve-vm-\d+$/.test(tag))) continue;
        const vmid = Number(owner[1]);
        if (filter.vmid !== undefined && filter.vmid !== vmid) continue;
        const volume: VolumeInfo = {
          volid: `${ctx.storeid}:${lv.name}`,
          content: 'images',
          format: 'raw',
          size: lv.size,
          vmid,
        };
        if (lv.ctime !== undefined) volume.ctime = lv.ctime;
        volumes.push(volume);
      }
      return volumes.sort((a, b) => a.volid.localeCompare(b.volid));
    },

    alloc,
    free,
    resize,

    // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async; this one only names the device
    async path(ctx, volname) {
      lvmVolname(ctx, volname, false);
      return path(ctx, volname);
    },

    // eslint-disable-next-line @typescript-eslint/require-await -- refused before any work
    async snapshotCreate(ctx, volname) {
      throw noSnapshots(ctx, volname);
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- refused before any work
    async snapshotRollback(ctx, volname) {
      throw noSnapshots(ctx, volname);
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- refused before any work
    async snapshotDelete(ctx, volname) {
      throw noSnapshots(ctx, volname);
    },

    clone,
    rename,

    async exportStream(ctx, volname, out: Writable) {
      lvmVolname(ctx, volname, false);
      requireLv(ctx, await readLvs(ctx, volname), volname);
      await activateLv(ctx, volname);
      await streamDeviceOut(ctx, volname, path(ctx, volname), out);
    },

    async importStream(ctx, volname, input: Readable) {
      lvmVolname(ctx, volname, false);
      requireLv(ctx, await readLvs(ctx, volname), volname);
      await activateLv(ctx, volname);
      await streamDeviceIn(ctx, volname, path(ctx, volname), input);
    },
  };
};

export const lvmPlugin = createLvmPlugin();
