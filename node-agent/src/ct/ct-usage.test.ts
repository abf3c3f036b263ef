// Rates and CPUs of a container's usage, from two counter readings and its config.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNetDev } from '../metrics/proc-parse';
import { CtUsage, ctMaxcpu, usageRates, vethTraffic } from './ct-usage';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('container usage', () => {
  it("counts PVE's CPUs: cores, else the node's, lowered by cpulimit", () => {
    expect(ctMaxcpu({ cpulimit: 0 }, 8)).toBe(8);
    expect(ctMaxcpu({ cores: 2, cpulimit: 0 }, 8)).toBe(2);
    expect(ctMaxcpu({ cores: 2, cpulimit: 0.5 }, 8)).toBe(0.5);
    expect(ctMaxcpu({ cores: 2, cpulimit: 4 }, 8)).toBe(2);
  });

  it('turns counters into per-second rates and CPU into a fraction of maxcpu', () => {
    const before = { at: 10_000, cpuNs: 1e9, netin: 1000, netout: 500, read: 0, write: 4096 };
    const after = { at: 20_000, cpuNs: 6e9, netin: 11_000, netout: 2500, read: 40_960, write: 4096 };
    expect(usageRates(before, after, 1)).toEqual({ cpu: 0.5, netin: 1000, netout: 200, diskread: 4096, diskwrite: 0 });
    expect(usageRates(before, after, 2).cpu).toBe(0.25);
    // More CPU time than the interval allows (a cpulimit just lowered): capped at 1.
    expect(usageRates(before, { ...after, cpuNs: 100e9 }, 1).cpu).toBe(1);
  });

  it('has no rates without an earlier reading, and counts a counter that went back as 0', () => {
    const now = { at: 5000, cpuNs: 5, netin: 5, netout: 5, read: 5, write: 5 };
    expect(usageRates(undefined, now, 1)).toEqual({ cpu: 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0 });
    expect(usageRates(now, now, 1).cpu).toBe(0);
    expect(usageRates({ ...now, at: 4000, netin: 100 }, now, 1).netin).toBe(0);
  });

  it("sums its own veths' host ends, the host's tx as the container's in", () => {
    const netDev = parseNetDev(
      [
        'Inter-|   Receive                                                |  Transmit',
        ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
        'veth230i0:    1000      10    0    0    0     0          0         0     5000      50    0    0    0     0       0          0',
        'veth230i1:     200       2    0    0    0     0          0         0      300       3    0    0    0     0       0          0',
        'veth2300i0:   9999      99    0    0    0     0          0         0     9999      99    0    0    0     0       0          0',
        ' vmbr0: 123 1 0 0 0 0 0 0 456 1 0 0 0 0 0 0',
      ].join('\n'),
    );
    expect(vethTraffic(netDev, 230)).toEqual({ netin: 5300, netout: 1200 });
    expect(vethTraffic(netDev, 231)).toEqual({ netin: 0, netout: 0 });
  });
});

describe('CtUsage on a real process', () => {
  // This test's own process stands in for a container's init: its cgroups, its root file system, its start time.
  it('samples into a history that survives a restart, with disk from statfs of the root and an uptime', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hd-ct-usage-'));
    dirs.push(dataDir);
    let t = Date.UTC(2025, 0, 1, 12, 0, 0);
    const usage = new CtUsage({ dataDir, log: () => undefined, now: () => t });
    const running = [{ vmid: 239, pid: process.pid, maxcpu: 1, maxmem: 512 * 1024 * 1024 }];
    await usage.sample(running);
    t += 10_000;
    const values = (await usage.sample(running)).get(239);
    expect(values?.maxdisk).toBeGreaterThan(0);
    expect(values?.disk).toBeGreaterThan(0);
    expect(values?.disk).toBeLessThanOrEqual(values?.maxdisk ?? 0);
    expect(values?.cpu).toBeGreaterThanOrEqual(0);
    expect(values?.cpu).toBeLessThanOrEqual(1);
    expect(values?.uptime).toBeGreaterThanOrEqual(0);
    const { step, points } = await usage.metrics(239, 'hour', 'average');
    expect(step).toBe(10);
    expect(points.map((point) => point.t)).toEqual([t - 10_000, t]);
    expect(points[1]).toMatchObject({ maxmem: 512 * 1024 * 1024, disk: values?.disk, maxdisk: values?.maxdisk });
    await usage.dispose();
    const reloaded = new CtUsage({ dataDir, log: () => undefined, now: () => t });
    expect((await reloaded.metrics(239, 'hour', 'average')).points).toEqual(points);
    // A container that is gone is dropped from memory, its file left to whoever destroys it.
    reloaded.retain(new Set());
    expect((await reloaded.current(239, process.pid)).maxdisk).toBeGreaterThan(0);
  });
});
