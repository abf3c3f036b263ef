// The daemon's metrics sampler: reads the node's counters every 10 s, keeps the latest status, feeds the
// history archives, persists them once a minute, and tells listeners (node.status events).
import { setTimeout as delay } from 'node:timers/promises';
import type { Consolidation, MetricsPoint, NodeStatus, Timeframe } from '../api/node';
import type { AgentPaths } from '../daemon/paths';
import { historyFile, loadHistory, saveHistory } from './history-file';
import { MetricsHistory } from './history';
import { ProcReader } from './proc-reader';
import { nodeIdentity, toSample, type NodeIdentity, type RawReading } from './sample';

export interface SamplerOptions {
  paths: AgentPaths;
  intervalMs?: number /* default 10_000 */;
  now?: () => number;
}

type Listener = (status: NodeStatus, point: MetricsPoint) => void;

/** The first status compares two readings this far apart, so its CPU figure means something. */
const FIRST_INTERVAL_MS = 250;
/** Persist every 6th sample: once a minute at the default interval. */
const SAVE_EVERY = 6;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export class MetricsSampler {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly reader: ProcReader;
  private readonly file: string;
  private readonly listeners = new Set<Listener>();
  private store = new MetricsHistory();
  /** Set once the saved history is in: saving before that would overwrite it with an empty one. */
  private loaded = false;
  private identity: NodeIdentity | undefined;
  private previous: RawReading | undefined;
  private current: { status: NodeStatus; point: MetricsPoint } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private unsaved = 0;
  private disposed = false;

  constructor(private readonly options: SamplerOptions) {
    this.intervalMs = Math.max(1, options.intervalMs ?? 10_000);
    this.now = options.now ?? Date.now;
    this.reader = new ProcReader({ root: options.paths.root, now: this.now, log });
    this.file = historyFile(options.paths.data);
  }

  /** Loads persisted history, takes the first reading; resolves once latest() is defined. */
  async start(): Promise<void> {
    this.store = await loadHistory(this.file, log, this.now);
    this.loaded = true;
    this.identity = nodeIdentity(this.options.paths.node, await this.reader.cpuInfo());
    this.previous = await this.reader.read();
    await delay(FIRST_INTERVAL_MS);
    if (this.disposed) return;
    await this.sample();
    this.schedule();
  }

  latest(): { status: NodeStatus; point: MetricsPoint } | undefined {
    return this.current;
  }

  onSample(listener: Listener): () => void {
    // Wrapped so subscribing the same function twice yields two independent subscriptions.
    const entry: Listener = (status, point) => listener(status, point);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  history(timeframe: Timeframe, cf: Consolidation): { step: number; points: MetricsPoint[] } {
    return this.store.query(timeframe, cf, this.now());
  }

  /** Stops the timer and persists history. */
  async dispose(): Promise<void> {
    if (this.disposed) return this.saving;
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sampling;
    this.listeners.clear();
    await this.save();
  }

  /**
   * Samples land just after each multiple of the interval (wall clock), so each 10 s slot gets one sample
   * instead of drifting into doubled slots and gaps. The next tick is scheduled only after a sample
   * finishes, so a slow sample skips a beat rather than piling up.
   */
  private schedule(): void {
    if (this.disposed) return;
    const offset = Math.min(100, Math.floor(this.intervalMs / 10));
    let wait = this.intervalMs - ((Date.now() - offset) % this.intervalMs);
    if (wait < this.intervalMs / 4) wait += this.intervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sample().finally(() => this.schedule());
    }, wait);
    // The daemon's socket keeps the process alive; the sampler alone must not.
    this.timer.unref();
  }

  private sample(): Promise<void> {
    if (this.sampling) return this.sampling;
    this.sampling = this.takeSample()
      .catch((error: unknown) =>
        log(`metrics: sample failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.sampling = undefined;
      });
    return this.sampling;
  }

  private async takeSample(): Promise<void> {
    const identity = this.identity;
    const previous = this.previous;
    if (identity === undefined || previous === undefined) return;
    const reading = await this.reader.read(previous);
    const sample = toSample(identity, previous, reading);
    this.previous = reading;
    this.current = sample;
    this.store.add(sample.point);
    for (const listener of [...this.listeners]) {
      try {
        listener(sample.status, sample.point);
      } catch (error) {
        log(`metrics: a sample listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (++this.unsaved >= SAVE_EVERY) void this.save();
  }

  /** Saves are chained so two never write at once; a failed save is logged and retried with the next. */
  private save(): Promise<void> {
    this.unsaved = 0;
    if (!this.loaded) return this.saving;
    this.saving = this.saving.then(() =>
      saveHistory(this.file, this.store).catch((error: unknown) =>
        log(`metrics: cannot save history to ${this.file}: ${error instanceof Error ? error.message : String(error)}`),
      ),
    );
    return this.saving;
  }
}
