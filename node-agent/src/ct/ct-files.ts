// Files into and out of a running container (pct push / pct pull), a chunk per call. Every read and write happens
// inside the container (lxc-attach running a constant script, the path an argument, the bytes on stdin/stdout), so
// its own symlinks resolve in its own root and no path inside it can reach a file of the node. A push writes a temp
// file beside the target and renames it into place with its mode and owner when the last chunk arrives.
import { randomBytes } from 'node:crypto';
import { AppError } from '../api/errors';
import type { ParsedParams, Result } from '../api';
import { run, outputTail, type RunResult } from '../exec/run';
import { ctState } from './ct-runtime';
import type { CtService } from './ct-service';
import { lxcTarget } from './lxc-paths';

/** The most a chunk carries either way (the contract's limit, decoded). */
export const MAX_CHUNK = 4 * 1024 * 1024;
/** A push not continued for this long is given up (its temp file removed). */
const PUSH_IDLE_MS = 60 * 60 * 1000;
const ATTACH_TIMEOUT_MS = 120_000;

/** A container path as the scripts get it: absolute, no empty or `.` words, never `..`, never a folder (trailing /). */
export const ctFilePath = (vmid: number, path: string): { path: string; dir: string } => {
  if (!path.startsWith('/') || path.includes('\0')) throw new AppError('invalid-params', `CT ${vmid}: ${path} is not an absolute path inside the container`, { vmid, path });
  const words = path.split('/').filter((word) => word !== '' && word !== '.');
  if (words.includes('..')) throw new AppError('invalid-params', `CT ${vmid}: ${path} leaves its folder (..) — give the path without ..`, { vmid, path });
  if (words.length === 0 || path.endsWith('/')) throw new AppError('invalid-params', `CT ${vmid}: ${path} names a folder, not a file`, { vmid, path });
  return { path: `/${words.join('/')}`, dir: `/${words.slice(0, -1).join('/')}` };
};

/** The largest power of two up to 1 MiB that divides both: dd then reads exactly [offset, offset + length). */
export const ddBlockSize = (offset: number, length: number): number => {
  let size = 1024 * 1024;
  while (size > 1 && (offset % size !== 0 || length % size !== 0)) size /= 2;
  return size;
};

/** base64 that decodes to at most `max` bytes, or an error naming the container. */
export const decodeChunk = (vmid: number, data: string, max = MAX_CHUNK): Buffer => {
  const compact = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) throw new AppError('invalid-params', `CT ${vmid}: the chunk is not base64`, { vmid });
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > max) throw new AppError('invalid-params', `CT ${vmid}: a chunk carries at most ${max} bytes, this one ${bytes.length}`, { vmid });
  return bytes;
};

/**
 * Push: `$1` the path, `$2` the temp file beside it, `$3` new|append, `$4` 1 on the last chunk, `$5` mode, `$6` owner.
 * The temp file is private (umask 077) until its owner and mode are set, then renamed over the target (a symlink
 * there is replaced, not followed). Exit 10: no such folder; 11: the target is a folder; 12: the temp file is gone.
 */
const PUSH_SCRIPT = [
  'umask 077',
  'dir=${1%/*}',
  '[ -d "${dir:-/}" ] || exit 10',
  '[ -d "$1" ] && exit 11',
  'if [ "$3" = new ]; then cat > "$2" || exit 1',
  'else { [ -f "$2" ] && [ ! -L "$2" ]; } || exit 12; cat >> "$2" || exit 1; fi',
  '[ "$4" = 1 ] || exit 0',
  'chown "$6" "$2" && chmod "$5" "$2" && mv -f "$2" "$1"',
].join('\n');

/**
 * Pull: `$1` the path, `$2` offset, `$3` length, `$4` dd's block size (divides both). Prints the size on a line, then
 * the chunk in base64. Exit 10: no such file; 11: a folder; 12: not a regular file.
 */
const PULL_SCRIPT = [
  '[ -e "$1" ] || exit 10',
  '[ -d "$1" ] && exit 11',
  '[ -f "$1" ] || exit 12',
  'size=$(stat -L -c %s "$1" 2>/dev/null) || size=$(wc -c < "$1") || exit 1',
  'echo "$size"',
  '[ "$2" -lt "$size" ] || exit 0',
  'dd if="$1" bs="$4" skip=$(($2 / $4)) count=$(($3 / $4)) 2>/dev/null | base64',
].join('\n');

const REMOVE_SCRIPT = 'rm -f "$1"';

