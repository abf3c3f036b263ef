// Storage usage sampled with the node's metrics: every storage enabled here is asked for its status
// concurrently, each with its own deadline, so one hung storage (a dead NFS server) reports inactive instead of
// holding up the others or the node sample; usage goes into a per-storage history like the node's.
import { readdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../api/errors';
import type { Consolidation, Timeframe } from '../api/node';
import type { StoragePoint, StorageStatusEntry } from '../api/storage';
import { storageHistoryFile, loadHistory, saveHistory } from '../metrics/history-file';
import { RrdHistory } from '../metrics/history';
import type { StorageService } from './service';

export const STORAGE_FIELDS = ['total', 'used', 'avail'] as const;
type StorageField = (typeof STORAGE_FIELDS)[number];

/** One storage as storage.cfg defines it, and whether it is enabled on this node. */
export interface SampledStorage {
  id: string;
  type: StorageStatusEntry['type'];
  content: StorageStatusEntry['content'];
  enabled: boolean;
}

/** What the sampler reads: the defined storages, and one storage's status (honouring the signal where it can). */
export interface StorageStatusSource {
  storages(): Promise<SampledStorage[]>;
  status(storage: string, signal: AbortSignal): Promise<StorageStatusEntry>;
}

/** The daemon's source: storage.cfg and the plugins through the storage service. */
export const serviceStatusSource = (service: StorageService): StorageStatusSource => ({
  storages: async () =>
    (await service.readConfig()).storages.map((storage) => ({
      id: storage.id,
      type: storage.type,
      content: storage.content,
      enabled: service.enabledHere(storage),
    })),
  status: async (storage, signal) => {
    const [entry] = await service.status(storage, signal);
    if (!entry) throw new AppError('not-found', `storage ${storage} does not exist`);
    return entry;
  },
});

export interface StorageSamplerOptions {
  source: StorageStatusSource;
  /** The agent's data folder: histories are `<data>/metrics/storage-<id>.rrd`. */
  dataDir: string;
  /** Per-storage deadline for one status. */
  timeoutMs?: number /* default 5000 */;
  now?: () => number;
  log?: (line: string) => void;
}

type Listener = (storages: StorageStatusEntry[]) => void;

/** Persist every 6th sample: once a minute at the node sampler's interval. */
const SAVE_EVERY = 6;

export class StorageStatusSampler {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly histories = new Map<string, Promise<RrdHistory<StorageField>>>();
  private readonly listeners = new Set<Listener>();
  private current: StorageStatusEntry[] | undefined;
  private sampling: Promise<StorageStatusEntry[]> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private unsaved = 0;
  private disposed = false;

  constructor(private readonly options: StorageSamplerOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  latest(): StorageStatusEntry[] | undefined {
    return this.current;
  }

  onSample(listener: Listener): () => void {
    const entry: Listener = (storages) => listener(storages);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /**
   * Take one sample stamped `t` (the node sample's time). Never rejects, and resolves within about the
   * per-storage deadline; a sample asked for while one runs joins it rather than starting a second.
   */
  sample(t: number = this.now()): Promise<StorageStatusEntry[]> {
    if (this.disposed) return Promise.resolve([]);
    this.sampling ??= this.takeSample(t)
      .catch((error: unknown) => {
        this.log(`storage metrics: sample failed: ${AppError.from(error).message}`);
        return [];
      })
      .finally(() => {
        this.sampling = undefined;
      });
    return this.sampling;
  }

  /** The usage history of one storage; empty when nothing was sampled for it yet. */
  async history(storage: string, timeframe: Timeframe, cf: Consolidation): Promise<{ step: number; points: StoragePoint[] }> {
    return (await this.historyOf(storage)).query(timeframe, cf, this.now());
  }

  async dispose(): Promise<void> {
    if (this.disposed) return this.saving;
    this.disposed = true;
    await this.sampling;
    this.listeners.clear();
    await this.save();
  }

  private async takeSample(t: number): Promise<StorageStatusEntry[]> {
    const defined = await this.options.source.storages();
    await this.forgetRemoved(new Set(defined.map((storage) => storage.id)));
    const enabled = defined.filter((storage) => storage.enabled);
    const storages = await Promise.all(enabled.map((storage) => this.statusWithin(storage)));
    for (const entry of storages) {
      if (!entry.active) continue; // an inactive storage is a gap, not a zero
      (await this.historyOf(entry.storage)).add({ t, total: entry.total, used: entry.used, avail: entry.avail });
    }
    this.current = storages;
    for (const listener of [...this.listeners]) {
      try {
        listener(storages);
      } catch (error) {
        this.log(`storage metrics: a sample listener threw: ${AppError.from(error).message}`);
      }
    }
    if (++this.unsaved >= SAVE_EVERY) void this.save();
    return storages;
  }

  /** The storage's status, or inactive with an error once the deadline passes (the call is aborted and left). */
  private async statusWithin(storage: SampledStorage): Promise<StorageStatusEntry> {
    const inactive = (error: string): StorageStatusEntry => ({
      storage: storage.id,
      type: storage.type,
      content: storage.content,
      enabled: storage.enabled,
      total: 0,
      used: 0,
      avail: 0,
      active: false,
      error,
    });
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<StorageStatusEntry>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(inactive(`storage ${storage.id} did not report its status within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      // A hung storage must not keep a stopping agent alive.
      timer.unref();
    });
    const answer = this.options.source
      .status(storage.id, controller.signal)
      .catch((error: unknown) => inactive(`storage ${storage.id}: ${AppError.from(error).message}`));
    try {
      return await Promise.race([answer, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private historyOf(storage: string): Promise<RrdHistory<StorageField>> {
    let history = this.histories.get(storage);
    if (!history) {
      history = loadHistory(this.file(storage), this.log, this.now, () => new RrdHistory(STORAGE_FIELDS));
      this.histories.set(storage, history);
    }
    return history;
  }

  /** A storage gone from storage.cfg takes its history with it (a later storage of that id starts afresh). */
  private async forgetRemoved(defined: ReadonlySet<string>): Promise<void> {
    // Files too, not only what is loaded: the storage may have been removed while the agent was down.
    const folder = dirname(this.file('x'));
    const saved = (await readdir(folder).catch(() => []))
      .filter((name) => name.startsWith('storage-') && name.endsWith('.rrd'))
      .map((name) => name.slice('storage-'.length, -'.rrd'.length));
    for (const storage of new Set([...this.histories.keys(), ...saved])) {
      if (defined.has(storage)) continue;
      this.histories.delete(storage);
      this.saving = this.saving.then(() =>
        unlink(this.file(storage)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') this.log(`storage metrics: cannot remove ${this.file(storage)}: ${error.message}`);
        }),
      );
    }
    await this.saving;
  }

  /** Saves are chained so two never write one file at once; a failed save is logged and retried with the next. */
  private save(): Promise<void> {
    this.unsaved = 0;
    const histories = [...this.histories.entries()];
    this.saving = this.saving.then(async () => {
      for (const [storage, loading] of histories) {
        if (this.histories.get(storage) !== loading) continue; // removed meanwhile
        await saveHistory(this.file(storage), await loading).catch((error: unknown) =>
          this.log(`storage metrics: cannot save ${this.file(storage)}: ${AppError.from(error).message}`),
        );
      }
    });
    return this.saving;
  }

  private file(storage: string): string {
    return storageHistoryFile(this.options.dataDir, storage);
  }
}
