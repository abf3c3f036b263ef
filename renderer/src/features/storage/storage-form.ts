// The Add/Edit storage form as data: which fields each type shows, validation as the person types, and the
// storage.add definition or storage.set changes it turns into. Pure, so every rule is tested without a DOM.
import type { StorageEntry } from '../../../../node-agent/src/api/storage';
import type { ContentType, StorageType, VolumeFormat } from '../../../../node-agent/src/storage/plugin';
import type { MessageKey } from '../../i18n/translate';
import { storageNodes } from './storage-format';

export type Preallocation = '' | 'off' | 'metadata' | 'falloc' | 'full';

export interface StorageFormValues {
  id: string;
  type: StorageType;
  path: string;
  vgname: string;
  thinpool: string;
  pool: string;
  content: ContentType[];
  /** Comma-separated node names; empty = every node. */
  nodes: string;
  shared: boolean;
  enable: boolean;
  /** '' = the type's default. */
  format: '' | VolumeFormat;
  preallocation: Preallocation;
  pruneBackups: string;
  saferemove: boolean;
  sparse: boolean;
  blocksize: string;
}

export type StorageField = keyof StorageFormValues;
export type StorageFormErrors = Partial<Record<StorageField, MessageKey>>;

/** The fields each type shows beyond id, type, content, nodes and enable (pve-storage's options per plugin). */
export const typeFields: Record<StorageType, readonly StorageField[]> = {
  dir: ['path', 'shared', 'format', 'preallocation', 'pruneBackups'],
  btrfs: ['path', 'preallocation', 'pruneBackups'],
  lvm: ['vgname', 'shared', 'saferemove'],
  lvmthin: ['vgname', 'thinpool'],
  zfspool: ['pool', 'sparse', 'blocksize'],
};

export const emptyStorageForm = (type: StorageType, content: readonly ContentType[] = []): StorageFormValues => ({
  id: '',
  type,
  path: '',
  vgname: '',
  thinpool: '',
  pool: '',
  content: [...content],
  nodes: '',
  shared: false,
  enable: true,
  format: '',
  preallocation: '',
  pruneBackups: '',
  saferemove: false,
  sparse: false,
  blocksize: '',
});

/** The form for editing an existing definition, from storage.list's entry. */
export function formFromEntry(entry: StorageEntry): StorageFormValues {
  const c = entry.config;
  const text = (key: string): string => {
    const value = c[key];
    return typeof value === 'string' ? value : '';
  };
  const flag = (key: string): boolean => c[key] === true || c[key] === 1 || c[key] === '1';
  const format = text('format');
  const preallocation = text('preallocation');
  return {
    ...emptyStorageForm(entry.type, entry.content),
    id: entry.id,
    path: text('path'),
    vgname: text('vgname'),
    thinpool: text('thinpool'),
    pool: text('pool'),
    nodes: storageNodes(entry).join(','),
    shared: flag('shared'),
    enable: !flag('disable'),
    format: isFormat(format) ? format : '',
    preallocation: isPreallocation(preallocation) ? preallocation : '',
    pruneBackups: text('prune-backups'),
    saferemove: flag('saferemove'),
    sparse: flag('sparse'),
    blocksize: text('blocksize'),
  };
}

const isFormat = (v: string): v is VolumeFormat => ['raw', 'qcow2', 'vmdk', 'subvol'].includes(v);
const isPreallocation = (v: string): v is Preallocation => ['off', 'metadata', 'falloc', 'full'].includes(v);

export const STORAGE_ID = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9+_.-]*$/;
const NODE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PRUNE_KEYS = new Set(['keep-last', 'keep-hourly', 'keep-daily', 'keep-weekly', 'keep-monthly', 'keep-yearly']);

/** An absolute node path: starts with '/', no '..' or empty segments in the middle, no control characters. */
export function isNodePath(path: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!path.startsWith('/') || /[\0-\x1f]/.test(path)) return false;
  return path
    .split('/')
    .slice(1)
    .every(
      (part, index, parts) =>
        part !== '..' && part !== '.' && (part !== '' || index === parts.length - 1 || path === '/'),
    );
}

/** PVE's prune-backups: `keep-all=1`, or comma-separated keep-<unit>=N. */
export function isPruneBackups(text: string): boolean {
  if (/^keep-all=1$/.test(text)) return true;
  const parts = text.split(',');
  const seen = new Set<string>();
  return parts.every((part) => {
    const match = /^([a-z-]+)=(\d{1,9})$/.exec(part.trim());
    if (!match?.[1] || !PRUNE_KEYS.has(match[1]) || seen.has(match[1])) return false;
    seen.add(match[1]);
    return true;
  });
}

export const parseNodeList = (text: string): string[] =>
  text
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);

interface ValidateOptions {
  mode: 'add' | 'edit';
  /** Ids already in storage.cfg (for add). */
  takenIds: ReadonlySet<string>;
  /** The content types the type can hold (storage.list's capabilities). */
  allowedContent: readonly ContentType[];
}

