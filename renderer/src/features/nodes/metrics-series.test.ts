import { describe, expect, it } from 'vitest';
import type { MetricsPoint } from '../../../../node-agent/src/api';
import {
  appendPoint,
  chartColumns,
  chartUnit,
  pointFromMetrics,
  scaleColumns,
  type ChartPoint,
} from './metrics-series';

const metrics = (t: number, cpu = 0.25): MetricsPoint => ({
  t,
  cpu,
  load: 1,
  memUsed: 2048,
  memTotal: 4096,
  swapUsed: 0,
  swapTotal: 0,
  netIn: 100,
  netOut: 200,
  diskRead: 300,
  diskWrite: 400,
  rootUsed: 1,
  rootTotal: 2,
});

describe('metrics series', () => {
  it('turns metrics times (ms by contract) into chart seconds', () => {
    expect(pointFromMetrics(metrics(1_764_000_000_000)).t).toBe(1_764_000_000);
  });

  it('builds CPU columns in percent and keeps gaps as null', () => {
    const gap: ChartPoint = { ...pointFromMetrics(metrics(110_000, 0.1)), netIn: null, netOut: null };
    const points: ChartPoint[] = [pointFromMetrics(metrics(100_000, 0.5)), { ...gap, memUsed: 3, memTotal: 8 }];
    expect(chartColumns(points, 'cpu')).toEqual([
      [100, 110],
      [50, 10],
    ]);
    expect(chartColumns(points, 'network')).toEqual([
      [100, 110],
      [100, null],
      [200, null],
    ]);
    expect(chartColumns(points, 'memory')).toEqual([
      [100, 110],
      [2048, 3],
      [4096, 8],
    ]);
  });

  it('appends only newer live points and drops those that left the window', () => {
    const history = [100_000, 200_000, 300_000].map((t) => pointFromMetrics(metrics(t)));
    expect(appendPoint(history, pointFromMetrics(metrics(300_000, 0.2)), 3600)).toBe(history);
    const next = appendPoint(history, pointFromMetrics(metrics(350_000, 0.2)), 200);
    expect(next.map((p) => p.t)).toEqual([200, 300, 350]);
    expect(appendPoint([], pointFromMetrics(metrics(5_000, 0.2)), 60).map((p) => p.t)).toEqual([5]);
  });
});

describe('chart units', () => {
  it('picks binary units for memory and decimal units for rates, from the maximum', () => {
    const GiB = 1024 ** 3;
    expect(chartUnit('memory', [[1], [3 * GiB], [16 * GiB]])).toEqual({ factor: GiB, suffix: 'GiB' });
    expect(
      chartUnit('network', [
        [1, 2],
        [1_500_000, null],
        [20_000, 0],
      ]),
    ).toEqual({ factor: 1_000_000, suffix: 'MB/s' });
    expect(chartUnit('disk', [[1], [null], [null]])).toEqual({ factor: 1, suffix: 'B/s' });
    expect(chartUnit('cpu', [[1], [95]])).toEqual({ factor: 1, suffix: '%' });
  });

  it('scales every series but not the time column', () => {
    expect(
      scaleColumns(
        [
          [10, 20],
          [2048, null],
        ],
        1024,
      ),
    ).toEqual([
      [10, 20],
      [2, null],
    ]);
  });
});
