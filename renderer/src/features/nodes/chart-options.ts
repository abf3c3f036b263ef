// uPlot options for the node charts: series, colors from the theme, localized labels, axes with units.
import type uPlot from 'uplot';
import { alpha } from '@mui/material/styles';
import type { Timeframe } from '../../../../node-agent/src/api';
import type { ChartOptions } from '../../components/uplot-chart';
import { formatDateTime, formatDecimal } from '../../i18n/format';
import type { Language, Translate } from '../../i18n/translate';
import { timeframeSeconds, type ChartKind, type ChartUnit } from './metrics-series';

export interface ChartColors {
  text: string;
  grid: string;
  cpu: string;
  memUsed: string;
  memTotal: string;
  netIn: string;
  netOut: string;
  diskRead: string;
  diskWrite: string;
}

export function chartColors(mode: 'light' | 'dark', text: string, grid: string, primary: string): ChartColors {
  const light = mode === 'light';
  return {
    text,
    grid,
    cpu: primary,
    memUsed: light ? '#7b52c7' : '#a98be6',
    memTotal: text,
    netIn: light ? '#1f8a5b' : '#4fc08d',
    netOut: light ? '#2a6cb0' : '#6ea8e6',
    diskRead: light ? '#c27c12' : '#e6a948',
    diskWrite: light ? '#b83a4f' : '#e07588',
  };
}

type SeriesSpec = { label: Parameters<Translate>[0]; color: keyof ChartColors; fill?: boolean; dash?: number[] };
const seriesOf: Record<ChartKind, SeriesSpec[]> = {
  cpu: [{ label: 'series.cpu', color: 'cpu', fill: true }],
  memory: [
    { label: 'series.memUsed', color: 'memUsed', fill: true },
    { label: 'series.memTotal', color: 'memTotal', dash: [4, 4] },
  ],
  network: [
    { label: 'series.netIn', color: 'netIn', fill: true },
    { label: 'series.netOut', color: 'netOut' },
  ],
  disk: [
    { label: 'series.diskRead', color: 'diskRead', fill: true },
    { label: 'series.diskWrite', color: 'diskWrite' },
  ],
};

const pad = (n: number) => String(n).padStart(2, '0');

/** The newest non-null value of a column: what the legend shows while the cursor is not over the chart. */
function latest(u: uPlot, seriesIndex: number): number | null {
  const column = u.data[seriesIndex];
  if (!column) return null;
  for (let i = column.length - 1; i >= 0; i--) {
    const v = column[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}
/** Time ticks: clock time within two days, month-day beyond (numeric, so the same in both languages). */
function timeTicks(timeframe: Timeframe) {
  const long = timeframe === 'week' || timeframe === 'month';
  return (_u: uPlot, splits: number[]) =>
    splits.map((s) => {
      const d = new Date(s * 1000);
      const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      if (long) return day;
      return d.getHours() === 0 && d.getMinutes() === 0 ? day : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    });
}

export function buildChartOptions(
  kind: ChartKind,
  unit: ChartUnit,
  colors: ChartColors,
  t: Translate,
  language: Language,
  timeframe: Timeframe,
  syncKey: string,
): ChartOptions {
  const font = '11px system-ui, sans-serif';
  const valueText = (v: number | null | undefined) =>
    v === null || v === undefined ? '–' : `${formatDecimal(v, language, v < 10 ? 2 : 1)} ${unit.suffix}`;
  const axis = {
    stroke: colors.text,
    font,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1, size: 4 },
  };
  return {
    cursor: { sync: { key: syncKey }, points: { size: 6 } },
    legend: { show: true, live: true },
    scales: {
      // Always the whole timeframe, ending at the newest sample, as PVE draws it: a new node's first points
      // sit at the right edge instead of being stretched over the width.
      x: {
        time: true,
        range: (_u, _min, max) => {
          const end = max ?? Date.now() / 1000;
          return [end - timeframeSeconds[timeframe], end];
        },
      },
      // From zero; CPU tops out at 100 % once busy, otherwise it scales to show small loads.
      y: {
        range: (_u, _min, max) => [
          0,
          kind === 'cpu' ? Math.min(100, Math.max(5, max * 1.15)) : Math.max(max * 1.15, 1),
        ],
      },
    },
    series: [
      {
        label: t('series.time'),
        value: (u, v, i, idx) => {
          const time = idx === null ? latest(u, i) : v;
          return time === null ? '–' : formatDateTime(time * 1000);
        },
      },
      ...seriesOf[kind].map((s): uPlot.Series => ({
        label: t(s.label),
        stroke: colors[s.color],
        width: 1.5,
        ...(s.fill ? { fill: alpha(colors[s.color], 0.14) } : {}),
        ...(s.dash ? { dash: s.dash } : {}),
        points: { show: false },
        value: (u, v, i, idx) => valueText(idx === null ? latest(u, i) : v),
      })),
    ],
    axes: [
      { ...axis, values: timeTicks(timeframe), space: 60, size: 28 },
      {
        ...axis,
        size: 64,
        values: (_u, splits) =>
          splits.map((v) => `${formatDecimal(v, language, v < 10 && v !== 0 ? 1 : 0)} ${unit.suffix}`),
      },
    ],
  };
}
