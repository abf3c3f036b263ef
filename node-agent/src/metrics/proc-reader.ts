// Reads the node's counters from /proc, /sys/block and statfs; a source that fails keeps its previous value.
import { readFile, readdir, statfs } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  diskIo,
  fsUsage,
  nodeTraffic,
  parseCpuinfo,
  parseLoadavg,
  parseMeminfo,
  parseProcStat,
  parseUptime,
  type CpuInfo,
} from './proc-parse';
import type { RawReading } from './sample';

export interface ProcReaderOptions {
  /** The file system whose usage is the node's "root fs": the agent root (paths.root). */
  root: string;
  /** Overridable so tests can point at a folder of captured files. */
  procDir?: string;
  sysBlockDir?: string;
  now?: () => number;
  log?: (line: string) => void;
}

type Source = 'stat' | 'meminfo' | 'loadavg' | 'uptime' | 'net' | 'disk' | 'rootfs';

const zero: Omit<RawReading, 'time' | 'mono'> = {
  cpu: { total: 0, idle: 0 },
  memory: { memTotal: 0, memUsed: 0, memAvailable: 0, swapTotal: 0, swapUsed: 0 },
  loadavg: [0, 0, 0],
  uptime: 0,
  net: { rx: 0, tx: 0 },
  disk: { read: 0, write: 0 },
  rootfs: { total: 0, used: 0, avail: 0 },
};

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class ProcReader {
  private readonly procDir: string;
  private readonly sysBlockDir: string;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  /** Sources currently failing, so a container without /proc/diskstats logs once, not every 10 s. */
  private readonly failing = new Set<Source>();

  constructor(private readonly options: ProcReaderOptions) {
    this.procDir = options.procDir ?? '/proc';
    this.sysBlockDir = options.sysBlockDir ?? '/sys/block';
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** CPU model and count; falls back to os.cpus() where /proc/cpuinfo says nothing useful. */
  async cpuInfo(): Promise<CpuInfo> {
    const fallback = (): CpuInfo => ({ model: cpus()[0]?.model ?? 'unknown', count: Math.max(1, cpus().length) });
    try {
      const info = parseCpuinfo(await readFile(join(this.procDir, 'cpuinfo'), 'utf8'));
      if (info.count === 0) return fallback();
      return info.model === 'unknown' ? { ...info, model: fallback().model } : info;
    } catch (error) {
      this.log(`metrics: cannot read ${join(this.procDir, 'cpuinfo')}: ${message(error)}`);
      return fallback();
    }
  }

  /** One reading. Never rejects: a failing source logs once and keeps `previous`'s value (or zero). */
  async read(previous?: RawReading): Promise<RawReading> {
    const base = previous ?? { ...zero, time: 0, mono: 0 };
    const proc = (name: string) => readFile(join(this.procDir, name), 'utf8');
    const [cpu, memory, loadavg, uptime, net, disk, rootfs] = await Promise.all([
      this.guard('stat', base.cpu, async () => parseProcStat(await proc('stat'))),
      this.guard('meminfo', base.memory, async () => parseMeminfo(await proc('meminfo'))),
      this.guard('loadavg', base.loadavg, async () => parseLoadavg(await proc('loadavg'))),
      this.guard('uptime', base.uptime, async () => parseUptime(await proc('uptime'))),
      this.guard('net', base.net, async () => nodeTraffic(await proc('net/dev'))),
      this.guard('disk', base.disk, async () => diskIo(await proc('diskstats'), await this.wholeDisks())),
      this.guard('rootfs', base.rootfs, async () => fsUsage(await statfs(this.options.root))),
    ]);
    return { time: this.now(), mono: performance.now(), cpu, memory, loadavg, uptime, net, disk, rootfs };
  }

  /** The /sys/block listing, or undefined (name rules apply) where sysfs is not mounted. */
  private async wholeDisks(): Promise<ReadonlySet<string> | undefined> {
    try {
      return new Set(await readdir(this.sysBlockDir));
    } catch {
      return undefined;
    }
  }

  private async guard<T>(source: Source, previous: T, read: () => Promise<T>): Promise<T> {
    try {
      const value = await read();
      if (this.failing.delete(source)) this.log(`metrics: ${source} is readable again`);
      return value;
    } catch (error) {
      if (!this.failing.has(source)) {
        this.failing.add(source);
        this.log(`metrics: cannot read ${source} (${message(error)}); keeping the previous value`);
      }
      return previous;
    }
  }
}
