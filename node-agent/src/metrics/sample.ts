// Turns two raw readings of the node's counters into a MetricsPoint (rates per second) and a NodeStatus.
import { hostname, release } from 'node:os';
import type { MetricsPoint, NodeStatus } from '../api/node';
import { AGENT_VERSION } from '../version';
import type { CpuInfo, CpuTimes, FsUsage, MemInfo } from './proc-parse';

/** Everything read from /proc and statfs at one instant. Counters are cumulative since boot. */
export interface RawReading {
  /** Wall clock, ms since the epoch: what the point and status are stamped with. */
  time: number;
  /** Monotonic clock, ms: what rates are computed over, since the wall clock may jump. */
  mono: number;
  cpu: CpuTimes;
  memory: MemInfo;
  loadavg: [number, number, number];
  /** Seconds since boot. */
  uptime: number;
  /** Bytes received/sent on the counted interfaces (see countedInterfaces). */
  net: { rx: number; tx: number };
  /** Bytes read/written on whole disks. */
  disk: { read: number; write: number };
  rootfs: FsUsage;
}

/** What does not change between samples. */
export interface NodeIdentity {
  node: string;
  hostname: string;
  kernel: string;
  cpuModel: string;
  cpus: number;
  agentVersion: string;
}

export const nodeIdentity = (node: string, cpu: CpuInfo): NodeIdentity => ({
  node,
  hostname: hostname(),
  kernel: release(),
  cpuModel: cpu.model,
  cpus: Math.max(1, cpu.count),
  agentVersion: AGENT_VERSION,
});

/** Busy fraction of all CPUs between two readings, 0..1; 0 when no time passed. */
export const cpuBusy = (prev: CpuTimes, cur: CpuTimes): number => {
  const total = cur.total - prev.total;
  if (total <= 0) return 0;
  const busy = 1 - (cur.idle - prev.idle) / total;
  return Math.min(1, Math.max(0, busy));
};

/** Per-second rate of a cumulative counter; a counter that went backwards (reset, interface gone) counts as 0. */
const rate = (prev: number, cur: number, seconds: number): number =>
  seconds > 0 && cur >= prev ? (cur - prev) / seconds : 0;

export const toMetricsPoint = (prev: RawReading, cur: RawReading): MetricsPoint => {
  const seconds = (cur.mono - prev.mono) / 1000;
  return {
    t: cur.time,
    cpu: cpuBusy(prev.cpu, cur.cpu),
    load: cur.loadavg[0],
    memUsed: cur.memory.memUsed,
    memTotal: cur.memory.memTotal,
    swapUsed: cur.memory.swapUsed,
    swapTotal: cur.memory.swapTotal,
    netIn: rate(prev.net.rx, cur.net.rx, seconds),
    netOut: rate(prev.net.tx, cur.net.tx, seconds),
    diskRead: rate(prev.disk.read, cur.disk.read, seconds),
    diskWrite: rate(prev.disk.write, cur.disk.write, seconds),
    rootUsed: cur.rootfs.used,
    rootTotal: cur.rootfs.total,
  };
};

export const toNodeStatus = (identity: NodeIdentity, prev: RawReading, cur: RawReading): NodeStatus => ({
  ...identity,
  cpu: cpuBusy(prev.cpu, cur.cpu),
  loadavg: cur.loadavg,
  uptime: cur.uptime,
  // "free" is what the node can still hand out: MemAvailable, so used + free = total.
  memory: { total: cur.memory.memTotal, used: cur.memory.memUsed, free: cur.memory.memAvailable },
  swap: { total: cur.memory.swapTotal, used: cur.memory.swapUsed },
  rootfs: cur.rootfs,
  time: cur.time,
});

/** Both views of one sample interval. */
export const toSample = (
  identity: NodeIdentity,
  prev: RawReading,
  cur: RawReading,
): { status: NodeStatus; point: MetricsPoint } => ({
  status: toNodeStatus(identity, prev, cur),
  point: toMetricsPoint(prev, cur),
});