/** A constant script inside the container: argument list only, bytes on stdin. */
const attachScript = (cts: CtService, vmid: number, script: string, args: readonly string[], input?: Buffer): Promise<RunResult> =>
  run(
    'lxc-attach',
    [...lxcTarget(cts.options.paths, vmid), '--clear-env', '--set-var', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--', '/bin/sh', '-c', script, 'sh', ...args],
    { timeoutMs: ATTACH_TIMEOUT_MS, ...(input === undefined ? {} : { input }) },
  );

const requireRunning = async (cts: CtService, vmid: number): Promise<void> => {
  await cts.store.read(vmid);
  if ((await ctState(cts.options.paths, vmid)).state !== 'running') throw new AppError('not-supported', `CT ${vmid} is not running — start it first`, { vmid });
};

const failed = (vmid: number, what: string, result: RunResult): AppError =>
  new AppError('command-failed', `CT ${vmid}: ${what} failed (exit ${result.code})${outputTail(result) ? `: ${outputTail(result)}` : ''}`, { vmid, exitCode: result.code });

interface PushSession {
  temp: string;
  /** Where the next chunk starts. */
  next: number;
  busy: boolean;
  touched: number;
}

/** Pushes under way, per service: `<vmid>:<path>` → its temp file and how far it got. */
const sessions = new WeakMap<CtService, Map<string, PushSession>>();

const sessionsOf = (cts: CtService): Map<string, PushSession> => {
  let map = sessions.get(cts);
  if (!map) sessions.set(cts, (map = new Map<string, PushSession>()));
  return map;
};

/** Give up pushes nobody continued; their temp files go (best effort: the container may be gone). */
const sweepIdle = (cts: CtService, now: number): void => {
  const map = sessionsOf(cts);
  for (const [key, session] of map) {
    if (session.busy || now - session.touched < PUSH_IDLE_MS) continue;
    map.delete(key);
    void attachScript(cts, Number(key.split(':')[0]), REMOVE_SCRIPT, [session.temp]).catch(() => undefined);
  }
};

/**
 * Which push a chunk belongs to: offset 0 starts one (replacing an unfinished one for the same path), any other offset
 * must continue one exactly where it stopped.
 */
export const pushSessionFor = (map: Map<string, PushSession>, key: string, offset: number, dir: string, vmid: number, path: string, now: number): { session: PushSession; replaced?: string } => {
  const known = map.get(key);
  if (known?.busy) throw new AppError('conflict', `CT ${vmid}: ${path} is being pushed by another call — wait for it`, { vmid, path });
  if (offset === 0) {
    const session: PushSession = { temp: `${dir === '/' ? '' : dir}/.hd-push-${randomBytes(8).toString('hex')}`, next: 0, busy: false, touched: now };
    map.set(key, session);
    return { session, ...(known ? { replaced: known.temp } : {}) };
  }
  if (known === undefined || known.next !== offset) {
    const where = known === undefined ? 'no push of it is under way' : `the push stopped at offset ${known.next}`;
    throw new AppError('conflict', `CT ${vmid}: ${path}: ${where}, not ${offset} — start again at offset 0`, { vmid, path, offset, ...(known ? { expected: known.next } : {}) });
  }
  return { session: known };
};

export const pushFile = async (cts: CtService, request: ParsedParams<'ct.push'>): Promise<Result<'ct.push'>> => {
  const { vmid, offset, done } = request;
  const { path, dir } = ctFilePath(vmid, request.path);
  const bytes = decodeChunk(vmid, request.data);
  const perms = request.perms ?? '0644';
  const owner = `${request.user ?? 0}:${request.group ?? 0}`;
  await requireRunning(cts, vmid);
  const now = Date.now();
  sweepIdle(cts, now);
  const map = sessionsOf(cts);
  const key = `${vmid}:${path}`;
  const { session, replaced } = pushSessionFor(map, key, offset, dir, vmid, path, now);
  if (replaced !== undefined) await attachScript(cts, vmid, REMOVE_SCRIPT, [replaced]).catch(() => undefined);
  session.busy = true;
  try {
    const result = await attachScript(cts, vmid, PUSH_SCRIPT, [path, session.temp, offset === 0 ? 'new' : 'append', done ? '1' : '0', perms, owner], bytes);
    if (result.code !== 0) {
      map.delete(key);
      if (result.code !== 12) await attachScript(cts, vmid, REMOVE_SCRIPT, [session.temp]).catch(() => undefined);
      switch (result.code) {
        case 10:
          throw new AppError('not-found', `CT ${vmid}: ${dir}: no such folder in the container`, { vmid, path });
        case 11:
          throw new AppError('invalid-params', `CT ${vmid}: ${path} is a folder — name the file to write`, { vmid, path });
        case 12:
          throw new AppError('conflict', `CT ${vmid}: ${path}: the partial file vanished inside the container — start again at offset 0`, { vmid, path });
        default:
          throw failed(vmid, `writing ${path}`, result);
      }
    }
    session.next += bytes.length;
    session.touched = Date.now();
    if (done) map.delete(key);
    return { size: session.next };
  } finally {
    session.busy = false;
  }
};

export const pullFile = async (cts: CtService, request: ParsedParams<'ct.pull'>): Promise<Result<'ct.pull'>> => {
  const { vmid, offset, length } = request;
  const { path } = ctFilePath(vmid, request.path);
  await requireRunning(cts, vmid);
  const result = await attachScript(cts, vmid, PULL_SCRIPT, [path, String(offset), String(length), String(ddBlockSize(offset, length))]);
  switch (result.code) {
    case 0:
      break;
    case 10:
      throw new AppError('not-found', `CT ${vmid}: ${path}: no such file in the container`, { vmid, path });
    case 11:
      throw new AppError('invalid-params', `CT ${vmid}: ${path} is a folder — name a file`, { vmid, path });
    case 12:
      throw new AppError('invalid-params', `CT ${vmid}: ${path} is not a regular file`, { vmid, path });
    default:
      throw failed(vmid, `reading ${path}`, result);
  }
  const newline = result.stdout.indexOf('\n');
  const size = Number(result.stdout.slice(0, newline === -1 ? undefined : newline).trim());
  if (!Number.isSafeInteger(size) || size < 0) throw new AppError('protocol-error', `CT ${vmid}: ${path}: no file size in the answer from inside the container`, { vmid, path });
  const bytes = newline === -1 ? Buffer.alloc(0) : decodeChunk(vmid, result.stdout.slice(newline + 1), length);
  const expected = Math.max(0, Math.min(length, size - offset));
  if (bytes.length !== expected)
    throw new AppError('conflict', `CT ${vmid}: ${path}: read ${bytes.length} of ${expected} bytes at offset ${offset} — did the file change meanwhile?`, { vmid, path });
  return { data: bytes.toString('base64'), size, eof: offset + bytes.length >= size };
};
