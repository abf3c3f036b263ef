// Disk keys (scsiN, virtioN, sataN, ideN, efidisk0, tpmstate0, unusedN): PVE's drive property string typed, with the
// bus limits and the "new disk" shorthand STORAGE:SIZE (GiB) that only create/set accept.
import { BOOL, SIZE, formatPropertyString, isTrue, parsePropertyString } from './property-string';

export const DISK_BUSES = { ide: 4, sata: 6, scsi: 31, virtio: 16 } as const;
export type DiskBus = keyof typeof DISK_BUSES;
export type DriveKind = DiskBus | 'efidisk' | 'tpmstate' | 'unused';

export const CACHE_MODES = ['none', 'writethrough', 'writeback', 'unsafe', 'directsync'] as const;
export const AIO_MODES = ['native', 'threads', 'io_uring'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];
export type AioMode = (typeof AIO_MODES)[number];

export interface Drive {
  readonly key: string;
  readonly kind: DriveKind;
  readonly index: number;
  /** A volid, an absolute path, `none` (empty drive) or `cdrom` (the host's drive); STORAGE:SIZE for a new disk. */
  readonly file: string;
  readonly media: 'disk' | 'cdrom';
  readonly cache?: CacheMode;
  readonly aio?: AioMode;
  readonly discard: boolean;
  readonly iothread: boolean;
  readonly ssd: boolean;
  readonly ro: boolean;
  readonly backup: boolean;
  readonly serial?: string;
  readonly size?: string;
  /** A new disk to allocate: {storage, sizeGiB} (STORAGE:SIZE), allowed only for create/set. */
  readonly alloc?: { readonly storage: string; readonly sizeGiB: number };
  /** Every option as written, file excluded: formatDrive's source. */
  readonly options: Readonly<Record<string, string>>;
}

const THROTTLE = /^(iops|mbps|bps)(_rd|_wr)?(_max(_length)?)?$/;
const ENUMS: Record<string, readonly string[]> = {
  cache: CACHE_MODES,
  aio: AIO_MODES,
  discard: ['on', 'ignore'],
  media: ['disk', 'cdrom'],
  format: ['raw', 'qcow2', 'vmdk', 'cow', 'qed', 'cloop'],
  detect_zeroes: ['0', '1', 'on', 'off', 'unmap'],
  rerror: ['ignore', 'report', 'stop'],
  werror: ['enospc', 'ignore', 'report', 'stop'],
  efitype: ['2m', '4m'],
  version: ['v1.2', 'v2.0'],
  trans: ['none', 'lba', 'auto'],
};
const FLAGS = [
  'iothread',
  'ssd',
  'ro',
  'backup',
  'replicate',
  'snapshot',
  'shared',
  'pre-enrolled-keys',
  'ms-cert',
  'import-working-storage',
];
const FREE = ['size', 'serial', 'wwn', 'model', 'secs', 'heads', 'cyls', 'queues', 'import-from', 'product', 'vendor'];

/** Which kind of drive a key names, with its index, or undefined. */
export const driveKeyOf = (key: string): { kind: DriveKind; index: number } | undefined => {
  const match = /^(ide|sata|scsi|virtio|efidisk|tpmstate|unused)(\d+)$/.exec(key);
  if (!match || ((match[2]?.length ?? 0) > 1 && match[2]?.startsWith('0'))) return undefined;
  const kind = match[1] as DriveKind;
  const index = Number(match[2]);
  const limit = kind === 'unused' ? 256 : kind === 'efidisk' || kind === 'tpmstate' ? 1 : DISK_BUSES[kind];
  return index < limit ? { kind, index } : undefined;
};

const NEW_DISK = /^([A-Za-z][A-Za-z0-9._-]*):(\d+(?:\.\d+)?)$/;

