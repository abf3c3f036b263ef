// A running container's usage and its history, as PVE's pvestatd keeps them: CPU, memory (without page cache), swap
// and block I/O from its cgroup, its root file system's fill from statfs of the init's root (any storage), network
// from the host ends of its veths (veth<ctid>iN: what the host sends is what the container receives), uptime from
// its init. Every node sample (10 s) turns counters into rates and adds a point to the container's RRD history.
import { readFile, statfs } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { AppError } from '../api/errors';
import type { ParsedParams, Result } from '../api';
import type { Consolidation, Timeframe } from '../api/node';
import { RrdHistory, type RrdPoint } from '../metrics/history';
import { loadHistory, saveHistory } from '../metrics/history-file';
import { fsUsage, parseNetDev } from '../metrics/proc-parse';
import { guestHistoryFile } from '../vm/vm-usage';
import { cgroupLayout, parseCgroupMounts, parseProcCgroup, readCgroupCounters, readCgroupMemory, type CgroupLayout, type CgroupMounts } from './cgroup-usage';
import type { CtService } from './ct-service';
import { processStartedAt } from './process-start';

export const CT_FIELDS = ['cpu', 'mem', 'maxmem', 'disk', 'maxdisk', 'netin', 'netout', 'diskread', 'diskwrite'] as const;
export type CtField = (typeof CT_FIELDS)[number];

/** What a running container's status carries beyond its config. */
export interface CtUsageValues {
  cpu: number;
  mem: number;
  swap: number;
  disk: number;
  maxdisk: number;
  uptime: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
}

type Rates = Pick<CtUsageValues, 'cpu' | 'netin' | 'netout' | 'diskread' | 'diskwrite'>;

/** Cumulative counters at one instant; `at` is the monotonic clock (ms), as rates must not follow wall-clock jumps. */
export interface CtCounters {
  at: number;
  cpuNs: number;
  netin: number;
  netout: number;
  read: number;
  write: number;
}

interface Tracked {
  pid: number;
  startedAt: number;
  layout: CgroupLayout | undefined;
  last?: CtCounters;
  rates: Rates;
}

const NO_RATES: Rates = { cpu: 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0 };

/** PVE's CPUs of a container: its cores (else the node's), capped by cpulimit where that is lower. */
export const ctMaxcpu = (ct: { cores?: number; cpulimit: number }, nodeCpus: number): number => {
  const cores = ct.cores ?? nodeCpus;
  return ct.cpulimit > 0 && ct.cpulimit < cores ? ct.cpulimit : cores;
};

/** Rates per second between two readings; CPU as the busy fraction of maxcpu. A counter that went back counts 0. */
export const usageRates = (before: CtCounters | undefined, now: CtCounters, maxcpu: number): Rates => {
  const seconds = before === undefined ? 0 : (now.at - before.at) / 1000;
  if (before === undefined || seconds <= 0) return NO_RATES;
  const rate = (a: number, b: number) => (b >= a ? (b - a) / seconds : 0);
  return {
    cpu: Math.min(1, rate(before.cpuNs, now.cpuNs) / 1e9 / Math.max(maxcpu, 0.01)),
    netin: rate(before.netin, now.netin),
    netout: rate(before.netout, now.netout),
    diskread: rate(before.read, now.read),
    diskwrite: rate(before.write, now.write),
  };
};

/** Bytes through a container's host-side veths (veth<ctid>iN); the host's tx is the container's in. */
export const vethTraffic = (netDev: ReturnType<typeof parseNetDev>, ctid: number): { netin: number; netout: number } => {
  const own = new RegExp(`^veth${ctid}i\\d+$`);
  let netin = 0;
  let netout = 0;
  for (const counters of netDev) {
    if (!own.test(counters.name)) continue;
    netin += counters.txBytes;
    netout += counters.rxBytes;
  }
  return { netin, netout };
};

export interface CtUsageOptions {
  /** The agent's data folder: histories live in <data>/metrics/guest-<vmid>.rrd, beside the VMs'. */
  dataDir: string;
  log: (line: string) => void;
  now?: () => number;
}

/** A running container, as the sampler sees it. */
export interface RunningCt {
  vmid: number;
  pid: number;
  maxcpu: number;
  maxmem: number;
}

const SAVE_EVERY = 6;

export class CtUsage {
  private readonly tracked = new Map<number, Tracked>();
  private readonly histories = new Map<number, RrdHistory<CtField>>();
  private mounts: Promise<CgroupMounts> | undefined;
  private samples = 0;

