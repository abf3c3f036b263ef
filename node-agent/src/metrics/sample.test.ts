import { hostname, release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MetricsPoint, NodeStatus } from '../api/node';
import { AGENT_VERSION } from '../version';
import { diskIo, nodeTraffic, parseLoadavg, parseMeminfo, parseProcStat, parseUptime } from './proc-parse';
import { cpuBusy, nodeIdentity, toMetricsPoint, toSample, type RawReading } from './sample';
import { fixture } from './__fixtures__/captured';

/** A reading built from captured files; mono comes from /proc/uptime, which is what the captures share. */
const reading = (suffix: '' | '.later', time: number): RawReading => {
  const uptime = parseUptime(fixture(`uptime${suffix}.txt`));
  return {
    time,
    mono: uptime * 1000,
    cpu: parseProcStat(fixture(`stat${suffix}.txt`)),
    memory: parseMeminfo(fixture('meminfo.txt')),
    loadavg: parseLoadavg(fixture('loadavg.txt')),
    uptime,
    net: nodeTraffic(fixture(`net-dev.pve${suffix}.txt`)),
    disk: diskIo(fixture(`diskstats${suffix}.txt`)),
    rootfs: { total: 1000, used: 400, avail: 500 },
  };
};

const before = reading('', 1_700_000_000_000);
const after = reading('.later', 1_700_000_002_600);

describe('toMetricsPoint', () => {
  const point = toMetricsPoint(before, after);
  // 2.60 s between the captures (uptime 373.04 → 375.64).
  const seconds = 375.64 - 373.04;

  it('computes the CPU busy fraction from the jiffy deltas', () => {
    // total 74296 → 74813 (517 jiffies over 2 CPUs), idle+iowait 59403 → 59718 (315).
    expect(point.cpu).toBeCloseTo(1 - 315 / 517, 12);
  });

  it('turns disk sector counters into bytes per second', () => {
    // 64 MiB read and written with O_DIRECT between the captures.
    expect(point.diskRead).toBeCloseTo(((2095002 - 1963738) * 512) / seconds, 3);
    expect(point.diskWrite).toBeCloseTo(((4557952 - 4426752) * 512) / seconds, 3);
    expect(point.diskRead).toBeGreaterThan((64 * 1024 * 1024) / seconds);
  });

  it('turns the physical NIC counters into bytes per second', () => {
    expect(point.netIn).toBeCloseTo((7230 - 516) / seconds, 6);
    expect(point.netOut).toBeCloseTo((9604 - 2890) / seconds, 6);
  });

  it('copies gauges from the later reading', () => {
    expect(point).toMatchObject({
      t: 1_700_000_002_600,
      load: 0.37,
      memTotal: 24684092 * 1024,
      memUsed: (24684092 - 24268228) * 1024,
      swapUsed: 0,
      swapTotal: 0,
      rootUsed: 400,
      rootTotal: 1000,
    });
    expect(MetricsPoint.safeParse(point).success).toBe(true);
  });

  it('reports zero, not a negative rate, when a counter goes backwards', () => {
    const reset = { ...after, net: { rx: 10, tx: 10 }, disk: { read: 0, write: 0 } };
    expect(toMetricsPoint(before, reset)).toMatchObject({ netIn: 0, netOut: 0, diskRead: 0, diskWrite: 0 });
  });

  it('reports zero rates when no time passed', () => {
    expect(toMetricsPoint(after, { ...after, net: { rx: after.net.rx + 100, tx: 0 } }).netIn).toBe(0);
  });
});

describe('cpuBusy', () => {
  it('clamps to 0..1 and is 0 when no jiffies passed', () => {
    expect(cpuBusy({ total: 100, idle: 50 }, { total: 100, idle: 50 })).toBe(0);
    expect(cpuBusy({ total: 100, idle: 50 }, { total: 200, idle: 50 })).toBe(1);
    expect(cpuBusy({ total: 100, idle: 50 }, { total: 200, idle: 175 })).toBe(0);
  });
});

describe('toSample', () => {
  it('builds a NodeStatus that satisfies the contract', () => {
    const identity = nodeIdentity('n1', { model: 'Intel(R) Xeon(R) Processor', count: 2 });
    const { status, point } = toSample(identity, before, after);
    expect(NodeStatus.parse(status)).toEqual(status);
    expect(status).toMatchObject({
      node: 'n1',
      hostname: hostname(),
      kernel: release(),
      cpuModel: 'Intel(R) Xeon(R) Processor',
      cpus: 2,
      agentVersion: AGENT_VERSION,
      loadavg: [0.37, 0.46, 0.23],
      uptime: 375.64,
      memory: { total: 24684092 * 1024, used: (24684092 - 24268228) * 1024, free: 24268228 * 1024 },
      swap: { total: 0, used: 0 },
      rootfs: { total: 1000, used: 400, avail: 500 },
      time: 1_700_000_002_600,
    });
    expect(status.cpu).toBe(point.cpu);
  });

  it('never reports zero CPUs', () => {
    expect(nodeIdentity('n1', { model: 'unknown', count: 0 }).cpus).toBe(1);
  });
});
