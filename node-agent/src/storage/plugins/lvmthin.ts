// LVM-thin (PVE's `lvmthin`, the default `local-lvm`): thin volumes in one pool of a VG. Snapshots are read-only
// thin snapshots `snap_<volume>_<snap>`; templates are read-only `base-` volumes; linked clones are writable
// thin snapshots of a base (or of a snapshot). Commands follow PVE's LvmThinPlugin so its pools are read as they are.
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../../api/errors';
import type { AllocRequest, StorageContext, StoragePlugin, StorageStatus, VolumeInfo } from '../plugin';
import type { LvmThinConfig } from '../storage-config';
import { SNAPSHOT_NAME, nextDiskName } from '../volume-name';
import type { LvReport } from './lvm-report';
import {
  assertGrow,
  blockContentMatches,
  devicePath,
  lvmBytes,
  lvmVolname,
  newVolname,
  readLvs,
  requireLv,
  requireVg,
} from './lvm-volumes';
import type { LvmPluginOptions } from './lvm-volumes';
import { runChecked, runTool, streamDeviceIn, streamDeviceOut } from './plan-command';

type Ctx = StorageContext<LvmThinConfig>;

const LONG_MS = 24 * 60 * 60 * 1000;

export interface VolumeSnapshot {
  name: string;
  /** Seconds since the epoch, where the storage keeps it. */
  ctime?: number;
}

/** What lvmthin can do beyond the common interface: list a volume's snapshots, turn a volume into a template base. */
export interface LvmThinPlugin extends StoragePlugin<LvmThinConfig> {
  snapshotList(ctx: Ctx, volname: string): Promise<VolumeSnapshot[]>;
  /** Rename vm-… to base-…, read-only and skipped by activation; returns the base volname. */
  createBase(ctx: Ctx, volname: string): Promise<string>;
}

const snapLv = (volname: string, snap: string): string => `snap_${volname}_${snap}`;

const checkSnapName = (ctx: Ctx, volname: string, snap: string): void => {
  if (!SNAPSHOT_NAME.test(snap)) {
    throw new AppError(
      'invalid-params',
      `volume '${volname}' on storage '${ctx.storeid}': '${snap}' is not a snapshot name (a letter, then letters, digits, - or _)`,
    );
  }
};

const snapshotsOf = (lvs: Map<string, LvReport>, volname: string): VolumeSnapshot[] => {
  const prefix = snapLv(volname, '');
  return [...lvs.values()]
    .filter((lv) => lv.name.startsWith(prefix) && SNAPSHOT_NAME.test(lv.name.slice(prefix.length)))
    .map((lv) =>
      lv.ctime === undefined
        ? { name: lv.name.slice(prefix.length) }
        : { name: lv.name.slice(prefix.length), ctime: lv.ctime },
    )
    .sort((a, b) => (a.ctime ?? 0) - (b.ctime ?? 0) || a.name.localeCompare(b.name));
};

