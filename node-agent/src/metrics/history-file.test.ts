import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricsPoint } from '../api/node';
import { DEFAULT_ARCHIVES, MetricsHistory, METRIC_FIELDS, RrdHistory } from './history';
import { decodeHistory, encodeHistory, historyFile, loadHistory, saveHistory } from './history-file';
import { tempDirForTest } from '../fs/temp-dir';

const T0 = Math.floor(1_700_000_000_000 / 1_800_000) * 1_800_000;

const point = (t: number, v: number): MetricsPoint => {
  const p = { t } as MetricsPoint;
  METRIC_FIELDS.forEach((key, i) => {
    p[key] = v * (i + 1) + 0.125;
  });
  return p;
};

const filled = (): MetricsHistory => {
  const history = new MetricsHistory();
  for (let i = 0; i < 500; i++) history.add(point(T0 + i * 7_000, (i * 37) % 101));
  return history;
};

const NOW = T0 + 499 * 7_000;
const everything = (h: MetricsHistory) =>
  (['hour', 'day', 'week', 'month'] as const).flatMap((tf) =>
    (['average', 'max'] as const).map((cf) => h.query(tf, cf, NOW)),
  );

let dir: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-metrics-');
});

describe('history file', () => {
  it('lives at <data>/metrics/node.rrd', () => {
    expect(historyFile('/r/var/lib/hyperdesk')).toBe('/r/var/lib/hyperdesk/metrics/node.rrd');
  });

  it('round-trips every archive exactly through save and load', async () => {
    const history = filled();
    const file = historyFile(dir);
    await saveHistory(file, history);
    const logs: string[] = [];
    const loaded = await loadHistory(file, (line) => logs.push(line));
    expect(everything(loaded)).toEqual(everything(history));
    expect(everything(loaded)[0]?.points.length).toBeGreaterThan(300);
    expect(logs).toEqual([]);
    // No temporary file left behind; the file is compact.
    expect(await readdir(join(dir, 'metrics'))).toEqual(['node.rrd']);
    expect((await stat(file)).size).toBeLessThan(3 * 1024 * 1024);
  });

  it('replaces the previous file atomically on a second save', async () => {
    const file = historyFile(dir);
    await saveHistory(file, new MetricsHistory());
    const history = filled();
    await saveHistory(file, history);
    expect(everything(decodeHistory(await readFile(file)))).toEqual(everything(history));
  });

  it('starts empty and silent when there is no file', async () => {
    const logs: string[] = [];
    const loaded = await loadHistory(historyFile(dir), (line) => logs.push(line));
    expect(loaded.query('day', 'average', NOW).points).toEqual([]);
    expect(logs).toEqual([]);
  });

  it.each([
    ['garbage', () => Buffer.from('{"not":"a history"}')],
    ['a truncated file', () => encodeHistory(filled()).subarray(0, 100_000)],
    [
      'a flipped byte',
      () => {
        const bytes = Buffer.from(encodeHistory(filled()));
        bytes[5000] = (bytes[5000] ?? 0) ^ 0xff;
        return bytes;
      },
    ],
  ])('moves %s aside as .corrupt-<time>, logs it and starts empty', async (_name, contents) => {
    const file = historyFile(dir);
    await saveHistory(file, new MetricsHistory());
    const bad = contents();
    await writeFile(file, bad);
    const logs: string[] = [];
    const loaded = await loadHistory(
      file,
      (line) => logs.push(line),
      () => Date.UTC(2026, 10, 26, 7, 0, 0, 5),
    );
    expect(loaded.query('day', 'average', NOW).points).toEqual([]);
    expect(await readdir(join(dir, 'metrics'))).toEqual(['node.rrd.corrupt-2026-11-26T07-00-00-005Z']);
    // Buffer.equals: vitest's deep equality walks 2.5 MB byte by byte.
    expect((await readFile(join(dir, 'metrics', 'node.rrd.corrupt-2026-11-26T07-00-00-005Z'))).equals(bad)).toBe(true);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/history .*node\.rrd is unusable .*moved aside/);
  });

  it('refuses a file written with another archive layout', () => {
    const other = new MetricsHistory([{ step: 10, slots: 60 }]);
    expect(() => decodeHistory(encodeHistory(other))).toThrow(/layout/);
  });

  it('round-trips a history of another field list and refuses to read it as the other', () => {
    const fields = ['total', 'used', 'avail'] as const;
    const storage = new RrdHistory(fields);
    for (let i = 0; i < 50; i++) storage.add({ t: T0 + i * 10_000, total: 1000, used: i, avail: 1000 - i });
    const file = encodeHistory(storage);
    const back = decodeHistory(file, DEFAULT_ARCHIVES, () => new RrdHistory(fields));
    expect(back.query('day', 'max', T0 + 490_000)).toEqual(storage.query('day', 'max', T0 + 490_000));
    expect(back.query('hour', 'average', T0 + 490_000).points[3]).toEqual({ t: T0 + 30_000, total: 1000, used: 3, avail: 997 });
    expect(() => decodeHistory(file)).toThrow(/layout/);
    expect(() => decodeHistory(encodeHistory(filled()), DEFAULT_ARCHIVES, () => new RrdHistory(fields))).toThrow(/layout/);
  });
});
