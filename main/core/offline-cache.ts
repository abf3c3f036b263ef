// The last-known state of every cluster (cache/<clusterId>.json), so an offline node or an offline app still
// shows each node's status with its "as of" time. Best effort: a bad cache file is ignored, never fatal.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError, NodeStatus } from '../../node-agent/src/api';
import { CONFIG_FILES, NodeKeySchema } from './config-schema';
import { writeFileAtomic } from '../../node-agent/src/fs/atomic-file';
import { readJsonFile } from '../../node-agent/src/fs/json-file';
import type { NodeEntry } from './inventory-schema';

export const CachedNode = z.object({
  key: NodeKeySchema,
  cluster: z.string(),
  name: z.string(),
  host: z.string(),
  status: NodeStatus.optional(),
  asOf: z.number().optional(),
  agentVersion: z.string().optional(),
});
export type CachedNode = z.infer<typeof CachedNode>;

const CacheFile = z.object({ version: z.literal(1), cluster: z.string(), savedAt: z.number(), nodes: z.array(CachedNode) });
type CacheFile = z.infer<typeof CacheFile>;

export interface OfflineCacheOptions {
  /** A cluster's file is written at most once per interval while changes arrive. */
  intervalMs?: number;
  now?: () => number;
  /** A failed write is reported here and retried with the next change; the app goes on. */
  onError?: (error: AppError) => void;
  /** Told after each cluster file is written (or deleted): for tests and diagnostics. */
  onWrite?: (clusterId: string, nodes: number) => void;
}

interface ClusterState {
  readonly id: string;
  readonly nodes: Map<string, CachedNode>;
  dirty: boolean;
  lastWrite: number;
  timer: NodeJS.Timeout | undefined;
  writing: Promise<void> | undefined;
}

const cachedFrom = (entry: NodeEntry | CachedNode): CachedNode => {
  const cached: CachedNode = { key: entry.key, cluster: entry.cluster, name: entry.name, host: entry.host };
  if (entry.status) cached.status = entry.status;
  if (entry.asOf !== undefined) cached.asOf = entry.asOf;
  if (entry.agentVersion !== undefined) cached.agentVersion = entry.agentVersion;
  return cached;
};

const sameCached = (a: CachedNode, b: CachedNode) =>
  a.status === b.status && a.asOf === b.asOf && a.agentVersion === b.agentVersion && a.host === b.host && a.name === b.name;

export class OfflineCache {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly onError: (error: AppError) => void;
  private readonly onWrite: (clusterId: string, nodes: number) => void;
  private disposed = false;

  constructor(
    readonly configDir: string,
    options: OfflineCacheOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? ((error) => console.warn(`hyperdesk: ${error.message}`));
    this.onWrite = options.onWrite ?? (() => undefined);
  }

  get dir(): string {
    return join(this.configDir, CONFIG_FILES.cacheDir);
  }

  fileOf(clusterId: string): string {
    return join(this.dir, `${clusterId}.json`);
  }

  /** Read every cluster's file; unreadable or invalid files are skipped (and replaced on the next write). */
  async load(): Promise<Map<string, CachedNode>> {
    const found = new Map<string, CachedNode>();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return found;
    }
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const file = await readJsonFile(join(this.dir, name), CacheFile).catch(() => undefined);
      if (!file || `${file.cluster}.json` !== name) continue;
      const state = this.stateOf(file.cluster);
      for (const node of file.nodes) {
        if (node.cluster !== file.cluster) continue;
        state.nodes.set(node.key, node);
        found.set(node.key, node);
      }
    }
    return found;
  }

  /** Record a node's latest entry; its cluster's file is written soon (coalesced). */
  update(entry: NodeEntry): void {
    if (this.disposed) return;
    const state = this.stateOf(entry.cluster);
    const next = cachedFrom(entry);
    const previous = state.nodes.get(entry.key);
    if (previous && sameCached(previous, next)) return;
    state.nodes.set(entry.key, next);
    this.schedule(state);
  }

  /** Forget a node (removed from the connections); an empty cluster's file is deleted. */
  remove(key: string): void {
    for (const state of this.clusters.values()) {
      if (state.nodes.delete(key)) this.schedule(state);
    }
  }

  /** Keep only these nodes (the saved ones), so a removed node's last state does not linger. */
  retain(keys: ReadonlySet<string>): void {
    for (const state of this.clusters.values()) {
      let changed = false;
      for (const key of [...state.nodes.keys()]) if (!keys.has(key)) changed = state.nodes.delete(key) || changed;
      if (changed) this.schedule(state);
    }
  }

  /** Write every pending change now. */
  async flush(): Promise<void> {
    for (const state of this.clusters.values()) {
      for (;;) {
        if (state.writing) {
          await state.writing;
          continue;
        }
        if (state.timer) clearTimeout(state.timer);
        state.timer = undefined;
        if (!state.dirty) break;
        this.write(state);
      }
    }
  }

  /** Wait for the writes already under way (not the pending ones, which keep their schedule). */
  async settled(): Promise<void> {
    for (const state of this.clusters.values()) await state.writing;
  }

  async dispose(): Promise<void> {
    await this.flush();
    this.disposed = true;
  }

  private stateOf(clusterId: string): ClusterState {
    let state = this.clusters.get(clusterId);
    if (!state) {
      state = { id: clusterId, nodes: new Map(), dirty: false, lastWrite: -Infinity, timer: undefined, writing: undefined };
      this.clusters.set(clusterId, state);
    }
    return state;
  }

  private schedule(state: ClusterState): void {
    state.dirty = true;
    if (state.timer || state.writing || this.disposed) return;
    const delay = Math.max(0, state.lastWrite + this.intervalMs - this.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.write(state);
    }, delay);
  }

  private write(state: ClusterState): void {
    state.dirty = false;
    state.lastWrite = this.now();
    const path = this.fileOf(state.id);
    const file: CacheFile = { version: 1, cluster: state.id, savedAt: state.lastWrite, nodes: [...state.nodes.values()] };
    const io = file.nodes.length === 0 ? rm(path, { force: true }) : writeFileAtomic(path, `${JSON.stringify(file)}\n`);
    state.writing = io
      .then(() => this.onWrite(state.id, file.nodes.length))
      .catch((error: unknown) => {
        this.onError(new AppError('internal-error', `cannot write the offline cache ${path}: ${(error as Error).message}`));
      })
      .finally(() => {
        state.writing = undefined;
        if (state.dirty && !this.disposed) this.schedule(state);
      });
  }
}