  constructor(private readonly options: CtUsageOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The node's cgroup mounts, read once (they do not move while the agent runs). */
  private cgroupMounts(): Promise<CgroupMounts> {
    return (this.mounts ??= readFile('/proc/self/mountinfo', 'utf8').then(parseCgroupMounts, (): CgroupMounts => ({ v1: new Map() })));
  }

  /** The container's running init: the same one as before, or a new one (started again) with fresh counters. */
  private async track(vmid: number, pid: number): Promise<Tracked> {
    const known = this.tracked.get(vmid);
    if (known?.pid === pid && known.layout !== undefined) return known;
    const procCgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
    const entry: Tracked = {
      pid,
      startedAt: known?.pid === pid ? known.startedAt : await processStartedAt(pid, this.now()),
      layout: cgroupLayout(await this.cgroupMounts(), parseProcCgroup(procCgroup), vmid),
      rates: known?.pid === pid ? known.rates : NO_RATES,
      ...(known?.pid === pid && known.last ? { last: known.last } : {}),
    };
    this.tracked.set(vmid, entry);
    return entry;
  }

  /** The fill of the container's root file system, from the init's own view of it. */
  private static async rootfs(pid: number): Promise<{ disk: number; maxdisk: number }> {
    try {
      const usage = fsUsage(await statfs(`/proc/${pid}/root`));
      return { disk: usage.used, maxdisk: usage.total };
    } catch {
      return { disk: 0, maxdisk: 0 };
    }
  }

  private uptime(entry: Tracked): number {
    return Math.max(0, Math.round((this.now() - entry.startedAt) / 1000));
  }

  /** A running container's usage now: memory, disk and uptime read afresh, rates from the last sample. */
  async current(vmid: number, pid: number): Promise<CtUsageValues> {
    const entry = await this.track(vmid, pid);
    const [memory, rootfs] = await Promise.all([entry.layout ? readCgroupMemory(entry.layout) : { mem: 0, swap: 0 }, CtUsage.rootfs(pid)]);
    return { ...entry.rates, ...memory, ...rootfs, uptime: this.uptime(entry) };
  }

  /** One sample of every running container (the node sampler's tick): rates, history points; the values by vmid. */
  async sample(running: readonly RunningCt[]): Promise<Map<number, CtUsageValues>> {
    const t = this.now();
    const at = performance.now();
    const netDev = parseNetDev(await readFile('/proc/net/dev', 'utf8').catch(() => ''));
    const values = new Map<number, CtUsageValues>();
    for (const vmid of this.tracked.keys()) if (!running.some((ct) => ct.vmid === vmid)) this.tracked.delete(vmid);
    for (const ct of running) {
      try {
        const entry = await this.track(ct.vmid, ct.pid);
        const [counters, rootfs] = await Promise.all([
          entry.layout ? readCgroupCounters(entry.layout) : { cpuNs: 0, mem: 0, swap: 0, read: 0, write: 0 },
          CtUsage.rootfs(ct.pid),
        ]);
        const now: CtCounters = { at, cpuNs: counters.cpuNs, read: counters.read, write: counters.write, ...vethTraffic(netDev, ct.vmid) };
        entry.rates = usageRates(entry.last, now, ct.maxcpu);
        entry.last = now;
        const usage: CtUsageValues = { ...entry.rates, mem: counters.mem, swap: counters.swap, ...rootfs, uptime: this.uptime(entry) };
        values.set(ct.vmid, usage);
        (await this.history(ct.vmid)).add({ t, ...entry.rates, mem: usage.mem, maxmem: ct.maxmem, disk: usage.disk, maxdisk: usage.maxdisk });
      } catch (error) {
        this.options.log(`CT ${ct.vmid}: no usage sample: ${AppError.from(error).message}`);
      }
    }
    this.samples += 1;
    if (this.samples % SAVE_EVERY === 0) await this.save();
    return values;
  }

  /** Drop what is held for containers that no longer exist (their history file is the destroyer's to remove). */
  retain(vmids: ReadonlySet<number>): void {
    for (const vmid of [...this.tracked.keys()]) if (!vmids.has(vmid)) this.tracked.delete(vmid);
    for (const vmid of [...this.histories.keys()]) if (!vmids.has(vmid)) this.histories.delete(vmid);
  }

  async metrics(vmid: number, timeframe: Timeframe, cf: Consolidation): Promise<{ step: number; points: RrdPoint<CtField>[] }> {
    return (await this.history(vmid)).query(timeframe, cf, this.now());
  }

  private async history(vmid: number): Promise<RrdHistory<CtField>> {
    let history = this.histories.get(vmid);
    if (!history) {
      history = await loadHistory(guestHistoryFile(this.options.dataDir, vmid), this.options.log, () => this.now(), () => new RrdHistory<CtField>(CT_FIELDS));
      this.histories.set(vmid, history);
    }
    return history;
  }

  async save(): Promise<void> {
    for (const [vmid, history] of this.histories) await saveHistory(guestHistoryFile(this.options.dataDir, vmid), history).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    await this.save();
    this.tracked.clear();
  }
}

/** ct.metrics: the container must exist; a container that never ran has an empty history. */
export const ctMetrics = async (cts: CtService, request: ParsedParams<'ct.metrics'>): Promise<Result<'ct.metrics'>> => {
  await cts.store.read(request.vmid);
  return cts.usage.metrics(request.vmid, request.timeframe, request.cf);
};
