// qemu-img invocations for file storages, and the parsing of `qemu-img info --output=json`. The image format is
// always passed (-f/-F): probing a guest-written image's format is how raw images get misread as qcow2.
import { z } from 'zod';
import { AppError } from '../../api/errors';
import type { StorageContext } from '../plugin';
import { runStorageCommand } from './storage-command';

const QEMU_IMG = 'qemu-img';
/** Copies of big images take as long as the disk needs; the task's cancel signal is the limit that matters. */
const LONG_MS = 24 * 60 * 60 * 1000;

const QemuImgInfoJson = z.object({
  'virtual-size': z.number().int().nonnegative(),
  'actual-size': z.number().int().nonnegative().optional(),
  format: z.string(),
  'backing-filename': z.string().optional(),
  'backing-filename-format': z.string().optional(),
  snapshots: z.array(z.object({ name: z.string(), id: z.string(), 'date-sec': z.number().optional() })).optional(),
});

export interface QemuImgInfo {
  virtualSize: number;
  actualSize?: number;
  format: string;
  backingFile?: string;
  backingFormat?: string;
  snapshots: string[];
}

/** Parse `qemu-img info --output=json` of one image. */
export const parseQemuImgInfo = (json: string, subject: string): QemuImgInfo => {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new AppError('internal-error', `${subject}: qemu-img info printed something that is not JSON`);
  }
  const parsed = QemuImgInfoJson.safeParse(raw);
  if (!parsed.success) throw new AppError('internal-error', `${subject}: unexpected qemu-img info output: ${parsed.error.message}`);
  const info = parsed.data;
  return {
    virtualSize: info['virtual-size'],
    ...(info['actual-size'] === undefined ? {} : { actualSize: info['actual-size'] }),
    format: info.format,
    ...(info['backing-filename'] === undefined ? {} : { backingFile: info['backing-filename'] }),
    ...(info['backing-filename-format'] === undefined ? {} : { backingFormat: info['backing-filename-format'] }),
    snapshots: (info.snapshots ?? []).map((snapshot) => snapshot.name),
  };
};

export const qemuImgInfo = async <C>(ctx: StorageContext<C>, subject: string, path: string, format: string): Promise<QemuImgInfo> => {
  const result = await runStorageCommand(ctx, subject, QEMU_IMG, ['info', '--output=json', '-f', format, path], { timeoutMs: 30_000 });
  return parseQemuImgInfo(result.stdout, subject);
};

export type Preallocation = 'off' | 'metadata' | 'falloc' | 'full';

/** PVE's preallocation_cmd_opt: qcow2 defaults to metadata, raw to off (and raw has no metadata mode). */
export const preallocationFor = (format: string, configured: Preallocation | undefined): Preallocation | undefined => {
  if (format === 'qcow2') return configured ?? 'metadata';
  if (format === 'raw') return configured === undefined || configured === 'metadata' ? 'off' : configured;
  return undefined;
};

export const qemuImgCreate = async <C>(
  ctx: StorageContext<C>,
  subject: string,
  path: string,
  format: string,
  size: number,
  preallocation: Preallocation | undefined,
): Promise<void> => {
  const options = preallocation === undefined ? [] : ['-o', `preallocation=${preallocation}`];
  await runStorageCommand(ctx, subject, QEMU_IMG, ['create', '-f', format, ...options, path, String(size)], { timeoutMs: LONG_MS });
};

/** A linked clone: a qcow2 whose backing file is the base, named relative to the clone's folder (PVE's ../<vmid>/<name>). */
export const qemuImgCreateBacked = async <C>(
  ctx: StorageContext<C>,
  subject: string,
  path: string,
  backingFile: string,
  backingFormat: string,
  preallocation: Preallocation | undefined,
): Promise<void> => {
  // PVE creates linked clones with 128k clusters and subclusters: far less copy-on-write amplification.
  const options = ['extended_l2=on', 'cluster_size=128k', ...(preallocation === undefined ? [] : [`preallocation=${preallocation}`])];
  await runStorageCommand(ctx, subject, QEMU_IMG, ['create', '-F', backingFormat, '-b', backingFile, '-f', 'qcow2', '-o', options.join(','), path], {
    timeoutMs: LONG_MS,
  });
};

export const qemuImgResize = async <C>(
  ctx: StorageContext<C>,
  subject: string,
  path: string,
  format: string,
  size: number,
  preallocation: Preallocation | undefined,
): Promise<void> => {
  const options = preallocation === undefined ? [] : [`--preallocation=${preallocation}`];
  await runStorageCommand(ctx, subject, QEMU_IMG, ['resize', '-f', format, ...options, path, String(size)], { timeoutMs: LONG_MS });
};

export type SnapshotAction = 'create' | 'apply' | 'delete';
const SNAPSHOT_FLAG: Record<SnapshotAction, string> = { create: '-c', apply: '-a', delete: '-d' };

/** Internal qcow2 snapshots. `qemu-img snapshot` takes no -f: callers check the image is qcow2 (qemuImgInfo -f qcow2) first. */
export const qemuImgSnapshot = async <C>(ctx: StorageContext<C>, subject: string, path: string, action: SnapshotAction, snap: string): Promise<void> => {
  await runStorageCommand(ctx, subject, QEMU_IMG, ['snapshot', SNAPSHOT_FLAG[action], snap, path], { timeoutMs: LONG_MS });
};

/** A full copy into a new image (flattening any backing chain), optionally of an internal snapshot. */
export const qemuImgConvert = async <C>(
  ctx: StorageContext<C>,
  subject: string,
  source: { path: string; format: string; snapshot?: string },
  target: { path: string; format: string; existing?: boolean },
): Promise<void> => {
  const snapshot = source.snapshot === undefined ? [] : ['-l', `snapshot.name=${source.snapshot}`];
  const existing = target.existing === true ? ['-n'] : [];
  await runStorageCommand(
    ctx,
    subject,
    QEMU_IMG,
    ['convert', '-f', source.format, ...snapshot, '-O', target.format, ...existing, source.path, target.path],
    { timeoutMs: LONG_MS },
  );
};
