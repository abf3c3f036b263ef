// The Resources tab's rows from ct.pending: memory, swap, cores, CPU limit, CPU units, the root disk and each mount
// point, with the current value and, where a change waits for the next start, the pending one. Pure.
import type { Result } from '../../../../node-agent/src/api';
import type { Translate } from '../../i18n/translate';
import { splitPending } from '../vms/hardware-rows';

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

/** How a value reads, with PVE's defaults where a key is not set (memory and swap 512, all cores, no limit). */
export function ctResourceValue(kind: CtResourceKind, value: string | number | undefined, t: Translate): string {
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
    case 'unused':
      return String(value ?? '');
  }
}

/** What the toolbar may do with a row. */
export function ctRowCapabilities(row: CtResourceRow | undefined): { edit: boolean; remove: boolean; revert: boolean } {
  if (row === undefined) return { edit: false, remove: false, revert: false };
  return {
    edit: !row.deleting && row.kind !== 'unused',
    remove: !row.deleting && (row.kind === 'mp' || row.kind === 'unused'),
    revert: row.pending !== undefined || row.deleting,
  };
}
