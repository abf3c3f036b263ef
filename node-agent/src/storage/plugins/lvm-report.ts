// Reads LVM's machine-readable reports (`vgs`/`lvs` with ':' separators, sizes in bytes), in the column
// order PVE's LVMPlugin asks for, so the numbers match what a PVE node shows for the same volume group.

/** `vgs` arguments; append a VG name to ask for one (PVE asks for all: `vgs` exits 5 without clvmd yet prints the rest). */
export const VGS_ARGS: readonly string[] = [
  '--separator',
  ':',
  '--noheadings',
  '--units',
  'b',
  '--unbuffered',
  '--nosuffix',
  '--options',
  'vg_name,vg_size,vg_free,lv_count',
];

/** `lvs` arguments; append the VG name. Times as epoch seconds so ctime needs no locale parsing. */
export const LVS_ARGS: readonly string[] = [
  '--separator',
  ':',
  '--noheadings',
  '--units',
  'b',
  '--unbuffered',
  '--nosuffix',
  '--config',
  'report/time_format="%s"',
  '--options',
  'vg_name,lv_name,lv_size,lv_attr,pool_lv,data_percent,metadata_percent,snap_percent,uuid,tags,metadata_size,time',
];

export interface VgReport {
  name: string;
  size: number;
  free: number;
  lvCount: number;
}

export interface LvReport {
  vg: string;
  name: string;
  /** Bytes. */
  size: number;
  attr: string;
  /** lv_attr[0]: '-' plain, 't' thin pool, 'V' thin volume, 'm'/'M'/'r'/'R' mirror/RAID, 'T'/'e' pool internals. */
  type: string;
  /** lv_attr[4]: 'a' active, '-' inactive, 'X' unknown (no device-mapper to ask). */
  state: string;
  /** lv_attr[1] is 'w' (lv_attr[1] 'r' marks read-only, as base volumes and thin snapshots are). */
  writable: boolean;
  /** lv_attr[9] is 'k': skipped by activation unless -K (thin snapshots made without -kn). */
  activationSkip: boolean;
  pool?: string;
  dataPercent?: number;
  metadataPercent?: number;
  uuid: string;
  tags: string[];
  /** Thin pools only: bytes of pool metadata, and the bytes of data and metadata in use. */
  metadataSize?: number;
  used?: number;
  metadataUsed?: number;
  ctime?: number;
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

const int = (field: string | undefined): number => {
  const value = Number.parseInt(field ?? '', 10);
  return Number.isFinite(value) ? value : 0;
};

const percent = (field: string | undefined): number | undefined => {
  if (field === undefined || field.trim() === '') return undefined;
  const value = Number.parseFloat(field);
  return Number.isFinite(value) ? value : undefined;
};

export const parseVgs = (text: string): VgReport[] =>
  lines(text).flatMap((line) => {
    const [name, size, free, lvCount] = line.split(':');
    return name ? [{ name, size: int(size), free: int(free), lvCount: int(lvCount) }] : [];
  });

export const parseLvs = (text: string): LvReport[] =>
  lines(text).flatMap((line) => {
    const [vg, name, size, attr = '', pool, data, meta, , uuid = '', tags, metadataSize, time] = line.split(':');
    if (!vg || !name) return [];
    const report: LvReport = {
      vg,
      name,
      size: int(size),
      attr,
      type: attr.charAt(0),
      state: attr.charAt(4),
      writable: attr.charAt(1) === 'w',
      activationSkip: attr.charAt(9) === 'k',
      uuid,
      tags: tags ? tags.split(',').filter((tag) => tag !== '') : [],
    };
    if (pool) report.pool = pool;
    const dataPercent = percent(data);
    const metadataPercent = percent(meta);
    if (dataPercent !== undefined) report.dataPercent = dataPercent;
    if (metadataPercent !== undefined) report.metadataPercent = metadataPercent;
    if (time && /^\d+$/.test(time)) report.ctime = int(time);
    if (report.type === 't') {
      // As PVE: a pool's usage is its data% of its size (an inactive pool reports none: 0).
      report.metadataSize = int(metadataSize);
      report.used = Math.floor(((dataPercent ?? 0) * report.size) / 100);
      report.metadataUsed = Math.floor(((metadataPercent ?? 0) * report.metadataSize) / 100);
    }
    return [report];
  });
