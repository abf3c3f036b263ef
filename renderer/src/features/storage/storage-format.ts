// How storages and their content read in the UI: usage fractions and hints, a definition's target, the order of
// content types (PVE's tabs), volumes grouped by content. Pure, so it is tested without a DOM.
import type { StorageEntry, StorageStatusEntry } from '../../../../node-agent/src/api/storage';
import type { ContentType, VolumeInfo } from '../../../../node-agent/src/storage/plugin';
import { formatBytes, formatPercent } from '../../i18n/format';
import type { Language } from '../../i18n/translate';

/** Content types in the order PVE shows its content tabs. */
export const contentOrder: readonly ContentType[] = [
  'iso',
  'vztmpl',
  'images',
  'rootdir',
  'backup',
  'snippets',
  'import',
];

/** The content types a storage holds, in tab order (unknown extras last, as given). */
export function contentTabs(content: readonly ContentType[]): ContentType[] {
  return [...contentOrder.filter((c) => content.includes(c)), ...content.filter((c) => !contentOrder.includes(c))];
}

/** Used share of a storage, 0..1; undefined when the storage reports no size (inactive, unreadable). */
export function usageFraction(status: Pick<StorageStatusEntry, 'total' | 'used'> | undefined): number | undefined {
  if (status === undefined || !(status.total > 0)) return undefined;
  return Math.min(1, Math.max(0, status.used / status.total));
}

/** `42%` for the tree's hint; empty when there is nothing to say. */
export function usageHint(status: Pick<StorageStatusEntry, 'total' | 'used'> | undefined, language: Language): string {
  const fraction = usageFraction(status);
  return fraction === undefined ? '' : formatPercent(fraction, language);
}

/** `12.3 GiB of 100 GiB` parts, for the summary's usage line. */
export function usageAmounts(status: Pick<StorageStatusEntry, 'total' | 'used' | 'avail'>, language: Language) {
  return {
    total: formatBytes(status.total, language),
    used: formatBytes(status.used, language),
    avail: formatBytes(status.avail, language),
  };
}

/** Whether a storage row is drawn greyed: disabled on the node, or not active. */
export const isDimmed = (status: Pick<StorageStatusEntry, 'enabled' | 'active'>): boolean =>
  !status.enabled || !status.active;

/** What a definition points at, per type: a directory, a volume group (and thin pool), a ZFS pool. */
export function storageTarget(entry: Pick<StorageEntry, 'type' | 'config'>): string {
  const text = (key: string): string => {
    const value = entry.config[key];
    return typeof value === 'string' ? value : '';
  };
  switch (entry.type) {
    case 'dir':
    case 'btrfs':
      return text('path');
    case 'lvm':
      return text('vgname');
    case 'lvmthin':
      return [text('vgname'), text('thinpool')].filter(Boolean).join('/');
    case 'zfspool':
      return text('pool');
  }
}

/** The nodes a definition is limited to; empty means every node. */
export function storageNodes(entry: Pick<StorageEntry, 'config'>): string[] {
  const nodes = entry.config.nodes;
  if (Array.isArray(nodes)) return nodes.filter((n): n is string => typeof n === 'string');
  if (typeof nodes === 'string') return nodes.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** Volumes grouped by content type, each group by name; the volid is `storage:volname`. */
export function groupByContent(volumes: readonly VolumeInfo[]): Partial<Record<ContentType, VolumeInfo[]>> {
  const groups: Partial<Record<ContentType, VolumeInfo[]>> = {};
  for (const volume of volumes) (groups[volume.content] ??= []).push(volume);
  for (const list of Object.values(groups)) list.sort((a, b) => compareVolumes(a, b));
  return groups;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const compareVolumes = (a: VolumeInfo, b: VolumeInfo): number =>
  collator.compare(volumeName(a.volid), volumeName(b.volid));

/** What a person calls a volume: the volname without the storage and, for files, without their folder. */
export function volumeName(volid: string): string {
  const colon = volid.indexOf(':');
  const volname = colon === -1 ? volid : volid.slice(colon + 1);
  // iso/x.iso, vztmpl/x.tar.zst, backup/…: the folder repeats the tab's name; a disk's "100/vm-100-disk-0" keeps it.
  const slash = volname.indexOf('/');
  const folder = slash === -1 ? '' : volname.slice(0, slash);
  return /^\d+$/.test(folder) || folder === '' ? volname : volname.slice(slash + 1);
}

/** Key of a storage under a node in the selection and the tree: `<nodeKey>/<storage>` (storage ids have no '/'). */
export const storageKey = (nodeKey: string, storage: string): string => `${nodeKey}/${storage}`;
export function splitStorageKey(key: string): { nodeKey: string; storage: string } {
  const slash = key.lastIndexOf('/');
  return { nodeKey: key.slice(0, slash), storage: key.slice(slash + 1) };
}
