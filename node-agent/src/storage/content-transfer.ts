// Files into a storage's iso and vztmpl folders: downloads (a task: streamed to a temp file beside the target,
// checked, then linked into place) and uploads over SFTP (staged in the storage, resumable, checked on commit).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AppError } from '../api/errors';
import type { TaskContext } from '../tasks/task-context';
import type { ResolvedStorage, StorageService } from './service';

export type TemplateContent = 'iso' | 'vztmpl';

/** PVE's file name rules for the two folders. */
const FILE_NAME: Record<TemplateContent, { pattern: RegExp; says: string }> = {
  iso: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_.+-]*\.(iso|img)$/i, says: 'an ISO image name ends in .iso or .img' },
  vztmpl: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_.+-]*\.tar\.(gz|xz|zst|bz2)$/, says: 'a template name ends in .tar.gz, .tar.xz, .tar.zst or .tar.bz2' },
};

export interface ContentTarget {
  resolved: ResolvedStorage;
  volid: string;
  /** Where the file ends up (absolute, under the agent root). */
  path: string;
}

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** Check the name and the storage (it holds this content, keeps files), and find where the file goes. */
export const contentTarget = async (
  service: StorageService,
  request: { storage: string; content: TemplateContent; filename: string },
  signal: AbortSignal,
): Promise<ContentTarget> => {
  const { storage, content, filename } = request;
  const rule = FILE_NAME[content];
  if (basename(filename) !== filename || !rule.pattern.test(filename))
    throw new AppError('invalid-params', `${filename} is not a valid ${content} file name: ${rule.says}, with no path parts`);
  const resolved = await service.resolve(storage, { signal });
  if (resolved.caps.layout !== 'file')
    throw new AppError('invalid-params', `storage ${storage} (${resolved.storage.type}) keeps no files: it cannot hold ${content}`);
  if (!resolved.storage.content.includes(content))
    throw new AppError('invalid-params', `storage ${storage} does not hold ${content} (content ${resolved.storage.content.join(',')})`);
  const volname = `${content}/${filename}`;
  return { resolved, volid: `${storage}:${volname}`, path: await resolved.plugin.path(resolved.ctx, volname) };
};

/** Link `from` to `to` without replacing anything already there, then drop `from`. */
const place = async (from: string, to: string, volid: string): Promise<void> => {
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError('already-exists', `${volid} already exists`);
    throw error;
  }
  await unlink(from);
};

const sha256File = async (path: string, signal?: AbortSignal): Promise<string> => {
  const hash = createHash('sha256');
  // 1 MiB reads: with the default 64 KiB, read calls and stream overhead halve the hashing rate.
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash, signal === undefined ? {} : { signal });
  return hash.digest('hex');
};

export interface DownloadRequest {
  storage: string;
  content: TemplateContent;
  url: string;
  filename: string;
  checksum?: { algorithm: 'sha256'; value: string } | undefined;
}

/** Everything a download checks before its task exists. */
export const prepareDownload = async (
  service: StorageService,
  request: DownloadRequest,
  signal: AbortSignal,
): Promise<ContentTarget & { url: URL }> => {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new AppError('invalid-params', `${request.url} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('invalid-params', `${request.url}: only http and https downloads are allowed`);
  const target = await contentTarget(service, request, signal);
  if (await exists(target.path)) throw new AppError('already-exists', `${target.volid} already exists — delete it first or pick another name`);
  return { ...target, url };
};

/** The download task's body: stream to a temp file beside the target, report progress, verify, link into place. */
export const download = async (
  target: ContentTarget & { url: URL },
  checksum: DownloadRequest['checksum'],
  ctx: TaskContext,
): Promise<void> => {
  const { resolved, path, volid, url } = target;
  // The task's runner and signal: what activation runs goes to the task log, and cancelling the task stops it.
  await resolved.plugin.activate({ ...resolved.ctx, run: (command, args, options) => ctx.run(command, args, options), signal: ctx.signal });
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.download`);
  ctx.log(`downloading ${url.href} to ${path}`);
  try {
    const response = await fetch(url, { signal: ctx.signal, redirect: 'follow' });
    if (!response.ok || response.body === null)
      throw new AppError('command-failed', `download of ${url.href} failed: HTTP ${response.status} ${response.statusText}`);
    const total = Number(response.headers.get('content-length') ?? NaN);
    ctx.log(Number.isFinite(total) ? `size: ${total} bytes` : 'size: unknown (no content-length)');
    const hash = createHash('sha256');
    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        hash.update(chunk);
        if (Number.isFinite(total) && total > 0) ctx.progress(received / total);
        done(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      meter,
      createWriteStream(temp, { flags: 'wx', mode: 0o644 }),
      { signal: ctx.signal },
    );
    if (Number.isFinite(total) && received !== total)
      throw new AppError('command-failed', `download of ${url.href} ended after ${received} of ${total} bytes`);
    const digest = hash.digest('hex');
    ctx.log(`received ${received} bytes, sha256 ${digest}`);
    if (checksum !== undefined) {
      if (digest !== checksum.value.toLowerCase())
        throw new AppError('command-failed', `${volid}: sha256 mismatch — expected ${checksum.value.toLowerCase()}, got ${digest}; the download was removed`);
      ctx.log('sha256 checksum verified');
    }
    await place(temp, path, volid);
    ctx.log(`saved ${volid}`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
};

/** The staged file an upload goes to: hidden, beside the target, named for the local file's fingerprint. */
const stagingPath = (target: ContentTarget, fingerprint: string): string =>
  join(dirname(target.path), `.${basename(target.path)}.${fingerprint.toLowerCase().slice(0, 16)}.upload`);

const STAGED_UPLOAD = /^\..+\.[0-9a-f]{16}\.upload$/;
const PARTIAL_DOWNLOAD = /^\..+\.[0-9a-f]{12}\.download$/;
/** A staged upload nobody resumed for this long is dropped (PVE keeps no partial uploads at all). */
export const STALE_UPLOAD_MS = 7 * 24 * 3600_000;

/**
 * Remove what transfers left in one folder: staged uploads older than STALE_UPLOAD_MS, and, when `downloads` is
 * set (the daemon is starting, so no download task runs), every partial download. Returns the paths removed.
 */
export const sweepFolder = async (dir: string, options: { downloads: boolean; now?: number }): Promise<string[]> => {
  const now = options.now ?? Date.now();
  const removed: string[] = [];
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const upload = STAGED_UPLOAD.test(name);
    if (!upload && !(options.downloads && PARTIAL_DOWNLOAD.test(name))) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || (upload && now - info.mtimeMs < STALE_UPLOAD_MS)) continue;
    await unlink(path).then(
      () => removed.push(path),
      () => undefined,
    );
  }
  return removed;
};

