// A benchmark's result as a plain-text table: metric, ours, the reference, the target, sample counts.
import type { BenchResult, BenchRow } from './bench-types';

/** Enough digits to read a figure, never a wall of them: 0.412, 3.21, 48.7, 1234. */
export const formatFigure = (value: number | undefined, unit: string): string => {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return `${value.toFixed(digits)} ${unit}`.trimEnd();
};

const samples = (row: BenchRow): string => {
  const ours = row.oursSamples === undefined ? '' : String(row.oursSamples);
  const reference = row.referenceSamples === undefined ? '' : String(row.referenceSamples);
  return ours === '' && reference === '' ? '' : `${ours || '—'} / ${reference || '—'}`;
};

const layout = (rows: readonly string[][]): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

export const formatResult = (name: string, result: BenchResult): string => {
  const rows = [
    ['METRIC', 'OURS', 'REFERENCE', 'TARGET', 'N (ours / ref)'],
    ...result.rows.map((row) => [
      row.metric,
      formatFigure(row.ours, row.unit),
      formatFigure(row.reference, row.unit),
      row.target ? `${row.target} ${row.unit}` : '',
      samples(row),
    ]),
  ];
  return [
    `── ${name}`,
    `ours:      ${result.ours}`,
    `reference: ${result.reference}`,
    '',
    layout(rows),
    ...(result.notes.length > 0 ? ['', ...result.notes.map((note) => `note: ${note}`)] : []),
  ].join('\n');
};
