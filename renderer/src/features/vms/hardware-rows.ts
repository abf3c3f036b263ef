// The Hardware tab's rows from vm.pending: one row per device (or per group of keys, as PVE's Memory and
// Processors rows), each with its current values and, where a change waits for the next start, the pending ones.
import type { Result, VmConfigValues } from '../../../../node-agent/src/api';

/** One key of vm.pending: its value now, its pending value, or a pending delete. */
export type PendingEntry = Result<'vm.pending'>[number];

export type HardwareKind =
  | 'memory'
  | 'processors'
  | 'bios'
  | 'display'
  | 'machine'
  | 'scsihw'
  | 'cdrom'
  | 'cloudinit'
  | 'disk'
  | 'efidisk'
  | 'tpm'
  | 'net'
  | 'usb'
  | 'pci'
  | 'serial'
  | 'unused';

export interface HardwareRow {
  /** The row's main config key (memory, cores, scsi0…); unique among rows. */
  id: string;
  kind: HardwareKind;
  /** Every config key the row shows. */
  keys: readonly string[];
  /** The keys' values now. */
  current: Readonly<Record<string, string | number>>;
  /** The keys' values after the pending changes; undefined when nothing of this row is pending. */
  pending: Readonly<Record<string, string | number>> | undefined;
  /** The device is removed at the next start. */
  deleting: boolean;
}

const groups: { id: string; kind: HardwareKind; keys: string[] }[] = [
  { id: 'memory', kind: 'memory', keys: ['memory', 'balloon', 'shares'] },
  { id: 'cores', kind: 'processors', keys: ['sockets', 'cores', 'cpu', 'numa', 'vcpus', 'cpulimit', 'cpuunits'] },
  { id: 'bios', kind: 'bios', keys: ['bios'] },
  { id: 'vga', kind: 'display', keys: ['vga'] },
  { id: 'machine', kind: 'machine', keys: ['machine'] },
  { id: 'scsihw', kind: 'scsihw', keys: ['scsihw'] },
];

const DRIVE = /^(ide|sata|scsi|virtio)(\d+)$/;
const rank: Record<HardwareKind, number> = {
  memory: 0, processors: 1, bios: 2, display: 3, machine: 4, scsihw: 5,
  cdrom: 6, cloudinit: 6, disk: 6, efidisk: 7, tpm: 8, net: 9, usb: 10, pci: 11, serial: 12, unused: 13,
};
const busRank: Record<string, number> = { ide: 0, sata: 1, scsi: 2, virtio: 3 };

/** What a device key with this value is; undefined for keys that are not hardware (name, onboot…). */
export function deviceKind(key: string, value: string | number | undefined): HardwareKind | undefined {
  const text = String(value ?? '');
  if (DRIVE.test(key)) {
    if (/(^|:)(vm-\d+-)?cloudinit\b/.test(text.split(',')[0] ?? '')) return 'cloudinit';
    return /(^|,)media=cdrom(,|$)/.test(text) ? 'cdrom' : 'disk';
  }
  if (key === 'efidisk0') return 'efidisk';
  if (key === 'tpmstate0') return 'tpm';
  if (/^net\d+$/.test(key)) return 'net';
  if (/^usb\d+$/.test(key)) return 'usb';
  if (/^hostpci\d+$/.test(key)) return 'pci';
  if (/^serial\d$/.test(key)) return 'serial';
  if (/^unused\d+$/.test(key)) return 'unused';
  return undefined;
}

const sortKey = (row: HardwareRow): [number, number, number] => {
  const drive = DRIVE.exec(row.id);
  const index = Number(/\d+$/.exec(row.id)?.[0] ?? 0);
  return [rank[row.kind], drive ? (busRank[drive[1]!] ?? 9) : 0, index];
};

const pick = (config: VmConfigValues, keys: readonly string[]) => {
  const out: Record<string, string | number> = {};
  for (const key of keys) if (config[key] !== undefined) out[key] = config[key];
  return out;
};
const same = (a: Readonly<Record<string, string | number>>, b: Readonly<Record<string, string | number>>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** Split vm.pending into the config now and the config after the pending changes. */
export function splitPending(entries: readonly PendingEntry[]): { now: VmConfigValues; next: VmConfigValues } {
  const now: VmConfigValues = {};
  const next: VmConfigValues = {};
  for (const entry of entries) {
    if (entry.value !== undefined) now[entry.key] = entry.value;
    if (entry.delete === true) continue;
    const value = entry.pending ?? entry.value;
    if (value !== undefined) next[entry.key] = value;
  }
  return { now, next };
}

export function hardwareRows(entries: readonly PendingEntry[]): HardwareRow[] {
  const { now, next } = splitPending(entries);
  const rows: HardwareRow[] = [];
  const make = (id: string, kind: HardwareKind, keys: readonly string[]): HardwareRow => {
    const current = pick(now, keys);
    const after = pick(next, keys);
    const deleting = Object.keys(current).length > 0 && Object.keys(after).length === 0 && kind !== 'memory';
    return { id, kind, keys, current, pending: same(current, after) ? undefined : after, deleting };
  };
  for (const group of groups) rows.push(make(group.id, group.kind, group.keys));
  const deviceKeys = new Set([...Object.keys(now), ...Object.keys(next)]);
  for (const key of deviceKeys) {
    const kind = deviceKind(key, next[key] ?? now[key]);
    if (kind !== undefined) rows.push(make(key, kind, [key]));
  }
  return rows.sort((a, b) => {
    const [x, y] = [sortKey(a), sortKey(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/** What the toolbar may do with a row. */
export interface RowCapabilities {
  edit: boolean;
  remove: boolean;
  resize: boolean;
  move: boolean;
  revert: boolean;
}
export function rowCapabilities(row: HardwareRow | undefined): RowCapabilities {
  if (row === undefined) return { edit: false, remove: false, resize: false, move: false, revert: false };
  const fixed = rank[row.kind] <= rank.scsihw;
  const disk = row.kind === 'disk' && !row.deleting && row.current[row.id] !== undefined;
  return {
    edit: !row.deleting && (fixed || row.kind === 'disk' || row.kind === 'cdrom' || row.kind === 'net'),
    remove: !fixed && !row.deleting,
    resize: disk,
    move: disk,
    revert: row.pending !== undefined || row.deleting,
  };
}

/** The first free key for a new device: `net` → net1 when net0 exists (pending ones count as taken). */
export function freeKey(prefix: string, taken: Iterable<string>, max: number, skip: readonly string[] = []): string | undefined {
  const used = new Set(taken);
  for (let i = 0; i < max; i++) {
    const key = `${prefix}${i}`;
    if (!used.has(key) && !skip.includes(key)) return key;
  }
  return undefined;
}

/** `local-lvm:vm-100-disk-0,size=32G,discard=on` → {volume, options}. */
export function parseDrive(value: string): { volume: string; options: Record<string, string> } {
  const [volume = '', ...rest] = value.split(',');
  const options: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq > 0) options[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { volume, options };
}
