// Listing a file storage's content: disk images under images/<vmid>/ (sizes from qemu-img info, the linked clone's
// base from its backing file) and the files of the other content folders (iso, templates, backups, snippets, import).
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentType, VolumeInfo } from '../plugin';
import { parseVolname } from '../volume-name';
import { contentDir, type FileContext } from './file-layout';
import { imageVolname, listNames } from './file-volume';
import { qemuImgInfo } from './qemu-img';

export interface ListFilter {
  vmid?: number;
  content?: ContentType;
}

/** How a storage type describes one entry of images/<vmid>/ (undefined: not a volume of this storage). */
export type ImageEntryInfo = (ctx: FileContext, vmid: number, entry: string, path: string) => Promise<VolumeInfo | undefined>;

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** Containers' subvol folders are rootdir; everything else in images/ is a VM disk. */
const contentOfFormat = (format: string): ContentType => (format === 'subvol' ? 'rootdir' : 'images');

/** A linked clone's backing file as PVE writes it: ../<basevmid>/<basename>. */
const BACKING = /^\.\.\/(\d+)\/([^/]+)$/;

/** The dir plugin's images/<vmid>/<entry>: a disk file (qemu-img info) or a subvol folder. */
export const fileImageEntry: ImageEntryInfo = async (ctx, vmid, entry, path) => {
  let parsed;
  try {
    parsed = parseVolname(`${vmid}/${entry}`, 'file');
  } catch {
    return undefined;
  }
  if (parsed.format === undefined) return undefined;
  const stats = await lstat(path);
  if (parsed.format === 'subvol') {
    if (!stats.isDirectory()) return undefined;
    return { volid: `${ctx.storeid}:${vmid}/${entry}`, content: 'rootdir', format: 'subvol', size: 0, vmid, ctime: seconds(stats.ctimeMs) };
  }
  if (!stats.isFile()) return undefined;
  // A zero-byte qcow2 is a name reserved by an allocation still running qemu-img create.
  if (stats.size === 0 && parsed.format !== 'raw') return undefined;
  const info = await qemuImgInfo(ctx, `volume ${ctx.storeid}:${vmid}/${entry}`, path, parsed.format).catch(() => undefined);
  if (!info) return { volid: `${ctx.storeid}:${vmid}/${entry}`, content: 'images', format: 'invalid', size: stats.size, vmid, ctime: seconds(stats.ctimeMs) };
  const backing = info.backingFile === undefined ? undefined : BACKING.exec(info.backingFile);
  const base = backing ? { vmid: Number(backing[1]), name: backing[2] ?? '' } : undefined;
  return {
    volid: `${ctx.storeid}:${imageVolname(vmid, entry, base)}`,
    content: contentOfFormat(parsed.format),
    format: parsed.format,
    size: info.virtualSize,
    ...(info.actualSize === undefined ? {} : { used: info.actualSize }),
    vmid,
    ...(base ? { parent: `${ctx.storeid}:${base.vmid}/${base.name}` } : info.backingFile === undefined ? {} : { parent: info.backingFile }),
    ctime: seconds(stats.ctimeMs),
  };
};

/** Run `work` over `items` with at most `limit` at a time (qemu-img info per image, without a process storm). */
const mapLimited = async <T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

export const listImages = async (ctx: FileContext, filter: ListFilter, entryInfo: ImageEntryInfo): Promise<VolumeInfo[]> => {
  const root = await contentDir(ctx, 'images');
  const owners = (await listNames(root)).filter((name) => /^[1-9]\d*$/.test(name) && (filter.vmid === undefined || Number(name) === filter.vmid));
  const entries: { vmid: number; entry: string; path: string }[] = [];
  for (const owner of owners) {
    const dir = await contentDir(ctx, 'images', Number(owner)).catch(() => undefined);
    if (dir === undefined) continue;
    for (const entry of await listNames(dir)) {
      if (!entry.startsWith('.')) entries.push({ vmid: Number(owner), entry, path: join(dir, entry) });
    }
  }
  const infos = await mapLimited(entries, 8, ({ vmid, entry, path }) => entryInfo(ctx, vmid, entry, path).catch(() => undefined));
  return infos.filter((info): info is VolumeInfo => info !== undefined && (filter.content === undefined || info.content === filter.content));
};

const FILE_CONTENT = ['iso', 'vztmpl', 'backup', 'snippets', 'import'] as const;
const VOLNAME_PREFIX: Record<(typeof FILE_CONTENT)[number], string> = { iso: 'iso', vztmpl: 'vztmpl', backup: 'backup', snippets: 'snippets', import: 'import' };

/** vzdump's file names carry their creation time: vzdump-qemu-100-2024_01_31-12_00_00.vma.zst. */
const BACKUP_TIME = /-(\d{4})_(\d{2})_(\d{2})-(\d{2})_(\d{2})_(\d{2})\./;

const readOptional = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);

const listContentFiles = async (ctx: FileContext, content: (typeof FILE_CONTENT)[number], filter: ListFilter): Promise<VolumeInfo[]> => {
  const dir = await contentDir(ctx, content);
  const result: VolumeInfo[] = [];
  for (const name of await listNames(dir)) {
    const volname = `${VOLNAME_PREFIX[content]}/${name}`;
    let parsed;
    try {
      parsed = parseVolname(volname, 'file');
    } catch {
      continue;
    }
    if (parsed.content !== content) continue;
    if (filter.vmid !== undefined && parsed.vmid !== filter.vmid) continue;
    const path = join(dir, name);
    const stats = await lstat(path).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const format = parsed.format ?? (name.includes('.') ? name.slice(name.indexOf('.') + 1) : 'raw');
    const time = content === 'backup' ? BACKUP_TIME.exec(name) : null;
    const ctime = time ? seconds(new Date(+time[1]!, +time[2]! - 1, +time[3]!, +time[4]!, +time[5]!, +time[6]!).getTime()) : seconds(stats.ctimeMs);
    const notes = content === 'backup' ? await readOptional(`${path}.notes`) : undefined;
    const isProtected = content === 'backup' ? (await lstat(`${path}.protected`).then(() => true, () => false)) : false;
    result.push({
      volid: `${ctx.storeid}:${volname}`,
      content,
      format,
      size: stats.size,
      ...(parsed.vmid === undefined ? {} : { vmid: parsed.vmid }),
      ctime,
      ...(notes === undefined ? {} : { notes: notes.trimEnd() }),
      ...(isProtected ? { protected: true } : {}),
    });
  }
  return result;
};

/** Everything a file storage holds, for the content types it is configured with (or the one filtered for). */
export const listFileStorage = async (ctx: FileContext, filter: ListFilter, entryInfo: ImageEntryInfo): Promise<VolumeInfo[]> => {
  const enabled = new Set(ctx.config.content);
  const wanted = (content: ContentType) => (filter.content === undefined ? enabled.has(content) : filter.content === content);
  const result: VolumeInfo[] = [];
  if (wanted('images') || wanted('rootdir')) result.push(...(await listImages(ctx, filter, entryInfo)).filter((info) => wanted(info.content)));
  for (const content of FILE_CONTENT) if (wanted(content)) result.push(...(await listContentFiles(ctx, content, filter)));
  return result.sort((a, b) => a.volid.localeCompare(b.volid));
};
