// What the lvm and lvmthin plugins share: reading the VG and its LVs, checking volume names, naming new disks,
// and the not-supported answers. Both keep a volume as the LV of the same name, at /dev/<vg>/<lv>.
import { AppError } from '../../api/errors';
import type { StorageContext } from '../plugin';
import { nextDiskName, parseVolname } from '../volume-name';
import type { ParsedVolname } from '../volume-name';
import { LVS_ARGS, VGS_ARGS, parseLvs, parseVgs } from './lvm-report';
import type { LvReport, VgReport } from './lvm-report';
import { commandFailed, runTool } from './plan-command';

export interface LvmPluginOptions {
  /** Where the LVs' device nodes are (/dev); the plan tests point this at a temp dir to exercise streaming. */
  devDir?: string;
}

type Ctx = StorageContext<{ vgname: string }>;

/** The VG of this storage from `vgs` (all VGs, as PVE asks: exit 5 without clvmd still prints the local ones). */
export const readVg = async (ctx: Ctx): Promise<VgReport | undefined> => {
  const result = await runTool(ctx, undefined, 'vgs', VGS_ARGS, { timeoutMs: 30_000 });
  const vgs = parseVgs(result.stdout);
  if (result.code !== 0 && vgs.length === 0) throw commandFailed(ctx, undefined, 'vgs', VGS_ARGS, result);
  return vgs.find((vg) => vg.name === ctx.config.vgname);
};

export const requireVg = async (ctx: Ctx): Promise<VgReport> => {
  const vg = await readVg(ctx);
  if (!vg)
    throw new AppError(
      'not-found',
      `storage '${ctx.storeid}': volume group '${ctx.config.vgname}' does not exist on this node`,
    );
  return vg;
};

/** The LVs of this storage's VG, by name. */
export const readLvs = async (ctx: Ctx, volume?: string): Promise<Map<string, LvReport>> => {
  const args = [...LVS_ARGS, ctx.config.vgname];
  const result = await runTool(ctx, volume, 'lvs', args, { timeoutMs: 30_000 });
  if (result.code !== 0) {
    if (/not found/i.test(result.stderr)) {
      throw new AppError(
        'not-found',
        `storage '${ctx.storeid}': volume group '${ctx.config.vgname}' does not exist on this node`,
      );
    }
    throw commandFailed(ctx, volume, 'lvs', args, result);
  }
  return new Map(parseLvs(result.stdout).map((lv) => [lv.name, lv]));
};

/**
 * A volume name as LVM storages have them: block-style, one LV (no "base/clone" pairs), vm- (and base- where
 * `allowBase`), raw (no .qcow2 volume chains, no subvols), refused with invalid-params otherwise. The parser refuses
 * '..', '/', metacharacters.
 */
export const lvmVolname = (ctx: Ctx, volname: string, allowBase: boolean): ParsedVolname => {
  const parsed = parseVolname(volname, 'block');
  if (parsed.base !== undefined || parsed.name !== volname || parsed.vmid === undefined || parsed.format !== 'raw') {
    throw new AppError(
      'invalid-params',
      `storage '${ctx.storeid}': '${volname}' is not an LVM volume name (vm-<vmid>-…)`,
    );
  }
  if (parsed.isBase && !allowBase)
    throw new AppError('not-supported', `storage '${ctx.storeid}' (lvm) has no base volumes: '${volname}'`);
  if (!/^(vm|base)-\d+-/.test(volname)) {
    throw new AppError(
      'invalid-params',
      `storage '${ctx.storeid}': '${volname}' is not an LVM volume name (vm-<vmid>-…)`,
    );
  }
  return parsed;
};

/** The LV, or not-found naming the volume and storage. */
export const requireLv = (ctx: Ctx, lvs: Map<string, LvReport>, volname: string): LvReport => {
  const lv = lvs.get(volname);
  if (!lv) throw new AppError('not-found', `volume '${volname}' does not exist on storage '${ctx.storeid}'`);
  return lv;
};

/** A wanted name for `vmid` (checked), or the next free vm-<vmid>-disk-<n> in the VG. */
export const newVolname = (ctx: Ctx, lvs: Map<string, LvReport>, vmid: number, wanted: string | undefined): string => {
  if (wanted === undefined) return nextDiskName(lvs.keys(), 'vm', vmid);
  const parsed = lvmVolname(ctx, wanted, false);
  if (parsed.vmid !== vmid || !wanted.startsWith(`vm-${vmid}-`)) {
    throw new AppError('invalid-params', `storage '${ctx.storeid}': volume name '${wanted}' should be 'vm-${vmid}-…'`);
  }
  if (lvs.has(wanted))
    throw new AppError('already-exists', `volume '${wanted}' already exists on storage '${ctx.storeid}'`);
  return wanted;
};

export const devicePath = (options: LvmPluginOptions, vg: string, lv: string): string =>
  `${options.devDir ?? '/dev'}/${vg}/${lv}`;

/** lvcreate/lvextend sizes: bytes, LVM rounds up to whole extents. */
export const lvmBytes = (size: number): string => `${Math.ceil(size)}b`;

export const assertGrow = (ctx: Ctx, volname: string, current: number, size: number): boolean => {
  if (!Number.isFinite(size) || size <= 0)
    throw new AppError(
      'invalid-params',
      `volume '${volname}' on storage '${ctx.storeid}': size ${size} is not a positive byte count`,
    );
  if (size < current) {
    throw new AppError(
      'invalid-params',
      `volume '${volname}' on storage '${ctx.storeid}' is ${current} bytes; shrinking to ${size} is not supported`,
    );
  }
  return size > current;
};

/** Block volumes serve both VM disks and container root filesystems. */
export const blockContentMatches = (content: string | undefined): boolean =>
  content === undefined || content === 'images' || content === 'rootdir';
