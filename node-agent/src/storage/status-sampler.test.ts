import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { StorageStatusEntry } from '../api/storage';
import { agentPaths, type AgentPaths } from '../daemon/paths';
import { tempDirForTest } from '../fs/temp-dir';
import { decodeHistory, storageHistoryFile } from '../metrics/history-file';
import { RrdHistory } from '../metrics/history';
import { MetricsSampler } from '../metrics/sampler';
import { STORAGE_FIELDS, StorageStatusSampler, type SampledStorage, type StorageStatusSource } from './status-sampler';

/** A 30-minute boundary, so every archive's slots start here. */
const T0 = Math.floor(1_700_000_000_000 / 1_800_000) * 1_800_000;
const S = 1000;

let dir: string;
let paths: AgentPaths;
const samplers: { dispose(): Promise<void> }[] = [];

beforeEach(async () => {
  dir = await tempDirForTest('hd-storage-sampler-');
  paths = agentPaths({ HYPERDESK_ROOT: dir, HYPERDESK_NODE: 'n1' });
});
afterEach(async () => {
  await Promise.all(samplers.splice(0).map((s) => s.dispose()));
});

const defined = (id: string, enabled = true): SampledStorage => ({ id, type: 'dir', content: ['images'], enabled });
const active = (id: string, used: number): StorageStatusEntry => ({
  storage: id,
  type: 'dir',
  content: ['images'],
  enabled: true,
  total: 1000,
  used,
  avail: 1000 - used,
  active: true,
});

/** A source whose storages and answers the test changes between samples; `hang` never answers. */
const fakeSource = () => {
  const state = {
    storages: [defined('local'), defined('tank')] as SampledStorage[],
    used: new Map<string, number | 'hang' | 'fail' | 'inactive'>([
      ['local', 100],
      ['tank', 400],
    ]),
    asked: [] as string[],
    signals: new Map<string, AbortSignal>(),
  };
  const source: StorageStatusSource = {
    storages: () => Promise.resolve(state.storages),
    status: (storage, signal) => {
      state.asked.push(storage);
      state.signals.set(storage, signal);
      const used = state.used.get(storage);
      if (used === 'hang') return new Promise(() => undefined);
      if (used === 'fail' || used === undefined) return Promise.reject(new AppError('command-failed', 'mount point is gone'));
      if (used === 'inactive') return Promise.resolve({ ...active(storage, 0), active: false });
      return Promise.resolve(active(storage, used));
    },
  };
  return { state, source };
};

const makeSampler = (source: StorageStatusSource, clock: { t: number }, timeoutMs = 5000) => {
  const lines: string[] = [];
  const sampler = new StorageStatusSampler({
    source,
    dataDir: paths.data,
    timeoutMs,
    now: () => clock.t,
    log: (line) => lines.push(line),
  });
  samplers.push(sampler);
  return { sampler, lines };
};

