// Reads `zfs list`/`zfs get` in scripted form (-H: tab-separated, no header; -p: exact numbers), the
// commands PVE's ZFSPoolPlugin runs, so a pool made by PVE lists the same volumes here.

/** `zfs` arguments listing a pool's direct children; append the pool (dataset) name. */
export const ZFS_LIST_ARGS: readonly string[] = [
  'list',
  '-o',
  'name,volsize,origin,type,refquota',
  '-t',
  'volume,filesystem',
  '-d1',
  '-Hp',
];

/** `zfs` arguments for a dataset's own snapshots, oldest first; append the dataset. -d 1 keeps children's snapshots out. */
export const ZFS_SNAPSHOT_ARGS: readonly string[] = [
  'list',
  '-Hp',
  '-t',
  'snapshot',
  '-o',
  'name,guid,creation',
  '-s',
  'creation',
  '-d',
  '1',
];

export interface ZfsDataset {
  /** The name below the pool: "vm-100-disk-0". */
  name: string;
  format: 'raw' | 'subvol';
  /** volsize for a zvol, refquota for a filesystem (0: no quota). */
  size: number;
  /** The vmid in the name. */
  vmid: number;
  /** The origin snapshot below the pool ("base-100-disk-0@__base__") for a clone. */
  origin?: string;
}

export interface ZfsSnapshot {
  name: string;
  guid: string;
  /** Seconds since the epoch. */
  ctime: number;
}

const OWNED = /^(vm|base|subvol|basevol)-(\d+)-\S+$/;

const rows = (text: string): string[][] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t'));

const bytes = (field: string | undefined): number => (field !== undefined && /^\d+$/.test(field) ? Number(field) : 0);

/** The guest volumes directly below `pool`; other datasets (the pool itself, foreign names, deeper ones) are left out. */
export const parseZfsList = (text: string, pool: string): ZfsDataset[] =>
  rows(text).flatMap(([dataset = '', volsize, origin, type, refquota]) => {
    if (type !== 'volume' && type !== 'filesystem') return [];
    const slash = dataset.lastIndexOf('/');
    if (slash < 0 || dataset.slice(0, slash) !== pool) return [];
    const name = dataset.slice(slash + 1);
    const owned = OWNED.exec(name);
    if (!owned) return [];
    const entry: ZfsDataset =
      type === 'volume'
        ? { name, format: 'raw', size: bytes(volsize), vmid: Number(owned[2]) }
        : { name, format: 'subvol', size: bytes(refquota), vmid: Number(owned[2]) };
    if (origin && origin !== '-') entry.origin = origin.startsWith(`${pool}/`) ? origin.slice(pool.length + 1) : origin;
    return [entry];
  });

/** `zfs get -o value -Hp a,b <dataset>`: the values in the order asked; '-' (not applicable) becomes undefined. */
export const parseZfsValues = (text: string): (string | undefined)[] =>
  text
    .split('\n')
    .filter((line, index, all) => line !== '' || index < all.length - 1)
    .map((line) => (line === '-' ? undefined : line));

/** `zfs get -o value -Hp available,used <pool>` as byte counts. */
export const parseZfsSpace = (text: string): { avail: number; used: number } => {
  const [avail, used] = parseZfsValues(text);
  return { avail: bytes(avail), used: bytes(used) };
};

/** Snapshots of exactly `dataset`, in the order listed (creation order with -s creation). */
export const parseZfsSnapshots = (text: string, dataset: string): ZfsSnapshot[] =>
  rows(text).flatMap(([full = '', guid = '', creation]) =>
    full.startsWith(`${dataset}@`) ? [{ name: full.slice(dataset.length + 1), guid, ctime: bytes(creation) }] : [],
  );
