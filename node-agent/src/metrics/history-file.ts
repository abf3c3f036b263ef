// Saves and loads the metrics history as one binary file: the typed arrays as they are, a JSON header naming the
// layout, a SHA-256 trailer. Binary because JSON of ~300,000 numbers would be ~5 MB of text rewritten every minute.
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file';
import { DEFAULT_ARCHIVES, MetricsHistory, type ArchiveSpec, type RrdHistory } from './history';

const MAGIC = Buffer.from('HDMETRIC', 'latin1');
const VERSION = 1;
const DIGEST = 32;

interface Header {
  version: number;
  endian: 'LE' | 'BE';
  fields: string[];
  archives: ArchiveSpec[];
}

/** <data>/metrics/node.rrd */
export const historyFile = (dataDir: string): string => join(dataDir, 'metrics', 'node.rrd');

/** <data>/metrics/storage-<id>.rrd (a storage id is letters, digits, - _ . : safe as a file name part). */
export const storageHistoryFile = (dataDir: string, storage: string): string =>
  join(dataDir, 'metrics', `storage-${storage}.rrd`);

const pad8 = (n: number): number => (8 - (n % 8)) % 8;
const bytesOf = (array: Float64Array | Uint32Array): Buffer =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength);

export const encodeHistory = (history: RrdHistory<string>): Buffer => {
  const header: Header = {
    version: VERSION,
    endian: endianness(),
    fields: [...history.fields],
    archives: history.archives.map((a) => ({ step: a.step, slots: a.slots })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const parts: Buffer[] = [MAGIC, length, json, Buffer.alloc(pad8(MAGIC.length + 4 + json.length))];
  for (const archive of history.archives) {
    parts.push(bytesOf(archive.period), bytesOf(archive.count), Buffer.alloc(pad8(archive.count.byteLength)));
    parts.push(bytesOf(archive.sum), bytesOf(archive.max));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
};

/**
 * Throws on any damage or on a layout this build does not write (the caller moves such a file aside).
 * `empty` makes the history to fill (its fields and archives are the layout expected); the node's by default.
 */
export function decodeHistory(file: Buffer, expected?: readonly ArchiveSpec[]): MetricsHistory;
export function decodeHistory<H extends RrdHistory<string>>(file: Buffer, expected: readonly ArchiveSpec[], empty: () => H): H;
export function decodeHistory(
  file: Buffer,
  expected: readonly ArchiveSpec[] = DEFAULT_ARCHIVES,
  empty: () => RrdHistory<string> = () => new MetricsHistory(expected),
): RrdHistory<string> {
  const history = empty();
  if (file.length < MAGIC.length + 4 + DIGEST || !file.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error('not a metrics history file');
  const body = file.subarray(0, file.length - DIGEST);
  if (
    !createHash('sha256')
      .update(body)
      .digest()
      .equals(file.subarray(file.length - DIGEST))
  )
    throw new Error('checksum mismatch');
  const jsonLength = body.readUInt32LE(MAGIC.length);
  const jsonEnd = MAGIC.length + 4 + jsonLength;
  if (jsonEnd > body.length) throw new Error('header runs past the end of the file');
  const header = JSON.parse(body.subarray(MAGIC.length + 4, jsonEnd).toString('utf8')) as Header;
  const layout = (h: Pick<Header, 'version' | 'endian' | 'fields' | 'archives'>) =>
    JSON.stringify([h.version, h.endian, h.fields, h.archives.map((a) => [a.step, a.slots])]);
  if (
    layout(header) !==
    layout({ version: VERSION, endian: endianness(), fields: [...history.fields], archives: [...expected] })
  ) {
    throw new Error(`layout ${layout(header)} is not the one this agent writes`);
  }
  let offset = jsonEnd + pad8(jsonEnd);
  // Copy out through slice(): the file buffer's offsets are not aligned for typed-array views.
  const take = <T extends Float64Array | Uint32Array>(target: T, make: (buffer: ArrayBuffer) => T): void => {
    const end = offset + target.byteLength;
    if (end > body.length) throw new Error('file is truncated');
    const copy = body.buffer.slice(body.byteOffset + offset, body.byteOffset + end) as ArrayBuffer;
    target.set(make(copy));
    offset = end;
  };
  for (const archive of history.archives) {
    take(archive.period, (b) => new Float64Array(b));
    take(archive.count, (b) => new Uint32Array(b));
    offset += pad8(archive.count.byteLength);
    take(archive.sum, (b) => new Float64Array(b));
    take(archive.max, (b) => new Float64Array(b));
  }
  if (offset !== body.length) throw new Error(`${body.length - offset} unexpected bytes after the archives`);
  return history;
}

/** Atomic (write tmp, fsync, rename, fsync the folder): a crash leaves the old file or the new one. */
export const saveHistory = (path: string, history: RrdHistory<string>): Promise<void> =>
  writeFileAtomic(path, encodeHistory(history), 0o644);

/**
 * The saved history, or an empty one. Never rejects: a damaged file is renamed to `<file>.corrupt-<time>`
 * (kept for a post-mortem) and logged; an unreadable one is logged and left alone.
 */
export function loadHistory(path: string, log: (line: string) => void, now?: () => number): Promise<MetricsHistory>;
export function loadHistory<H extends RrdHistory<string>>(
  path: string,
  log: (line: string) => void,
  now: () => number,
  empty: () => H,
): Promise<H>;
export async function loadHistory(
  path: string,
  log: (line: string) => void,
  now: () => number = Date.now,
  empty: () => RrdHistory<string> = () => new MetricsHistory(),
): Promise<RrdHistory<string>> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log(`metrics: cannot read history ${path}: ${(error as Error).message}; starting empty`);
    return empty();
  }
  try {
    return decodeHistory(file, empty().archives.map((a) => ({ step: a.step, slots: a.slots })), empty);
  } catch (error) {
    const aside = `${path}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
    const moved = await rename(path, aside).then(
      () => `moved aside to ${aside}`,
      (renameError: Error) => `could not move it aside: ${renameError.message}`,
    );
    log(`metrics: history ${path} is unusable (${(error as Error).message}); ${moved}; starting empty`);
    return empty();
  }
}
