// storage.cfg, the cluster-wide list of storages (PVE's /etc/pve/storage.cfg), kept at <config>/storage.cfg.
// Optimistic locking as PVE: every read returns the file's digest (sha1 hex); a change carries the digest it
// was based on and fails with `conflict` when the file moved on. Validate everything, then write atomically.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError, isAppError } from '../api/errors';
import { writeFileAtomic } from '../fs/atomic-file';
import { capabilities } from './capabilities';
import { StorageType } from './plugin';
import { findSection, type SectionDocument } from './section-config';
import {
  parseStorageCfg,
  removeStorage,
  serializeStorageCfg,
  setStorage,
  storageCfgDigest,
  type ParsedStorageCfg,
  type StorageConfig,
} from './storage-config';

export { storageCfgDigest };

export interface StorageCfg {
  storages: StorageConfig[];
  /** sha1 hex of the file as read (of the default text on a fresh node). */
  digest: string;
}

/**
 * A fresh node's storage.cfg: what the PVE installer writes for `local` (PVE forces a `local` dir storage at
 * /var/lib/vz into every config; we only start with it, and an admin may change or remove it).
 */
export const DEFAULT_STORAGE_CFG = 'dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n';

/** Parse a storage.cfg text (S1's parser: types, properties); its errors name the file and the line. */
export const parseStorageCfgFile = (text: string, what: string): ParsedStorageCfg => {
  try {
    return parseStorageCfg(text);
  } catch (error) {
    if (!isAppError(error, 'invalid-params')) throw error;
    const named = error.message.startsWith('storage.cfg') ? error.message.replace('storage.cfg', what) : `${what}: ${error.message}`;
    throw new AppError('invalid-params', `${named} — nothing was changed`, error.details);
  }
};

/**
 * What a changed storage must pass beyond the parser (types, properties, unique ids): content its type can hold.
 * Only the storage being changed is checked, so a PVE file with oddities elsewhere can still be edited.
 */
const checkChanged = (storages: readonly StorageConfig[], id: string | undefined): void => {
  const storage = storages.find((candidate) => candidate.id === id);
  if (!storage) return;
  const allowed = capabilities[storage.type].content;
  const wrong = storage.content.filter((content) => !allowed.includes(content));
  if (wrong.length > 0)
    throw new AppError(
      'invalid-params',
      `storage ${storage.id}: a ${storage.type} storage cannot hold ${wrong.join(', ')} (it holds ${allowed.join(', ')})`,
    );
};

export class StorageStore {
  /** Changes are read-modify-write: one at a time in this daemon (the digest guards against other writers). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  static at(configDir: string): StorageStore {
    return new StorageStore(join(configDir, 'storage.cfg'));
  }

  async read(): Promise<StorageCfg> {
    const text = await this.readText();
    return { storages: parseStorageCfgFile(text, this.file).storages, digest: storageCfgDigest(text) };
  }

  /** Add a storage; `digest`, when given, must match the file's; `check` may refuse the parsed storage before it is written. */
  async add(config: Record<string, unknown>, digest?: string, check?: (storage: StorageConfig) => Promise<void>): Promise<StorageCfg> {
    const id = String(config.id);
    if (!StorageType.safeParse(config.type).success)
      throw new AppError('invalid-params', `storage ${id}: type ${String(config.type)} is not one of ${StorageType.options.join(', ')}`);
    return this.change(id, digest, ({ document }) => {
      if (findSection(document, id)) throw new AppError('already-exists', `storage ${id} already exists — choose another id or edit it`);
      return setStorage(document, config as unknown as StorageConfig);
    }, check);
  }

  /** Change a storage's properties and delete some; its type and id stay. */
  async set(id: string, properties: Record<string, unknown>, remove: readonly string[], digest: string): Promise<StorageCfg> {
    for (const key of ['type', 'id'])
      if (key in properties || remove.includes(key))
        throw new AppError('invalid-params', `storage ${id}: its ${key} cannot be changed — remove it and add a new one`);
    const both = remove.filter((key) => key in properties);
    if (both.length > 0) throw new AppError('invalid-params', `storage ${id}: ${both.join(', ')} both set and deleted`);
    return this.change(id, digest, ({ document, storages, unsupported }) => {
      const current = storages.find((storage) => storage.id === id);
      if (!current) {
        if (unsupported.some((storage) => storage.id === id))
          throw new AppError('not-supported', `storage ${id} is of a type this agent does not build yet — edit it in storage.cfg`);
        throw new AppError('not-found', `storage ${id} does not exist`);
      }
      const next: Record<string, unknown> = { ...current, ...properties };
      for (const key of remove) delete next[key];
      return setStorage(document, next as unknown as StorageConfig);
    });
  }

  remove(id: string, digest: string): Promise<StorageCfg> {
    return this.change(undefined, digest, ({ document }) => removeStorage(document, id));
  }

  private async readText(): Promise<string> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_STORAGE_CFG;
      throw error;
    }
  }

  /** Edit the file's document (S1's line-preserving edits: comments, order, unknown keys and types survive), check, write. */
  private change(
    changed: string | undefined,
    digest: string | undefined,
    edit: (parsed: ParsedStorageCfg) => SectionDocument,
    check?: (storage: StorageConfig) => Promise<void>,
  ): Promise<StorageCfg> {
    const run = this.queue.then(async () => {
      const before = await this.readText();
      const current = storageCfgDigest(before);
      if (digest !== undefined && digest !== current)
        throw new AppError(
          'conflict',
          `storage.cfg changed since you read it (digest ${digest.slice(0, 12)}…, now ${current.slice(0, 12)}…) — reload and try again`,
          { digest: current },
        );
      const text = serializeStorageCfg(edit(parseStorageCfgFile(before, this.file)));
      const { storages } = parseStorageCfgFile(text, `the new ${basename(this.file)}`);
      checkChanged(storages, changed);
      const storage = storages.find((candidate) => candidate.id === changed);
      if (check && storage) await check(storage);
      await writeFileAtomic(this.file, text, 0o640, 0o755);
      return { storages, digest: storageCfgDigest(text) };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