/** At daemon start: sweep the iso and vztmpl folders of every storage here that keeps files and is there. */
export const sweepStaleTransfers = async (service: StorageService, log: (line: string) => void): Promise<void> => {
  const { storages } = await service.readConfig();
  const signal = AbortSignal.timeout(60_000);
  for (const storage of storages) {
    if (!service.enabledHere(storage)) continue;
    for (const content of ['iso', 'vztmpl'] as const) {
      if (!storage.content.includes(content)) continue;
      try {
        const placeholder = content === 'iso' ? 'placeholder.iso' : 'placeholder.tar.gz';
        const target = await contentTarget(service, { storage: storage.id, content, filename: placeholder }, signal);
        for (const path of await sweepFolder(dirname(target.path), { downloads: true })) log(`removed a stale partial transfer: ${path}`);
      } catch (error) {
        log(`cannot sweep storage ${storage.id} (${content}): ${AppError.from(error).message}`);
      }
    }
  }
};

/** Where the app writes an upload over SFTP, and how much of it is there already (to resume). */
export const uploadTarget = async (
  service: StorageService,
  request: { storage: string; content: TemplateContent; filename: string; size: number; fingerprint: string },
  signal: AbortSignal,
): Promise<{ path: string; offset: number }> => {
  const target = await contentTarget(service, request, signal);
  if (await exists(target.path)) throw new AppError('already-exists', `${target.volid} already exists — delete it first or pick another name`);
  await target.resolved.plugin.activate(target.resolved.ctx);
  await mkdir(dirname(target.path), { recursive: true });
  await sweepFolder(dirname(target.path), { downloads: false });
  const path = stagingPath(target, request.fingerprint);
  const staged = await lstat(path).catch(() => undefined);
  if (staged === undefined) return { path, offset: 0 };
  if (!staged.isFile() || staged.size > request.size) {
    // Not something we can resume (a symlink, or more bytes than the file has): start over.
    await unlink(path);
    return { path, offset: 0 };
  }
  return { path, offset: staged.size };
};

/** Check the staged upload's sha256 and move it into place; a file that does not match is removed. */
export const uploadCommit = async (
  service: StorageService,
  request: { storage: string; content: TemplateContent; filename: string; fingerprint: string; sha256: string },
  signal: AbortSignal,
): Promise<{ volid: string }> => {
  const target = await contentTarget(service, request, signal);
  const path = stagingPath(target, request.fingerprint);
  const staged = await lstat(path).catch(() => undefined);
  if (staged === undefined || !staged.isFile())
    throw new AppError('not-found', `no staged upload of ${target.volid} — ask storage.upload.target where to upload it`);
  const digest = await sha256File(path, signal);
  if (digest !== request.sha256.toLowerCase()) {
    await unlink(path).catch(() => undefined);
    throw new AppError(
      'invalid-params',
      `the upload of ${target.volid} does not match its sha256 (expected ${request.sha256.toLowerCase()}, got ${digest}) — it was removed; upload it again`,
    );
  }
  await place(path, target.path, target.volid);
  return { volid: target.volid };
};