export const createLvmThinPlugin = (options: LvmPluginOptions = {}): LvmThinPlugin => {
  const path = (ctx: Ctx, lv: string): string => devicePath(options, ctx.config.vgname, lv);
  const lvRef = (ctx: Ctx, lv: string): string => `${ctx.config.vgname}/${lv}`;

  /** New thin LVs must not come up at boot by themselves (PVE: activation is per volume, when a guest starts). */
  const noAutoActivation = (ctx: Ctx, lv: string) =>
    runTool(ctx, lv, 'lvchange', ['--setautoactivation', 'n', lvRef(ctx, lv)]);

  /** -K: base volumes and snapshots carry the activation-skip flag. */
  const activateLv = async (ctx: Ctx, lvs: Map<string, LvReport>, lv: string, volume: string): Promise<void> => {
    if (requireLv(ctx, lvs, lv).state === 'a') return;
    await runChecked(ctx, volume, 'lvchange', ['-ay', '-K', lvRef(ctx, lv)]);
  };

  const alloc = async (ctx: Ctx, request: AllocRequest): Promise<string> => {
    if (request.format !== 'raw')
      throw new AppError(
        'not-supported',
        `storage '${ctx.storeid}' (lvmthin) holds raw volumes only, not ${request.format}`,
      );
    if (!Number.isFinite(request.size) || request.size <= 0)
      throw new AppError(
        'invalid-params',
        `storage '${ctx.storeid}': size ${request.size} is not a positive byte count`,
      );
    await requireVg(ctx);
    const lvs = await readLvs(ctx);
    const name = newVolname(ctx, lvs, request.vmid, request.name);
    await runChecked(ctx, name, 'lvcreate', [
      '-aly',
      '-V',
      lvmBytes(request.size),
      '--name',
      name,
      '--thinpool',
      lvRef(ctx, ctx.config.thinpool),
    ]);
    await noAutoActivation(ctx, name);
    return name;
  };

  /** A full copy into a new thin volume, for a volume that is neither a base nor a snapshot (it may be in use). */
  const fullCopy = async (ctx: Ctx, lvs: Map<string, LvReport>, volname: string, vmid: number): Promise<string> => {
    const source = requireLv(ctx, lvs, volname);
    const target = await alloc(ctx, { vmid, format: 'raw', size: source.size });
    try {
      await activateLv(ctx, lvs, volname, volname);
      await runChecked(
        ctx,
        target,
        'qemu-img',
        ['convert', '-n', '-f', 'raw', '-O', 'raw', `/dev/${lvRef(ctx, volname)}`, `/dev/${lvRef(ctx, target)}`],
        { timeoutMs: LONG_MS },
      );
    } catch (error) {
      await runTool(ctx, target, 'lvremove', ['-f', lvRef(ctx, target)]);
      throw error;
    }
    return target;
  };

  const plugin: LvmThinPlugin = {
    type: 'lvmthin',

    async activate(ctx) {
      await requireVg(ctx);
      const lvs = await readLvs(ctx);
      const pool = lvs.get(ctx.config.thinpool);
      if (!pool || pool.type !== 't') {
        throw new AppError(
          'not-found',
          `storage '${ctx.storeid}': thin pool '${ctx.config.thinpool}' does not exist in volume group '${ctx.config.vgname}'`,
        );
      }
      await activateLv(ctx, lvs, ctx.config.thinpool, ctx.config.thinpool);
    },

    async status(ctx): Promise<StorageStatus> {
      const lvs = await readLvs(ctx).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'not-found') return new Map<string, LvReport>();
        throw error;
      });
      const pool = lvs.get(ctx.config.thinpool);
      if (!pool || pool.type !== 't' || pool.size === 0) return { total: 0, used: 0, avail: 0, active: false };
      const used = pool.used ?? 0;
      return { total: pool.size, used, avail: pool.size - used, active: pool.state === 'a' };
    },

    async list(ctx, filter = {}): Promise<VolumeInfo[]> {
      if (!blockContentMatches(filter.content)) return [];
      const lvs = await readLvs(ctx);
      const volumes: VolumeInfo[] = [];
      for (const lv of lvs.values()) {
        const owner = /^(vm|base)-(\d+)-/.exec(lv.name);
        if (!owner || lv.type !== 'V' || lv.pool !== ctx.config.thinpool) continue;
        const vmid = Number(owner[2]);
        if (filter.vmid !== undefined && filter.vmid !== vmid) continue;
        const volume: VolumeInfo = {
          volid: `${ctx.storeid}:${lv.name}`,
          content: 'images',
          format: 'raw',
          size: lv.size,
          vmid,
        };
        if (lv.dataPercent !== undefined) volume.used = Math.floor((lv.dataPercent * lv.size) / 100);
        if (lv.ctime !== undefined) volume.ctime = lv.ctime;
        volumes.push(volume);
      }
      return volumes.sort((a, b) => a.volid.localeCompare(b.volid));
    },

    alloc,

    async free(ctx, volname) {
      lvmVolname(ctx, volname, true);
      const lvs = await readLvs(ctx, volname);
      requireLv(ctx, lvs, volname);
      // Snapshots first: they are the volume's history and mean nothing without it (as PVE).
      for (const snapshot of snapshotsOf(lvs, volname)) {
        await runChecked(ctx, volname, 'lvremove', ['-f', lvRef(ctx, snapLv(volname, snapshot.name))]);
      }
      await runChecked(ctx, volname, 'lvremove', ['-f', lvRef(ctx, volname)]);
    },

    async resize(ctx, volname, size) {
      lvmVolname(ctx, volname, false);
      const lv = requireLv(ctx, await readLvs(ctx, volname), volname);
      if (!assertGrow(ctx, volname, lv.size, size)) return;
      await runChecked(ctx, volname, 'lvextend', ['-L', lvmBytes(size), `/dev/${lvRef(ctx, volname)}`]);
    },

    // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async; this one only names the device
    async path(ctx, volname) {
      lvmVolname(ctx, volname, true);
      return path(ctx, volname);
    },

    async snapshotCreate(ctx, volname, snap) {
      lvmVolname(ctx, volname, false);
      checkSnapName(ctx, volname, snap);
      const lvs = await readLvs(ctx, volname);
      requireLv(ctx, lvs, volname);
      if (lvs.has(snapLv(volname, snap)))
        throw new AppError(
          'already-exists',
          `volume '${volname}' on storage '${ctx.storeid}' already has a snapshot '${snap}'`,
        );
      await runChecked(ctx, volname, 'lvcreate', ['-n', snapLv(volname, snap), '-pr', '-s', lvRef(ctx, volname)]);
    },

    async snapshotRollback(ctx, volname, snap) {
      lvmVolname(ctx, volname, false);
      checkSnapName(ctx, volname, snap);
      const lvs = await readLvs(ctx, volname);
      requireLv(ctx, lvs, volname);
      if (!lvs.has(snapLv(volname, snap)))
        throw new AppError('not-found', `volume '${volname}' on storage '${ctx.storeid}' has no snapshot '${snap}'`);
      // Thin snapshots are independent, so any snapshot can be rolled back to (PVE allows it too). PVE removes the
      // volume, then snapshots the snapshot under its name; we make the new one first, under a temporary name,
      // so a failed lvcreate (pool metadata full) leaves the volume as it was.
      const fresh = `rollback-${volname}`;
      if (lvs.has(fresh)) await runChecked(ctx, volname, 'lvremove', ['-f', lvRef(ctx, fresh)]);
      await runChecked(ctx, volname, 'lvcreate', ['-kn', '-prw', '-n', fresh, '-s', lvRef(ctx, snapLv(volname, snap))]);
      await noAutoActivation(ctx, fresh);
      await runChecked(ctx, volname, 'lvremove', ['-f', lvRef(ctx, volname)]);
      await runChecked(ctx, volname, 'lvrename', [ctx.config.vgname, fresh, volname]);
    },

    async snapshotDelete(ctx, volname, snap) {
      lvmVolname(ctx, volname, false);
      checkSnapName(ctx, volname, snap);
      const lvs = await readLvs(ctx, volname);
      if (!lvs.has(snapLv(volname, snap)))
        throw new AppError('not-found', `volume '${volname}' on storage '${ctx.storeid}' has no snapshot '${snap}'`);
      await runChecked(ctx, volname, 'lvremove', ['-f', lvRef(ctx, snapLv(volname, snap))]);
    },

    async snapshotList(ctx, volname) {
      lvmVolname(ctx, volname, true);
      const lvs = await readLvs(ctx, volname);
      requireLv(ctx, lvs, volname);
      return snapshotsOf(lvs, volname);
    },

    async clone(ctx, volname, vmid, snap) {
      const parsed = lvmVolname(ctx, volname, true);
      const lvs = await readLvs(ctx, volname);
      requireLv(ctx, lvs, volname);
      let source: string;
      if (snap !== undefined) {
        checkSnapName(ctx, volname, snap);
        source = snapLv(volname, snap);
        if (!lvs.has(source))
          throw new AppError('not-found', `volume '${volname}' on storage '${ctx.storeid}' has no snapshot '${snap}'`);
      } else if (parsed.isBase) {
        source = volname;
      } else {
        return fullCopy(ctx, lvs, volname, vmid);
      }
      const name = nextDiskName(lvs.keys(), 'vm', vmid);
      // A writable thin snapshot that activates normally (-kn): the linked clone shares the base's blocks.
      await runChecked(ctx, name, 'lvcreate', ['-n', name, '-prw', '-kn', '-s', lvRef(ctx, source)]);
      await noAutoActivation(ctx, name);
      return name;
    },

    async createBase(ctx, volname) {
      const parsed = lvmVolname(ctx, volname, true);
      if (parsed.isBase)
        throw new AppError(
          'invalid-params',
          `volume '${volname}' on storage '${ctx.storeid}' is already a base volume`,
        );
      const lvs = await readLvs(ctx, volname);
      requireLv(ctx, lvs, volname);
      const snapshots = snapshotsOf(lvs, volname);
      if (snapshots.length > 0) {
        throw new AppError(
          'invalid-params',
          `volume '${volname}' on storage '${ctx.storeid}' has snapshots (${snapshots.map((s) => s.name).join(', ')}); delete them before making it a template`,
        );
      }
      const base = volname.replace(/^vm-/, 'base-');
      if (lvs.has(base))
        throw new AppError('already-exists', `volume '${base}' already exists on storage '${ctx.storeid}'`);
      await runChecked(ctx, volname, 'lvrename', [ctx.config.vgname, volname, base]);
      // Read-only and activation-skipped, as PVE; like PVE a failure here only leaves a writable base, so it is not fatal.
      await runTool(ctx, base, 'lvchange', ['-pr', '-ky', lvRef(ctx, base)]);
      await runTool(ctx, base, 'lvchange', ['-an', lvRef(ctx, base)]);
      return base;
    },

    async rename(ctx, volname, vmid, newName) {
      lvmVolname(ctx, volname, false);
      const lvs = await readLvs(ctx, volname);
      requireLv(ctx, lvs, volname);
      if (snapshotsOf(lvs, volname).length > 0) {
        throw new AppError(
          'invalid-params',
          `volume '${volname}' on storage '${ctx.storeid}' has snapshots; they would lose their volume`,
        );
      }
      const target = newVolname(ctx, lvs, vmid, newName);
      await runChecked(ctx, volname, 'lvrename', [ctx.config.vgname, volname, target]);
      return target;
    },

    async exportStream(ctx, volname, out: Writable) {
      lvmVolname(ctx, volname, true);
      await activateLv(ctx, await readLvs(ctx, volname), volname, volname);
      await streamDeviceOut(ctx, volname, path(ctx, volname), out);
    },

    async importStream(ctx, volname, input: Readable) {
      lvmVolname(ctx, volname, false);
      await activateLv(ctx, await readLvs(ctx, volname), volname, volname);
      await streamDeviceIn(ctx, volname, path(ctx, volname), input);
    },
  };
  return plugin;
};

export const lvmthinPlugin = createLvmThinPlugin();
