// The Resources tab's rows from ct.pending: memory, swap, cores, CPU limit, CPU units, the root disk and each mount
// point, with the current value and, where a change waits for the next start, the pending one. Pure.
import type { Result } from '../../../../node-agent/src/api';
import { formatBytes } from '../../i18n/format';
import type { Language, Translate } from '../../i18n/translate';
import { splitPending } from '../vms/hardware-rows';
import { isBindMount, isNewVolume, mountSizeGiB, splitMount } from './ct-mount-form';

export type CtResourceKind = 'memory' | 'swap' | 'cores' | 'cpulimit' | 'cpuunits' | 'rootfs' | 'mp' | 'unused';

export interface CtResourceRow {
  /** The config key (memory, rootfs, mp0…). */
  key: string;
  kind: CtResourceKind;
  current: string | number | undefined;
  /** The value after the pending changes; undefined when nothing is pending for the key. */
  pending: string | number | undefined;
  /** The key is removed at the next start. */
  deleting: boolean;
}

const fixed: readonly CtResourceKind[] = ['memory', 'swap', 'cores', 'cpulimit', 'cpuunits', 'rootfs'];
const kindOf = (key: string): CtResourceKind | undefined => {
  if ((fixed as readonly string[]).includes(key)) return key as CtResourceKind;
  if (/^mp\d+$/.test(key)) return 'mp';
  if (/^unused\d+$/.test(key)) return 'unused';
  return undefined;
};
const index = (key: string): number => Number(/\d+$/.exec(key)?.[0] ?? 0);

export function ctResourceRows(entries: Result<'ct.pending'>): CtResourceRow[] {
  const { now, next } = splitPending(entries);
  const keys = new Set<string>(['memory', 'swap', 'cores', 'cpulimit', 'rootfs']);
  for (const key of [...Object.keys(now), ...Object.keys(next)]) if (kindOf(key) !== undefined) keys.add(key);
  const rows = [...keys].map((key): CtResourceRow => {
    const current = now[key];
    const after = next[key];
    const deleting = current !== undefined && after === undefined;
    return { key, kind: kindOf(key)!, current, pending: current === after || deleting ? undefined : after, deleting };
  });
  const rank = (r: CtResourceRow) => (fixed.includes(r.kind) ? fixed.indexOf(r.kind) : r.kind === 'mp' ? 10 : 11);
  return rows.sort((a, b) => rank(a) - rank(b) || index(a.key) - index(b.key));
}

/** A volume as it reads in a row: `local:subvol-101-disk-1 → /srv, 8 GiB, backup=1`. */
function mountText(spec: string, language: Language): string {
  const { volume, options } = splitMount(spec);
  const size = mountSizeGiB(spec);
  const flags = Object.entries(options)
    .filter(([name]) => name !== 'volume' && name !== 'mp' && name !== 'size')
    .map(([name, value]) => `${name}=${value}`);
  return [
    options.mp === undefined ? volume : `${volume} → ${options.mp}`,
    ...(size === undefined ? [] : [formatBytes(size * 1024 ** 3, language)]),
    ...flags,
  ].join(', ');
}

/** How a value reads, with PVE's defaults where a key is not set (memory and swap 512, all cores, no limit). */
export function ctResourceValue(
  kind: CtResourceKind,
  value: string | number | undefined,
  t: Translate,
  language: Language,
): string {
  switch (kind) {
    case 'memory':
    case 'swap':
      return t('vm.hw.memoryValue', { memory: String(value ?? 512) });
    case 'cores':
      return value === undefined ? t('ct.res.allCores') : String(value);
    case 'cpulimit':
      return value === undefined || Number(value) === 0 ? t('ct.res.unlimited') : String(value);
    case 'cpuunits':
      return value === undefined ? t('vm.hw.default') : String(value);
    case 'rootfs':
    case 'mp':
      return value === undefined ? '' : mountText(String(value), language);
    case 'unused':
      return String(value ?? '');
  }
}

export interface CtRowCapabilities {
  edit: boolean;
  /** Grow a storage volume (rootfs or mpN) that exists already (not a pending new one, not a bind mount). */
  resize: boolean;
  /** Detach a mount point (its volume becomes unusedN). */
  remove: boolean;
  /** Free an unused volume. */
  deleteUnused: boolean;
  revert: boolean;
}

/** What the toolbar may do with a row. */
export function ctRowCapabilities(row: CtResourceRow | undefined): CtRowCapabilities {
  if (row === undefined) return { edit: false, resize: false, remove: false, deleteUnused: false, revert: false };
  const live = !row.deleting;
  const volume = (row.kind === 'rootfs' || row.kind === 'mp') && typeof row.current === 'string';
  return {
    edit: live && row.kind !== 'unused',
    // Not a bind mount (a host path), and not STORAGE:SIZE still to be allocated.
    resize: live && volume && !isBindMount(String(row.current)) && !isNewVolume(String(row.current)),
    remove: live && row.kind === 'mp',
    deleteUnused: live && row.kind === 'unused',
    revert: row.pending !== undefined || row.deleting,
  };
}
