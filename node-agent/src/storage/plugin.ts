// The one interface every storage type implements (PVE's storage plugin idea), and the words they share.
// Plugins never start processes themselves: they get a CommandRunner, so a task logs every command and the
// plan tests (LVM, ZFS: no device-mapper or ZFS on our build machines) can check the exact commands.
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { RunOptions, RunResult } from '../exec/run';

/** What a storage may hold (PVE's content types). */
export const ContentType = z.enum(['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import']);
export type ContentType = z.infer<typeof ContentType>;

/** The storage types built so far; network types (nfs, cifs, iscsi, rbd, cephfs, glusterfs) slot in here later. */
export const StorageType = z.enum(['dir', 'btrfs', 'lvm', 'lvmthin', 'zfspool']);
export type StorageType = z.infer<typeof StorageType>;

export const VolumeFormat = z.enum(['raw', 'qcow2', 'vmdk', 'subvol']);
export type VolumeFormat = z.infer<typeof VolumeFormat>;

/** A storage id, as PVE allows them. */
export const StorageId = z.string().regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, 'a storage id: letters, digits, - _ .');
export type StorageId = z.infer<typeof StorageId>;

export const Vmid = z.number().int().min(100).max(999_999_999);

/** One volume as `storage.content.list` shows it. */
export const VolumeInfo = z.object({
  volid: z.string(),
  content: ContentType,
  format: z.string(),
  /** Provisioned size in bytes (for a disk image its virtual size). */
  size: z.number().nonnegative(),
  /** Bytes actually used on the storage, where the storage can tell. */
  used: z.number().nonnegative().optional(),
  /** The guest that owns it (from its name), if any. */
  vmid: Vmid.optional(),
  /** A linked clone's base volume. */
  parent: z.string().optional(),
  /** Creation time, seconds since the epoch. */
  ctime: z.number().int().optional(),
  notes: z.string().optional(),
  protected: z.boolean().optional(),
});
export type VolumeInfo = z.infer<typeof VolumeInfo>;

export const StorageStatus = z.object({
  total: z.number().nonnegative(),
  used: z.number().nonnegative(),
  avail: z.number().nonnegative(),
  active: z.boolean(),
});
export type StorageStatus = z.infer<typeof StorageStatus>;

export type CommandRunner = (command: string, args: readonly string[], options?: Omit<RunOptions, 'signal'>) => Promise<RunResult>;

/** What a plugin call gets: which storage, its parsed properties, how to run commands, the cancel signal. */
export interface StorageContext<Config = Record<string, unknown>> {
  readonly storeid: string;
  readonly config: Config;
  /** The agent's root (HYPERDESK_ROOT): lab nodes keep their storages under it. */
  readonly root: string;
  readonly run: CommandRunner;
  readonly signal: AbortSignal;
}

export interface AllocRequest {
  vmid: number;
  format: VolumeFormat;
  /** Bytes. */
  size: number;
  /** A wanted volume name; otherwise the next free `vm-<vmid>-disk-<n>`. */
  name?: string;
}

/** Every storage type implements this; what a type cannot do it rejects with `not-supported` (see capabilities). */
export interface StoragePlugin<Config = Record<string, unknown>> {
  readonly type: StorageType;
  activate(ctx: StorageContext<Config>): Promise<void>;
  status(ctx: StorageContext<Config>): Promise<StorageStatus>;
  list(ctx: StorageContext<Config>, filter?: { vmid?: number; content?: ContentType }): Promise<VolumeInfo[]>;
  /** Returns the new volume's volname. */
  alloc(ctx: StorageContext<Config>, request: AllocRequest): Promise<string>;
  free(ctx: StorageContext<Config>, volname: string): Promise<void>;
  /** Grow to `size` bytes (never shrinks). */
  resize(ctx: StorageContext<Config>, volname: string, size: number): Promise<void>;
  /** The local path (file, block device or subvolume directory) QEMU or LXC would use. */
  path(ctx: StorageContext<Config>, volname: string): Promise<string>;
  snapshotCreate(ctx: StorageContext<Config>, volname: string, snap: string): Promise<void>;
  snapshotRollback(ctx: StorageContext<Config>, volname: string, snap: string): Promise<void>;
  snapshotDelete(ctx: StorageContext<Config>, volname: string, snap: string): Promise<void>;
  /** A clone for `vmid`: linked from a base volume (or a snapshot) where the type can, full otherwise. Returns the volname. */
  clone(ctx: StorageContext<Config>, volname: string, vmid: number, snap?: string): Promise<string>;
  /** Give a volume to another guest (or another name). Returns the new volname. */
  rename(ctx: StorageContext<Config>, volname: string, vmid: number, newName?: string): Promise<string>;
  /** Stream a volume out as raw data, or write raw data into a (freshly allocated) volume. */
  exportStream(ctx: StorageContext<Config>, volname: string, out: Writable): Promise<void>;
  importStream(ctx: StorageContext<Config>, volname: string, input: Readable): Promise<void>;
}
