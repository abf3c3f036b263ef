// Results for people (`--output table`: aligned columns for lists, key/value for objects) or for
// scripts (`--output json`).
import type { OutputFormat } from './parse-args';

type Row = Record<string, unknown>;

const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null && !Array.isArray(value);

const cell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
};

/** Aligned columns, the union of the rows' keys in first-seen order; the last column is not padded. */
export const formatTable = (rows: readonly Row[]): string => {
  if (rows.length === 0) return '';
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cells = rows.map((row) => columns.map((column) => cell(row[column]).replace(/\s*\n\s*/g, ' ')));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(columns), ...cells.map(line)].join('\n')}\n`;
};

/** Nested objects flatten to dotted keys (`memory.total`); arrays of objects come after, as titled tables. */
const formatObject = (object: Row): string => {
  const pairs: [string, string][] = [];
  const tables: [string, Row[]][] = [];
  const visit = (prefix: string, value: Row) => {
    for (const [key, item] of Object.entries(value)) {
      const name = prefix === '' ? key : `${prefix}.${key}`;
      if (isRow(item)) visit(name, item);
      else if (Array.isArray(item) && item.length > 0 && item.every(isRow)) tables.push([name, item]);
      else if (item !== undefined) pairs.push([name, cell(item)]);
    }
  };
  visit('', object);
  const width = Math.max(0, ...pairs.map(([key]) => key.length));
  const text = pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd()).join('\n');
  const blocks = [text, ...tables.map(([name, rows]) => `${name}:\n${formatTable(rows).trimEnd()}`)].filter(
    (block) => block !== '',
  );
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
};

export const formatResult = (value: unknown, output: OutputFormat): string => {
  if (output === 'json') return `${JSON.stringify(value ?? null, null, 2)}\n`;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (value.every(isRow)) return formatTable(value);
    return value.map((item) => `${cell(item)}\n`).join('');
  }
  if (isRow(value)) return formatObject(value);
  return `${cell(value)}\n`;
};
