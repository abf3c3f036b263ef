// What zfspool needs around its commands: its volume names (PVE's, including "basevol-" container templates and
// "base-…/vm-…" linked clones), dataset names, sizes as zfs takes them, and a checked `zfs` run.
import { AppError } from '../../api/errors';
import type { RunResult } from '../../exec/run';
import type { StorageContext, VolumeFormat } from '../plugin';
import { parseVolname } from '../volume-name';
import { commandFailed, runTool } from './plan-command';

/** The zfs tools wait on the pool's I/O; PVE gives workers at least 5 minutes. */
export const ZFS_MS = 5 * 60 * 1000;

export interface ZfsVolname {
  /** The dataset name below the pool: "vm-101-disk-0". */
  name: string;
  vmid: number;
  format: Extract<VolumeFormat, 'raw' | 'subvol'>;
  isBase: boolean;
  /** A linked clone's base: "base-100-disk-0". */
  base?: string;
}

type Ctx = StorageContext<{ pool: string }>;

/** The shared parser refuses '..', '/', metacharacters and foreign names; ZFS takes raw zvols and subvols only. */
export const zfsVolname = (ctx: Ctx, volname: string): ZfsVolname => {
  const parsed = parseVolname(volname, 'block');
  if (parsed.vmid === undefined || (parsed.format !== 'raw' && parsed.format !== 'subvol')) {
    throw new AppError(
      'invalid-params',
      `storage '${ctx.storeid}': '${volname}' is not a ZFS volume name (vm-, subvol-, base- or basevol-<vmid>-…)`,
    );
  }
  const volume: ZfsVolname = { name: parsed.name, vmid: parsed.vmid, format: parsed.format, isBase: parsed.isBase };
  if (parsed.base !== undefined) volume.base = parsed.base.volname;
  return volume;
};

export const dataset = (ctx: Ctx, name: string): string => `${ctx.config.pool}/${name}`;

/** zvol sizes in KiB, rounded up to whole MiB as PVE does (a volsize must be a multiple of the volblocksize). */
export const zvolSize = (size: number): string => {
  const kib = Math.ceil(size / 1024);
  return `${kib + ((1024 - (kib % 1024)) % 1024)}k`;
};

/** refquota in KiB; 0 means no quota ("none": zfs refuses 0). */
export const refquota = (size: number): string => (size > 0 ? `${Math.ceil(size / 1024)}k` : 'none');

export const isMissing = (result: RunResult): boolean => /does not exist/.test(result.stderr);

/** `zfs <args>`; a missing dataset is not-found naming the volume, other failures command-failed. */
export const zfs = async (ctx: Ctx, volume: string | undefined, args: readonly string[]): Promise<RunResult> => {
  const result = await runTool(ctx, volume, 'zfs', args, { timeoutMs: ZFS_MS });
  if (result.code === 0) return result;
  if (isMissing(result) && volume !== undefined) {
    throw new AppError(
      'not-found',
      `volume '${volume}' does not exist on storage '${ctx.storeid}' (${result.stderr.trim()})`,
    );
  }
  throw commandFailed(ctx, volume, 'zfs', args, result);
};

/** One property of one dataset (`zfs get -o value -Hp`). */
export const zfsGet = async (ctx: Ctx, volume: string | undefined, property: string, target: string): Promise<string> =>
  (await zfs(ctx, volume, ['get', '-o', 'value', '-Hp', property, target])).stdout.trim();