describe('StorageStatusSampler', () => {
  it('samples the enabled storages and keeps average and max per storage, stamped at slot starts', async () => {
    const { state, source } = fakeSource();
    state.storages.push(defined('off', false));
    const clock = { t: T0 };
    const { sampler } = makeSampler(source, clock);
    const events: StorageStatusEntry[][] = [];
    sampler.onSample((storages) => events.push(storages));
    for (const [offset, used] of [
      [1, 100],
      [4, 300],
      [12, 500],
    ] as const) {
      clock.t = T0 + offset * S;
      state.used.set('local', used);
      await sampler.sample(clock.t);
    }
    expect(state.asked).not.toContain('off');
    expect(events).toHaveLength(3);
    expect(events[2]?.map((entry) => entry.storage)).toEqual(['local', 'tank']);
    expect(events[2]?.map((entry) => StorageStatusEntry.parse(entry).used)).toEqual([500, 400]);
    expect(sampler.latest()).toEqual(events[2]);
    expect(await sampler.history('local', 'hour', 'average')).toEqual({
      step: 10,
      points: [
        { t: T0, total: 1000, used: 200, avail: 800 },
        { t: T0 + 10 * S, total: 1000, used: 500, avail: 500 },
      ],
    });
    expect((await sampler.history('local', 'hour', 'max')).points[0]).toEqual({ t: T0, total: 1000, used: 300, avail: 900 });
    expect((await sampler.history('tank', 'week', 'average')).points).toEqual([{ t: T0, total: 1000, used: 400, avail: 600 }]);
    expect((await sampler.history('off', 'hour', 'average')).points).toEqual([]);
  });

  it('reports a hung storage inactive after its deadline, aborted, without holding up the others', async () => {
    const { state, source } = fakeSource();
    state.used.set('tank', 'hang');
    const clock = { t: T0 };
    const { sampler } = makeSampler(source, clock, 50);
    const started = Date.now();
    const storages = await sampler.sample(T0);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(storages.find((entry) => entry.storage === 'local')).toMatchObject({ active: true, used: 100 });
    const tank = storages.find((entry) => entry.storage === 'tank');
    expect(tank).toMatchObject({ active: false, enabled: true, total: 0, used: 0, avail: 0 });
    expect(tank?.error).toMatch(/storage tank did not report its status within 0.05 s/);
    expect(state.signals.get('tank')?.aborted).toBe(true);
    expect(state.signals.get('local')?.aborted).toBe(false);
    // Inactive samples are gaps, not zeros.
    expect((await sampler.history('tank', 'hour', 'average')).points).toEqual([]);
  });

  it('reports a storage whose status fails inactive with the reason, and records nothing for it', async () => {
    const { state, source } = fakeSource();
    state.used.set('tank', 'fail');
    state.used.set('local', 'inactive');
    const { sampler } = makeSampler(source, { t: T0 });
    const storages = await sampler.sample(T0);
    expect(storages.map((entry) => [entry.storage, entry.active])).toEqual([
      ['local', false],
      ['tank', false],
    ]);
    expect(storages[1]?.error).toBe('storage tank: mount point is gone');
    expect((await sampler.history('local', 'hour', 'average')).points).toEqual([]);
  });

  it('does not delay the node sample while a storage hangs', async () => {
    const { state, source } = fakeSource();
    state.used.set('local', 'hang');
    state.used.set('tank', 'hang');
    const { sampler: storages } = makeSampler(source, { t: T0 }, 60_000);
    const node = new MetricsSampler({ paths, intervalMs: 40 });
    samplers.unshift(node);
    // As the daemon wires it: each node sample starts a storage sample, not awaited.
    node.onSample((_status, point) => void storages.sample(point.t));
    let storageSamples = 0;
    storages.onSample(() => storageSamples++);
    await node.start();
    const three = new Promise<number>((resolve) => {
      let n = 0;
      const off = node.onSample(() => {
        if (++n < 3) return;
        off();
        resolve(n);
      });
    });
    expect(await three).toBe(3);
    // Node samples went on while the first storage sample still waits on both storages.
    expect(storageSamples).toBe(0);
    expect(state.asked).toEqual(['local', 'tank']);
    await node.dispose();
    samplers.splice(samplers.indexOf(node), 1);
    // The storage sampler is left hanging on purpose; its dispose would wait for the 60 s deadline.
    samplers.splice(samplers.indexOf(storages), 1);
  });

  it('persists each storage history beside the node history and reloads it', async () => {
    const { source } = fakeSource();
    const clock = { t: T0 };
    const { sampler: first } = makeSampler(source, clock);
    for (let k = 0; k < 6; k++) {
      clock.t = T0 + k * 10 * S;
      await first.sample(clock.t);
    }
    await first.dispose();
    const file = storageHistoryFile(paths.data, 'local');
    expect(file).toBe(join(dir, 'var/lib/hyperdesk/metrics/storage-local.rrd'));
    const saved = decodeHistory(await readFile(file), [...new RrdHistory(STORAGE_FIELDS).archives], () => new RrdHistory(STORAGE_FIELDS));
    expect(saved.query('hour', 'average', clock.t).points).toHaveLength(6);
    const { sampler: second } = makeSampler(source, clock);
    expect((await second.history('local', 'hour', 'average')).points).toEqual(
      (await first.history('local', 'hour', 'average')).points,
    );
  });

  it('removes the history of a storage gone from storage.cfg, saved or only loaded', async () => {
    const { state, source } = fakeSource();
    const clock = { t: T0 };
    const { sampler: first } = makeSampler(source, clock);
    await first.sample(T0);
    await first.dispose();
    const tankFile = storageHistoryFile(paths.data, 'tank');
    await access(tankFile);
    // Removed while the agent was down: the next agent's first sample removes the file.
    state.storages = [defined('local')];
    const { sampler: second } = makeSampler(source, clock);
    await second.sample(T0 + 10 * S);
    await expect(access(tankFile)).rejects.toThrow(/ENOENT/);
    await expect(access(storageHistoryFile(paths.data, 'local'))).resolves.toBeUndefined();
    // Removed while loaded: gone from memory and disk, and a later storage of that name starts afresh.
    state.storages = [];
    await second.sample(T0 + 20 * S);
    await second.dispose();
    await expect(access(storageHistoryFile(paths.data, 'local'))).rejects.toThrow(/ENOENT/);
    expect((await second.history('local', 'day', 'average')).points).toEqual([]);
  });

  it('moves a damaged history aside and starts empty', async () => {
    const { source } = fakeSource();
    const file = storageHistoryFile(paths.data, 'local');
    await mkdir(join(paths.data, 'metrics'), { recursive: true });
    await writeFile(file, 'not a history');
    const { sampler, lines } = makeSampler(source, { t: T0 });
    expect((await sampler.history('local', 'hour', 'average')).points).toEqual([]);
    expect(lines.join('\n')).toMatch(/storage-local\.rrd is unusable .*moved aside/);
  });
});
