// The properties each storage type takes in storage.cfg (pve-storage's options() per plugin), each with a codec:
// from the file's text to a typed value, validated with zod, and back. Values PVE accepts read the same here.
import { posix } from 'node:path';
import { z } from 'zod';
import { NodeName } from '../api/common';
import { ContentType, type StorageType, type VolumeFormat } from './plugin';
import { allowsNoContent, capabilities } from './capabilities';
import { parseVolid } from './volume-name';

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export interface FieldCodec<T> {
  decode(raw: string | true, type: StorageType): Decoded<T>;
  encode(value: T, type: StorageType): Decoded<string | true>;
}

export interface Field {
  codec: FieldCodec<unknown>;
  required?: boolean;
}

const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
const error = <T>(message: string): Decoded<T> => ({ ok: false, error: message });

const check = <T>(schema: z.ZodType<T>, value: unknown): Decoded<T> => {
  const result = schema.safeParse(value);
  return result.success ? ok(result.data) : error(result.error.issues.map((issue) => issue.message).join('; '));
};

/** A codec over text: `parse` turns the file's text into a value, `format` back; zod checks both ways. */
const textCodec = <T>(
  schema: z.ZodType<T>,
  parse: (text: string, type: StorageType) => Decoded<unknown>,
  format: (value: T) => string,
): FieldCodec<T> => ({
  decode: (raw, type) => {
    if (raw === true) return error('needs a value');
    const parsed = parse(raw, type);
    return parsed.ok ? check(schema, parsed.value) : parsed;
  },
  encode: (value) => {
    const checked = check(schema, value);
    return checked.ok ? ok(format(checked.value)) : checked;
  },
});

const plain = <T extends string>(schema: z.ZodType<T>): FieldCodec<T> =>
  textCodec(
    schema,
    (text) => ok(text),
    (value) => value,
  );

/** PVE's boolean: a bare key, 1/0, yes/no, on/off, true/false. Written as 1 or 0, as PVE writes them. */
const flag: FieldCodec<boolean> = {
  decode: (raw) => {
    if (raw === true || /^(1|true|yes|on)$/i.test(raw)) return ok(true);
    if (/^(0|false|no|off)$/i.test(raw)) return ok(false);
    return error(`${JSON.stringify(raw)} is not a boolean (1 or 0)`);
  },
  encode: (value) => (typeof value === 'boolean' ? ok(value ? '1' : '0') : error('must be true or false')),
};

const integer = (schema: z.ZodNumber): FieldCodec<number> =>
  textCodec(
    schema,
    (text) => (/^-?[0-9]+$/.test(text) ? ok(Number(text)) : error(`${JSON.stringify(text)} is not a whole number`)),
    String,
  );

/** PVE's split_list: commas, semicolons or spaces. */
const splitList = (text: string): string[] => text.split(/[\s,;]+/).filter((item) => item !== '');

const content: FieldCodec<ContentType[]> = {
  decode: (raw, type) => {
    if (raw === true) return error('needs a value (a comma list of content types, or none)');
    const items = [...new Set(splitList(raw))];
    if (items.includes('none')) {
      if (items.length > 1) return error("'none' cannot be combined with other content types");
      return allowsNoContent[type]
        ? ok([])
        : error(`a ${type} storage needs some content (it can hold ${capabilities[type].content.join(', ')})`);
    }
    const wrong = items.filter(
      (item) => !ContentType.safeParse(item).success || !capabilities[type].content.includes(item as ContentType),
    );
    if (wrong.length > 0)
      return error(
        `a ${type} storage cannot hold ${wrong.join(', ')} (it can hold ${capabilities[type].content.join(', ')})`,
      );
    return ok(items as ContentType[]);
  },
  encode: (value, type) => {
    const checked = check(z.array(ContentType), value);
    if (!checked.ok) return checked;
    const text = checked.value.length === 0 ? 'none' : [...new Set(checked.value)].join(',');
    return content.decode(text, type).ok ? ok(text) : (content.decode(text, type) as Decoded<string>);
  },
};

const nodes = textCodec(
  z.array(NodeName).min(1, 'names at least one node'),
  (text) => ok([...new Set(splitList(text))]),
  (value) => [...new Set(value)].join(','),
);