/** Errors per field, as message keys; empty when the form can be submitted. */
export function validateStorageForm(values: StorageFormValues, options: ValidateOptions): StorageFormErrors {
  const errors: StorageFormErrors = {};
  const fields = typeFields[values.type];
  if (options.mode === 'add') {
    if (values.id === '') errors.id = 'storageForm.invalid.required';
    else if (!STORAGE_ID.test(values.id)) errors.id = 'storageForm.invalid.id';
    else if (options.takenIds.has(values.id)) errors.id = 'storageForm.invalid.taken';
  }
  if (fields.includes('path')) {
    if (values.path === '') errors.path = 'storageForm.invalid.required';
    else if (!isNodePath(values.path)) errors.path = 'storageForm.invalid.path';
  }
  for (const field of ['vgname', 'thinpool'] as const) {
    if (!fields.includes(field)) continue;
    if (values[field] === '') errors[field] = 'storageForm.invalid.required';
    else if (!NAME.test(values[field])) errors[field] = 'storageForm.invalid.name';
  }
  if (fields.includes('pool')) {
    if (values.pool === '') errors.pool = 'storageForm.invalid.required';
    else if (!values.pool.split('/').every((part) => NAME.test(part))) errors.pool = 'storageForm.invalid.name';
  }
  const allowed = values.content.filter((c) => options.allowedContent.includes(c));
  if (allowed.length !== values.content.length || values.content.length === 0)
    errors.content = 'storageForm.invalid.content';
  if (values.nodes.trim() !== '' && !parseNodeList(values.nodes).every((n) => NODE.test(n)))
    errors.nodes = 'storageForm.invalid.nodes';
  if (
    fields.includes('pruneBackups') &&
    values.pruneBackups.trim() !== '' &&
    !isPruneBackups(values.pruneBackups.trim())
  )
    errors.pruneBackups = 'storageForm.invalid.prune';
  if (
    fields.includes('blocksize') &&
    values.blocksize !== '' &&
    !/^(512|1k|2k|4k|8k|16k|32k|64k|128k|256k|512k|1M)$/i.test(values.blocksize)
  )
    errors.blocksize = 'storageForm.invalid.blocksize';
  return errors;
}

/** The properties the form sets, typed as storage.cfg's codecs take them; undefined = not set (delete on edit). */
function properties(values: StorageFormValues): Record<string, unknown> {
  const fields = typeFields[values.type];
  const nodes = parseNodeList(values.nodes);
  const props: Record<string, unknown> = {
    content: values.content,
    nodes: nodes.length > 0 ? nodes : undefined,
    disable: values.enable ? undefined : true,
  };
  const set = (field: StorageField, key: string, value: unknown) => {
    if (fields.includes(field)) props[key] = value;
  };
  set('path', 'path', values.path);
  set('vgname', 'vgname', values.vgname);
  set('thinpool', 'thinpool', values.thinpool);
  set('pool', 'pool', values.pool);
  set('shared', 'shared', values.shared ? true : undefined);
  set('format', 'format', values.format === '' ? undefined : values.format);
  set('preallocation', 'preallocation', values.preallocation === '' ? undefined : values.preallocation);
  set('pruneBackups', 'prune-backups', values.pruneBackups.trim() === '' ? undefined : values.pruneBackups.trim());
  set('saferemove', 'saferemove', values.saferemove ? true : undefined);
  set('sparse', 'sparse', values.sparse ? true : undefined);
  set('blocksize', 'blocksize', values.blocksize === '' ? undefined : values.blocksize);
  return props;
}

/** storage.add's definition: type, id and the properties that are set. */
export function toDefinition(values: StorageFormValues): Record<string, unknown> & { type: StorageType; id: string } {
  const defined = Object.entries(properties(values)).filter(([, v]) => v !== undefined);
  return { type: values.type, id: values.id, ...Object.fromEntries(defined) };
}

/** Keys the edit form never changes (the type's identity): PVE refuses to change them after creation. */
const FIXED_ON_EDIT = new Set(['path', 'vgname', 'thinpool', 'pool']);

/** storage.set's changes: the properties that differ from the entry, and those cleared that the entry had. */
export function toChanges(
  values: StorageFormValues,
  entry: StorageEntry,
): { properties: Record<string, unknown>; delete: string[] } {
  const changed: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(properties(values))) {
    if (FIXED_ON_EDIT.has(key)) continue;
    const before = entry.config[key];
    if (value === undefined) {
      if (before !== undefined && before !== false) removed.push(key);
    } else if (JSON.stringify(value) !== JSON.stringify(before)) changed[key] = value;
  }
  return { properties: changed, delete: removed };
}

const ALL_CONTENT: readonly ContentType[] = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'];
const BLOCK_CONTENT: readonly ContentType[] = ['images', 'rootdir'];

/** The agent's capability table (capabilities.ts), for a type no listed storage shows yet. */
const fallback: Record<StorageType, { content: readonly ContentType[]; formats: readonly VolumeFormat[] }> = {
  dir: { content: ALL_CONTENT, formats: ['raw', 'qcow2', 'vmdk', 'subvol'] },
  btrfs: { content: ALL_CONTENT, formats: ['raw', 'subvol'] },
  lvm: { content: BLOCK_CONTENT, formats: ['raw'] },
  lvmthin: { content: BLOCK_CONTENT, formats: ['raw'] },
  zfspool: { content: BLOCK_CONTENT, formats: ['raw', 'subvol'] },
};

/** What a type can hold and store as: from storage.list's capabilities when a storage of the type is listed. */
export function typeCapabilities(
  storages: readonly StorageEntry[],
  type: StorageType,
): { content: readonly ContentType[]; formats: readonly VolumeFormat[] } {
  const listed = storages.find((s) => s.type === type)?.capabilities;
  return listed ?? fallback[type];
}

/** A new storage's content, as PVE preselects it: files for file storages, guest disks for block storages. */
export const defaultContent = (type: StorageType): ContentType[] =>
  type === 'dir' || type === 'btrfs' ? ['iso', 'vztmpl', 'backup'] : ['images', 'rootdir'];
