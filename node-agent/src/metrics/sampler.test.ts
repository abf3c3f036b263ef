import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsPoint, NodeStatus } from '../api/node';
import { agentPaths, type AgentPaths } from '../daemon/paths';
import { decodeHistory, historyFile } from './history-file';
import { parseCpuinfo, parseMeminfo } from './proc-parse';
import { MetricsSampler } from './sampler';

const T0 = Math.floor(1_700_000_000_000 / 1_800_000) * 1_800_000;
const INTERVAL = 40;

let dir: string;
let paths: AgentPaths;
const samplers: MetricsSampler[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-sampler-'));
  paths = agentPaths({ HYPERDESK_ROOT: dir, HYPERDESK_NODE: 'n1' });
});
afterEach(async () => {
  await Promise.all(samplers.splice(0).map((s) => s.dispose()));
  await rm(dir, { recursive: true, force: true });
});

/** A sampler on the real /proc whose clock moves 10 s per sample, so each sample gets its own history slot. */
const makeSampler = (clock: { t: number }) => {
  const sampler = new MetricsSampler({ paths, intervalMs: INTERVAL, now: () => clock.t });
  samplers.push(sampler);
  sampler.onSample(() => {
    clock.t += 10_000;
  });
  return sampler;
};

/** Resolves with the next n samples (waits on the event, not on time). */
const nextSamples = (sampler: MetricsSampler, n: number) =>
  new Promise<MetricsPoint[]>((resolve) => {
    const points: MetricsPoint[] = [];
    const off = sampler.onSample((_status, point) => {
      points.push(point);
      if (points.length === n) {
        off();
        resolve(points);
      }
    });
  });

const pollUntil = async (what: string, check: () => Promise<boolean>, deadlineMs = 5000) => {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe('MetricsSampler', () => {
  it('has a status as soon as start resolves, read from the real /proc', async () => {
    const sampler = makeSampler({ t: T0 });
    expect(sampler.latest()).toBeUndefined();
    await sampler.start();
    const latest = sampler.latest();
    expect(latest).toBeDefined();
    const status = NodeStatus.parse(latest?.status);
    const point = MetricsPoint.parse(latest?.point);
    expect(status.node).toBe('n1');
    expect(status.time).toBe(T0);
    expect(status.memory.total).toBe(parseMeminfo(await readFile('/proc/meminfo', 'utf8')).memTotal);
    expect(status.cpus).toBe(parseCpuinfo(await readFile('/proc/cpuinfo', 'utf8')).count);
    expect(status.uptime).toBeGreaterThan(0);
    expect(status.rootfs.total).toBeGreaterThan(0);
    expect(point.t).toBe(T0);
    expect(point.cpu).toBeGreaterThanOrEqual(0);
    expect(point.cpu).toBeLessThanOrEqual(1);
  });

  it('samples on its interval, records history, persists after six samples and reloads it after a restart', async () => {
    const clock = { t: T0 };
    const first = makeSampler(clock);
    const six = nextSamples(first, 6);
    await first.start();
    const points = await six;
    expect(first.latest()?.point).toEqual(points.at(-1));
    // Start's sample, then five from the timer, each 10 s later on the fake clock.
    expect(points.map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5].map((k) => T0 + k * 10_000));
    const file = historyFile(paths.data);
    expect(file).toBe(join(dir, 'var/lib/hyperdesk/metrics/node.rrd'));
    // The sixth sample triggers a save.
    await pollUntil('the history file', () =>
      access(file).then(
        () => true,
        () => false,
      ),
    );
    const hour = first.history('hour', 'average');
    expect(hour.step).toBe(10);
    expect(hour.points.slice(0, 6).map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5].map((k) => T0 + k * 10_000));
    await first.dispose();
    const saved = first.history('day', 'max').points;
    expect(decodeHistory(await readFile(file)).query('day', 'max', clock.t).points).toEqual(saved);

    const firstCount = { n: 0 };
    first.onSample(() => firstCount.n++);
    const second = makeSampler(clock);
    const two = nextSamples(second, 2);
    await second.start();
    await two;
    expect(firstCount.n).toBe(0);
    const reloaded = second.history('day', 'max').points;
    expect(reloaded.slice(0, saved.length)).toEqual(saved);
    // Start's sample and one from the timer, each in a new slot.
    expect(reloaded).toHaveLength(saved.length + 2);
  });

  it('keeps sampling when a listener throws', async () => {
    const sampler = makeSampler({ t: T0 });
    sampler.onSample(() => {
      throw new Error('listener bug');
    });
    const three = nextSamples(sampler, 3);
    await sampler.start();
    expect(await three).toHaveLength(3);
  });

  it('does not overwrite saved history when disposed before start finishes', async () => {
    const clock = { t: T0 };
    const first = makeSampler(clock);
    await first.start();
    await first.dispose();
    const file = historyFile(paths.data);
    const before = await readFile(file);
    const second = makeSampler(clock);
    const starting = second.start();
    await second.dispose();
    await starting;
    expect((await readFile(file)).equals(before)).toBe(true);
    expect(decodeHistory(before).query('hour', 'average', clock.t).points).toHaveLength(1);
  });
});
