// Size limits of container subvols on a btrfs storage with `quotas` (the option pve-container checks before it makes
// a sized subvol instead of a raw image): the subvolume's own quota group 0/<id> gets a limit on what it references.
// Without `quotas` a sized container volume is a raw image, as in PVE (qgroups do not survive send/receive).
import { AppError } from '../../api/errors';
import { requireExitZero } from '../../exec/run';
import type { StorageContext } from '../plugin';
import { runStorageCommand } from './storage-command';

/**
 * The referenced-size limit of the subvolume's level-0 qgroup in `btrfs qgroup show -re --raw -f` output (columns:
 * qgroupid rfer excl max_rfer max_excl [path]); undefined when it has none. Throws when the output has no 0/ line.
 */
export const parseQgroupLimit = (output: string): number | undefined => {
  const line = output.split('\n').find((candidate) => /^0\/\d+\s/.test(candidate.trim()));
  const limit = line?.trim().split(/\s+/)[3];
  if (limit === undefined) throw new Error(`no level-0 qgroup in: ${output.trim().slice(0, 200)}`);
  if (limit === 'none') return undefined;
  if (!/^\d+$/.test(limit)) throw new Error(`unreadable qgroup limit "${limit}"`);
  return Number(limit);
};

/**
 * Turn quotas on for the subvolume's file system (a no-op when they are on), then limit it to `size` bytes.
 * `quota enable` takes no `--` in btrfs-progs 6.2; the path is absolute, so it is never read as an option.
 */
export const limitSubvolume = async <C>(ctx: StorageContext<C>, subject: string, subvolume: string, size: number): Promise<void> => {
  await runStorageCommand(ctx, subject, 'btrfs', ['quota', 'enable', subvolume]);
  await runStorageCommand(ctx, subject, 'btrfs', ['qgroup', 'limit', '--', String(size), subvolume]);
};

/** The subvolume's limit in bytes; undefined when it has none (or quotas are off on its file system). */
export const subvolumeLimit = async <C>(ctx: StorageContext<C>, subject: string, subvolume: string): Promise<number | undefined> => {
  const args = ['qgroup', 'show', '-re', '--raw', '-f', '--', subvolume];
  const result = await ctx.run('btrfs', args);
  if (result.code !== 0 && /quotas? not enabled|ENOTCONN/i.test(result.stderr)) return undefined;
  requireExitZero(result, subject, 'btrfs', { storage: ctx.storeid, command: 'btrfs', args, exitCode: result.code });
  try {
    return parseQgroupLimit(result.stdout);
  } catch (error) {
    throw new AppError('command-failed', `${subject}: btrfs qgroup show: ${(error as Error).message}`);
  }
};

/** A new subvolume made from another (a clone, a rolled-back copy) keeps the other's limit. */
export const copyLimit = async <C>(ctx: StorageContext<C>, subject: string, from: string, to: string): Promise<void> => {
  const limit = await subvolumeLimit(ctx, subject, from);
  if (limit !== undefined) await limitSubvolume(ctx, subject, to, limit);
};
