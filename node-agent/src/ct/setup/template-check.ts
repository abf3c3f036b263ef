// Whether a file is a container template (a tarball of a root file system), checked by listing it with tar before
// a CT is created from it, so a wrong upload fails with a clear message instead of a container that cannot start.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../../api/errors';
import { run } from '../../exec/run';

export type TarCompression = 'gzip' | 'xz' | 'zstd' | 'none';

export interface TemplateCheck {
  compression: TarCompression;
  /** Number of entries in the tarball. */
  entries: number;
}

const MAGIC: [TarCompression, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

const BY_EXTENSION: [RegExp, TarCompression][] = [
  [/\.(tar\.gz|tgz)$/, 'gzip'],
  [/\.(tar\.xz|txz)$/, 'xz'],
  [/\.(tar\.zst|tzst)$/, 'zstd'],
  [/\.tar$/, 'none'],
];

const TAR_FLAG: Record<TarCompression, string[]> = { gzip: ['--gzip'], xz: ['--xz'], zstd: ['--zstd'], none: [] };

/** The compression from the file's first bytes (what it is), else from its name (what it claims). */
export const tarCompression = async (path: string): Promise<TarCompression> => {
  const handle = await open(path, 'r').catch(() => {
    throw new AppError('not-found', `template ${path} does not exist or cannot be read`, { path });
  });
  const head = Buffer.alloc(512);
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  for (const [kind, magic] of MAGIC) if (magic.every((byte, i) => head[i] === byte)) return kind;
  if (head.toString('latin1', 257, 262) === 'ustar') return 'none';
  return BY_EXTENSION.find(([pattern]) => pattern.test(path))?.[1] ?? 'none';
};

/** Entry names as tar lists them, normalized: no leading `./` or `/`, directories without their trailing `/`. */
export const normalizeEntries = (listing: string): string[] =>
  listing
    .split('\n')
    .map((line) => line.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, ''))
    .filter((line) => line !== '' && line !== '.');

/** A root file system has /etc and something to run: /sbin/init, /bin/sh or a /usr tree. */
export const looksLikeRootfs = (entries: readonly string[]): boolean => {
  const names = new Set(entries);
  const hasEtc = names.has('etc') || entries.some((name) => name.startsWith('etc/'));
  const runnable = names.has('sbin/init') || names.has('bin/sh') || entries.some((name) => name.startsWith('usr/'));
  return hasEtc && runnable;
};

/** List the tarball and decide whether it holds a container root file system; invalid-params when it does not. */
export const checkTemplateTarball = async (path: string, signal?: AbortSignal): Promise<TemplateCheck> => {
  const compression = await tarCompression(path);
  const result = await run('tar', [...TAR_FLAG[compression], '--list', '--file', path], {
    timeoutMs: 300_000,
    ...(signal ? { signal } : {}),
  });
  const name = basename(path);
  if (result.code !== 0)
    throw new AppError('invalid-params', `${name} is not a container template: tar cannot read it (${result.stderr.trim().split('\n')[0] ?? ''})`, { path });
  const entries = normalizeEntries(result.stdout);
  if (!looksLikeRootfs(entries))
    throw new AppError('invalid-params', `${name} is not a container root file system (no /etc, /sbin/init, /bin/sh or /usr in it)`, { path });
  return { compression, entries: entries.length };
};
