// `hdctl node list`: every saved node with its connection state and last-known status, as a table or JSON.
import type { NodeEntry } from '../core/inventory-schema';

const GiB = 1024 ** 3;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local time, to the second: when the status shown was fresh. */
export const formatTime = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
};

export const formatUptime = (seconds: number): string => {
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m ${s % 60}s`;
};

const formatMemory = (used: number, total: number) => `${(used / GiB).toFixed(1)}/${(total / GiB).toFixed(1)} GiB`;

export const nodeRow = (entry: NodeEntry): string[] => {
  const status = entry.status;
  return [
    entry.cluster,
    entry.name,
    entry.host,
    entry.state,
    status ? `${Math.round(status.cpu * 100)}%` : '-',
    status ? formatMemory(status.memory.used, status.memory.total) : '-',
    status ? formatUptime(status.uptime) : '-',
    entry.asOf !== undefined ? formatTime(entry.asOf) : '-',
    entry.error ? `${entry.error.code}: ${entry.error.message}` : '',
  ];
};

export const NODE_COLUMNS = ['CLUSTER', 'NAME', 'HOST', 'STATE', 'CPU', 'MEMORY', 'UPTIME', 'AS OF', 'ERROR'];

/** Columns padded to their widest cell; the last column is not padded. */
export const formatTable = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
};

export const sortEntries = (entries: readonly NodeEntry[]): NodeEntry[] =>
  [...entries].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name));

export const formatNodeList = (entries: readonly NodeEntry[], output: 'json' | 'table'): string =>
  output === 'json'
    ? `${JSON.stringify(sortEntries(entries), null, 2)}\n`
    : entries.length === 0
      ? 'No saved nodes. Add one in the Hyperdesk app.\n'
      : formatTable(NODE_COLUMNS, sortEntries(entries).map(nodeRow));