/** An absolute, normalized node path (PVE's pve-storage-path, which also refuses ; ( and )). */
export const StoragePath = z
  .string()
  .max(4095)
  // eslint-disable-next-line no-control-regex
  .refine((path) => !/[\u0000-\u001f\u007f;()]/.test(path), 'must not contain control characters, ; ( or )')
  .refine((path) => path.startsWith('/'), 'must be an absolute path')
  .refine((path) => !path.split('/').some((part) => part === '..' || part === '.'), 'must not contain . or .. parts')
  .refine(
    (path) => posix.normalize(path) === path || posix.normalize(path) + '/' === path,
    'must be normalized (no //)',
  );

/** keep-all=1, or keep-last/hourly/daily/weekly/monthly/yearly=N (PVE's prune-backups). */
export const PRUNE_KEYS = [
  'keep-all',
  'keep-last',
  'keep-hourly',
  'keep-daily',
  'keep-weekly',
  'keep-monthly',
  'keep-yearly',
] as const;
export type PruneBackups = Partial<Record<(typeof PRUNE_KEYS)[number], number>>;

export const parsePruneBackups = (text: string): Decoded<PruneBackups> => {
  const result: PruneBackups = {};
  for (const item of text.split(',')) {
    const match = /^([a-z-]+)=([0-9]+)$/.exec(item.trim());
    const key = PRUNE_KEYS.find((name) => name === match?.[1]);
    if (!match?.[2] || !key)
      return error(`${JSON.stringify(item)} is not keep-all=1 or keep-<last|hourly|daily|weekly|monthly|yearly>=N`);
    if (result[key] !== undefined) return error(`${key} is given twice`);
    const n = Number(match[2]);
    if (key === 'keep-all' && n > 1) return error('keep-all is 0 or 1');
    result[key] = n;
  }
  if (result['keep-all'] === 1 && Object.keys(result).length > 1)
    return error('keep-all=1 cannot be set together with other options');
  return ok(result);
};

/** clone=…,default=…,migration=…,move=…,restore=… in KiB/s (PVE's bwlimit). */
export const BWLIMIT_KEYS = ['clone', 'default', 'migration', 'move', 'restore'] as const;
export const parseBwlimit = (text: string): Decoded<Partial<Record<(typeof BWLIMIT_KEYS)[number], number>>> => {
  const result: Partial<Record<(typeof BWLIMIT_KEYS)[number], number>> = {};
  for (const item of text.split(',')) {
    const match = /^([a-z]+)=([0-9]+(?:\.[0-9]+)?)$/.exec(item.trim());
    const key = BWLIMIT_KEYS.find((name) => name === match?.[1]);
    if (!match?.[2] || !key)
      return error(`${JSON.stringify(item)} is not <clone|default|migration|move|restore>=KiB/s`);
    if (result[key] !== undefined) return error(`${key} is given twice`);
    result[key] = Number(match[2]);
  }
  return ok(result);
};

const validated = (parse: (text: string) => Decoded<unknown>): FieldCodec<string> =>
  textCodec(
    z.string(),
    (text) => {
      const parsed = parse(text);
      return parsed.ok ? ok(text) : parsed;
    },
    (value) => value,
  );

/** content-dirs: `iso=isos,backup=dumps/pve` — folders relative to the storage path, one per content type. */
const contentDirs: FieldCodec<Record<string, string>> = {
  decode: (raw, type) => {
    if (raw === true) return error('needs a value (type=folder,…)');
    const result: Record<string, string> = {};
    for (const item of splitList(raw)) {
      const [kind = '', folder = ''] = item.split('=', 2);
      if (!ContentType.safeParse(kind).success || !capabilities[type].content.includes(kind as ContentType))
        return error(`${JSON.stringify(kind)} is not a content type a ${type} storage holds`);
      const parts = folder.split('/');
      if (
        folder === '' ||
        folder.length >= 1023 ||
        parts.some((part) => part === '' || part === '.' || part === '..' || Buffer.byteLength(part) >= 255)
      )
        return error(`${JSON.stringify(folder)} is not a relative folder inside the storage`);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(folder)) return error(`${JSON.stringify(folder)} contains control characters`);
      result[kind] = folder;
    }
    return ok(result);
  },
  encode: (value, type) => {
    const checked = check(z.record(z.string(), z.string()), value);
    if (!checked.ok) return checked;
    const text = Object.keys(checked.value)
      .sort()
      .map((key) => `${key}=${checked.value[key] ?? ''}`)
      .join(',');
    const back = contentDirs.decode(text, type);
    return back.ok ? ok(text) : back;
  },
};

