// storage.cfg as typed storages: each section of a type we build is validated with zod (PVE's per-type options),
// sections of other types are kept as they are. Changes go through the line-preserving document (section-config),
// so comments, order and the properties we do not know survive an edit.
import { createHash } from 'node:crypto';
import { AppError } from '../api/errors';
import { StorageType, type ContentType } from './plugin';
import { capabilities, defaultContent } from './capabilities';
import {
  addSection,
  findSection,
  parseSectionConfig,
  removeSection,
  sectionsOf,
  updateSection,
  writeSectionConfig,
  type Section,
  type SectionDocument,
} from './section-config';
import { fieldOf, fieldsFor } from './storage-fields';

type Preallocation = 'off' | 'metadata' | 'falloc' | 'full';

interface CommonConfig {
  content: ContentType[];
  nodes?: string[];
  disable?: boolean;
}

export interface DirConfig extends CommonConfig {
  path: string;
  shared?: boolean;
  format?: 'raw' | 'qcow2' | 'vmdk' | 'subvol';
  preallocation?: Preallocation;
  'content-dirs'?: Record<string, string>;
  'prune-backups'?: string;
  'max-protected-backups'?: number;
  mkdir?: boolean;
  'create-base-path'?: boolean;
  'create-subdirs'?: boolean;
  is_mountpoint?: string;
  bwlimit?: string;
  'snapshot-as-volume-chain'?: boolean;
}

export interface BtrfsConfig extends CommonConfig {
  path: string;
  shared?: boolean;
  format?: 'raw' | 'subvol';
  preallocation?: Preallocation;
  'prune-backups'?: string;
  'max-protected-backups'?: number;
  mkdir?: boolean;
  'create-base-path'?: boolean;
  'create-subdirs'?: boolean;
  is_mountpoint?: string;
  nocow?: boolean;
  /** Sized container subvols get a btrfs quota limit (pve-container's `quotas`); without it they are raw images. */
  quotas?: boolean;
}

export interface LvmConfig extends CommonConfig {
  vgname: string;
  shared?: boolean;
  saferemove?: boolean;
  'saferemove-stepsize'?: number;
  saferemove_throughput?: string;
  tagged_only?: boolean;
  /** A volume id the volume group lives on (an iSCSI LUN), activated with the storage. */
  base?: string;
  bwlimit?: string;
  'snapshot-as-volume-chain'?: boolean;
}

export interface LvmThinConfig extends CommonConfig {
  vgname: string;
  thinpool: string;
  bwlimit?: string;
}

export interface ZfsPoolConfig extends CommonConfig {
  pool: string;
  sparse?: boolean;
  blocksize?: string;
  mountpoint?: string;
  bwlimit?: string;
}

export type StorageConfig =
  | ({ type: 'dir'; id: string } & DirConfig)
  | ({ type: 'btrfs'; id: string } & BtrfsConfig)
  | ({ type: 'lvm'; id: string } & LvmConfig)
  | ({ type: 'lvmthin'; id: string } & LvmThinConfig)
  | ({ type: 'zfspool'; id: string } & ZfsPoolConfig);

/** A section of a type this agent does not build (nfs, pbs, rbd, a third-party plugin…): kept untouched. */
export interface UnsupportedStorage {
  type: string;
  id: string;
  unsupported: true;
  properties: Record<string, string | true>;
}

export interface ParsedStorageCfg {
  /** The storages of the types we build, in file order. */
  storages: StorageConfig[];
  /** Sections of other types, in file order. */
  unsupported: UnsupportedStorage[];
  document: SectionDocument;
  /** sha1 hex of the text (PVE's digest), for optimistic locking. */
  digest: string;
}

/** PVE's digest: sha1 hex of the file's bytes. */
export const storageCfgDigest = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

const fail = (section: Section, key: string | undefined, line: number, message: string): never => {
  const what = key === undefined ? `storage ${section.id}` : `storage ${section.id}: ${key}`;
  throw new AppError('invalid-params', `storage.cfg line ${line}: ${what}: ${message}`, {
    line,
    storage: section.id,
    ...(key === undefined ? {} : { property: key }),
    message,
  });
};

/** One typed storage from a section of a type we build; undefined for other types. */
export const storageFromSection = (section: Section): StorageConfig | undefined => {
  const type = StorageType.safeParse(section.type.toLowerCase());
  if (!type.success) return undefined;
  const fields = fieldsFor(type.data);
  const result: Record<string, unknown> = { type: type.data, id: section.id };
  for (const property of section.properties) {
    const field = fieldOf(type.data, property.key);
    // Keys we do not know for this type (newer PVE options, typos) stay in the file and out of the typed config.
    if (!field) continue;
    const decoded = field.codec.decode(property.value, type.data);
    if (!decoded.ok) return fail(section, property.key, property.line, decoded.error);
    result[property.key] = decoded.value;
  }
  if (result.content === undefined) result.content = [...defaultContent[type.data]];
  for (const [key, field] of Object.entries(fields))
    if (field.required && result[key] === undefined)
      fail(section, key, section.line, `a ${type.data} storage needs ${key}`);
  return result as unknown as StorageConfig;
};