/** Parses a drive value; throws a message (without the key). `forCreate` allows STORAGE:SIZE. */
export const parseDrive = (key: string, value: string, forCreate = false): Drive => {
  const which = driveKeyOf(key);
  if (!which) throw new Error('is not a drive key');
  if (which.kind === 'unused') {
    if (value.includes(',') || !value.includes(':')) throw new Error('must be a volume id (storage:volume)');
    return {
      key,
      ...which,
      file: value,
      media: 'disk',
      discard: false,
      iothread: false,
      ssd: false,
      ro: false,
      backup: true,
      options: {},
    };
  }
  const pairs = parsePropertyString(value, 'file');
  const options: Record<string, string> = {};
  let file: string | undefined;
  for (const [name, v] of pairs) {
    if (name === 'file' || name === 'volume') {
      file = v;
      continue;
    }
    const allowed = ENUMS[name];
    if (allowed) {
      if (!allowed.includes(v)) throw new Error(`"${name}" must be one of ${allowed.join(', ')}`);
    } else if (FLAGS.includes(name)) {
      if (!BOOL.test(v)) throw new Error(`"${name}" must be 0 or 1`);
    } else if (THROTTLE.test(name)) {
      if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`"${name}" must be a number`);
    } else if (!FREE.includes(name)) throw new Error(`unknown option "${name}"`);
    if (name === 'size' && !SIZE.test(v)) throw new Error(`"size" must be a size such as 32G`);
    if (name === 'serial' && !/^[A-Za-z0-9_.-]{1,20}$/.test(v))
      throw new Error('"serial" must be 1-20 letters, digits, _ . -');
    Object.defineProperty(options, name, { value: v, enumerable: true });
  }
  if (file === undefined || file === '') throw new Error('has no volume (file)');
  const media = options.media === 'cdrom' || file === 'cdrom' ? 'cdrom' : 'disk';
  const alloc = NEW_DISK.exec(file);
  if (alloc && !forCreate) throw new Error(`"${file}" allocates a new disk, which only create and set accept`);
  if (file === 'none' && media !== 'cdrom') throw new Error('"none" is only an empty CD drive (add media=cdrom)');
  if (media === 'cdrom' && which.kind !== 'ide' && which.kind !== 'sata' && which.kind !== 'scsi')
    throw new Error('a CD drive must be on ide, sata or scsi');
  if (options.iothread !== undefined && isTrue(options.iothread) && which.kind !== 'scsi' && which.kind !== 'virtio')
    throw new Error('"iothread" works on scsi and virtio disks only');
  const drive: Drive = {
    key,
    ...which,
    file,
    media,
    discard: options.discard === 'on',
    iothread: isTrue(options.iothread),
    ssd: isTrue(options.ssd),
    ro: isTrue(options.ro),
    backup: options.backup === undefined || isTrue(options.backup),
    options,
    ...(options.cache !== undefined && { cache: options.cache as CacheMode }),
    ...(options.aio !== undefined && { aio: options.aio as AioMode }),
    ...(options.serial !== undefined && { serial: options.serial }),
    ...(options.size !== undefined && { size: options.size }),
    ...(alloc && { alloc: { storage: alloc[1] ?? '', sizeGiB: Number(alloc[2]) } }),
  };
  return drive;
};

/** PVE's canonical drive text: the volume, then the options sorted. */
export const formatDrive = (drive: Pick<Drive, 'file' | 'options' | 'kind'>): string =>
  drive.kind === 'unused' ? drive.file : formatPropertyString({ ...drive.options, file: drive.file }, 'file');

/** Whether a drive is a CD (its file is not a disk image). */
export const isCdrom = (drive: Drive): boolean => drive.media === 'cdrom';

/** The first free key on a bus (`scsi`, `virtio`, …) given the keys in use, or undefined when the bus is full. */
export const nextDiskKey = (bus: DiskBus | 'unused', used: Iterable<string>): string | undefined => {
  const taken = new Set(used);
  const limit = bus === 'unused' ? 256 : DISK_BUSES[bus];
  for (let i = 0; i < limit; i += 1) if (!taken.has(`${bus}${i}`)) return `${bus}${i}`;
  return undefined;
};