const LVM_NAME = z
  .string()
  .regex(/^[a-z0-9][a-z0-9\-_.]*[a-z0-9]$/i, 'an LVM name: letters, digits, - _ . (not at the ends)');
const ZFS_DATASET = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9][A-Za-z0-9_.:-]*)*$/, 'a ZFS dataset name like rpool/data');
const BLOCKSIZE = z
  .string()
  .regex(/^[0-9]+[kKmM]?$/, 'a power of 2 with an optional k or m suffix')
  .refine((text) => {
    const n = Number(/^[0-9]+/.exec(text)?.[0]);
    return n > 0 && (n & (n - 1)) === 0;
  }, 'a power of 2 with an optional k or m suffix');
const MOUNTPOINT_FLAG = /^(1|0|true|false|yes|no|on|off)$/i;

const format: FieldCodec<string> = {
  decode: (raw, type) => {
    if (raw === true) return error('needs a value');
    return capabilities[type].formats.includes(raw as VolumeFormat)
      ? ok(raw)
      : error(`a ${type} storage has no format ${raw} (it has ${capabilities[type].formats.join(', ')})`);
  },
  encode: (value, type) => format.decode(value, type),
};

const common = {
  content: { codec: content },
  nodes: { codec: nodes },
  disable: { codec: flag },
} satisfies Record<string, Field>;

const files = {
  ...common,
  path: { codec: plain(StoragePath), required: true },
  shared: { codec: flag },
  format: { codec: format },
  preallocation: { codec: plain(z.enum(['off', 'metadata', 'falloc', 'full'])) },
  'prune-backups': { codec: validated(parsePruneBackups) },
  'max-protected-backups': { codec: integer(z.number().int().min(-1)) },
  mkdir: { codec: flag },
  'create-base-path': { codec: flag },
  'create-subdirs': { codec: flag },
  is_mountpoint: {
    codec: plain(
      z
        .string()
        .refine(
          (text) => MOUNTPOINT_FLAG.test(text) || StoragePath.safeParse(text).success,
          'yes, no or an absolute path',
        ),
    ),
  },
} satisfies Record<string, Field>;

const bwlimit = { codec: validated(parseBwlimit) };

const fields: Record<StorageType, Record<string, Field>> = {
  dir: { ...files, 'content-dirs': { codec: contentDirs }, bwlimit, 'snapshot-as-volume-chain': { codec: flag } },
  btrfs: { ...files, nocow: { codec: flag }, quotas: { codec: flag } },
  lvm: {
    ...common,
    vgname: { codec: plain(LVM_NAME), required: true },
    shared: { codec: flag },
    saferemove: { codec: flag },
    'saferemove-stepsize': {
      codec: integer(z.number().refine((n) => [1, 2, 4, 8, 16, 32].includes(n), 'one of 1 2 4 8 16 32')),
    },
    saferemove_throughput: { codec: plain(z.string().regex(/^\S+$/)) },
    tagged_only: { codec: flag },
    base: {
      codec: validated((text) => {
        try {
          parseVolid(text);
          return ok(text);
        } catch {
          return error(`${JSON.stringify(text)} is not a volume id`);
        }
      }),
    },
    bwlimit,
    'snapshot-as-volume-chain': { codec: flag },
  },
  lvmthin: {
    ...common,
    vgname: { codec: plain(LVM_NAME), required: true },
    thinpool: { codec: plain(LVM_NAME), required: true },
    bwlimit,
  },
  zfspool: {
    ...common,
    pool: { codec: plain(ZFS_DATASET), required: true },
    sparse: { codec: flag },
    blocksize: { codec: plain(BLOCKSIZE) },
    mountpoint: { codec: plain(StoragePath) },
    bwlimit,
  },
};

/** The properties a storage type takes (PVE's options for its plugin). */
export const fieldsFor = (type: StorageType): Readonly<Record<string, Field>> => fields[type];

/** One property of a type; own keys only, so `constructor` or `__proto__` in a file is just an unknown key. */
export const fieldOf = (type: StorageType, key: string): Field | undefined =>
  Object.hasOwn(fields[type], key) ? fields[type][key] : undefined;