export const parseStorageCfg = (text: string): ParsedStorageCfg => {
  const document = parseSectionConfig(text, { file: 'storage.cfg' });
  const storages: StorageConfig[] = [];
  const unsupported: UnsupportedStorage[] = [];
  for (const section of sectionsOf(document)) {
    const storage = storageFromSection(section);
    if (storage) storages.push(storage);
    else
      unsupported.push({
        type: section.type,
        id: section.id,
        unsupported: true,
        properties: Object.fromEntries(section.properties.map((property) => [property.key, property.value])),
      });
  }
  return { storages, unsupported, document, digest: storageCfgDigest(text) };
};

export const serializeStorageCfg = (document: SectionDocument): string => writeSectionConfig(document);

const refuse = (config: StorageConfig, key: string, message: string): never => {
  throw new AppError('invalid-params', `storage ${config.id}: ${key}: ${message}`, {
    storage: config.id,
    property: key,
    message,
  });
};

/** A typed storage's lines (key, text), validating every value; unknown keys are an error here (we would write them). */
const encodeStorage = (config: StorageConfig): [string, string | true][] => {
  const entries: [string, string | true][] = [];
  for (const [key, value] of Object.entries(config)) {
    if (key === 'type' || key === 'id' || value === undefined) continue;
    const field = fieldOf(config.type, key);
    if (!field) return refuse(config, key, `a ${config.type} storage has no property ${key}`);
    const encoded = field.codec.encode(value, config.type);
    if (!encoded.ok) return refuse(config, key, encoded.error);
    // What we write must read back (a codec that formats what it cannot parse is a bug caught here, not in the file).
    const back = field.codec.decode(encoded.value, config.type);
    if (!back.ok) return refuse(config, key, back.error);
    entries.push([key, encoded.value]);
  }
  for (const [key, field] of Object.entries(fieldsFor(config.type)))
    if (field.required && !entries.some(([name]) => name === key))
      refuse(config, key, `a ${config.type} storage needs ${key}`);
  return entries;
};

const same = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = a.map(String).sort();
    const right = b.map(String).sort();
    return left.length === right.length && left.every((item, index) => item === right[index]);
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null)
    return same(
      Object.entries(a).map((entry) => entry.join('=')),
      Object.entries(b).map((entry) => entry.join('=')),
    );
  return a === b;
};

/**
 * Adds or changes one storage with the fewest line edits: a property whose value means the same (`shared yes` vs
 * true, `content backup,iso` vs [iso, backup]) keeps its line; a missing `content` equal to the type's default is not
 * added; properties this type does not know stay. A section of another type (or an unsupported one) is refused.
 */
export const setStorage = (document: SectionDocument, config: StorageConfig): SectionDocument => {
  const entries = encodeStorage(config);
  const section = findSection(document, config.id);
  if (!section) {
    const sameAsDefault = same(config.content, defaultContent[config.type]);
    return addSection(
      document,
      config.type,
      config.id,
      entries.filter(([key]) => !(key === 'content' && sameAsDefault)),
    );
  }
  if (section.type.toLowerCase() !== config.type)
    throw new AppError(
      'invalid-params',
      `storage ${config.id} is a ${section.type} storage, not ${config.type} — remove it and add a new one`,
      {
        storage: config.id,
      },
    );
  const fields = fieldsFor(config.type);
  const existing = new Map(section.properties.map((property) => [property.key, property.value]));
  const wanted = entries.filter(([key, text]) => {
    const before = existing.get(key);
    if (before === undefined) return !(key === 'content' && same(config.content, defaultContent[config.type]));
    const field = fieldOf(config.type, key);
    const decodedBefore = field?.codec.decode(before, config.type);
    const decodedNow = field?.codec.decode(text, config.type);
    return !(decodedBefore?.ok && decodedNow?.ok && same(decodedBefore.value, decodedNow.value));
  });
  // Keys we keep as they are count as wanted with their current text, so updateSection leaves them alone.
  const kept: [string, string | true][] = [];
  for (const [key] of entries) {
    const before = existing.get(key);
    if (before !== undefined && !wanted.some(([name]) => name === key)) kept.push([key, before]);
  }
  return updateSection(document, config.id, [...kept, ...wanted], new Set(Object.keys(fields)));
};

export const removeStorage = (document: SectionDocument, id: string): SectionDocument => {
  if (!findSection(document, id)) throw new AppError('not-found', `storage ${id} does not exist`, { storage: id });
  return removeSection(document, id);
};

/** Whether a type's capabilities allow a content type (for forms and checks). */
export const canHold = (type: StorageType, content: ContentType): boolean =>
  capabilities[type].content.includes(content);
