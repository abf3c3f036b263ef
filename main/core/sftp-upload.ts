// Files onto a node over SFTP: mkdir -p, and an upload that writes `<path>.tmp` with several writes in flight
// (a 50 MB runtime over a long round trip would otherwise wait on every 256 KiB), then renames it into place,
// so a half-sent file is never taken for the whole one.
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { AppError } from '../../node-agent/src/api';

/** OpenSSH's largest SFTP write; ssh2 splits anything bigger itself. */
const CHUNK = 256 * 1024;
const IN_FLIGHT = 16;

const sftpCall = <T>(
  what: string,
  action: (done: (error: Error | null | undefined, value?: T) => void) => void,
): Promise<T> =>
  new Promise((resolve, reject) =>
    action((error, value) =>
      error ? reject(new AppError('command-failed', `${what}: ${error.message}`)) : resolve(value as T),
    ),
  );

/** mkdir -p over SFTP: create each missing component; the last one with `mode`. */
export const mkdirs = async (sftp: SFTPWrapper, path: string, mode: number): Promise<void> => {
  const parts = path.split('/').filter((part) => part !== '');
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    const exists = await new Promise<boolean>((resolve) =>
      sftp.stat(dir, (error, stats) => resolve(!error && stats.isDirectory())),
    );
    if (exists) continue;
    await sftpCall(`cannot create ${dir}`, (done) =>
      sftp.mkdir(dir, { mode: i === parts.length ? mode : 0o755 }, (error) => done(error)),
    );
  }
};

const writeAll = async (sftp: SFTPWrapper, path: string, bytes: Buffer, mode: number): Promise<void> => {
  const handle = await sftpCall<Buffer>(`cannot write ${path}`, (done) =>
    sftp.open(path, 'w', { mode }, (error, value) => done(error, value)),
  );
  let failure: unknown;
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < bytes.length && failure === undefined) {
        const offset = next;
        const length = Math.min(CHUNK, bytes.length - offset);
        next += length;
        await sftpCall(`cannot write ${path}`, (done) =>
          sftp.write(handle, bytes, offset, length, offset, (error) => done(error)),
        );
      }
    };
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, () =>
        worker().catch((error: unknown) => {
          failure ??= error;
        }),
      ),
    );
  } finally {
    await sftpCall(`cannot close ${path}`, (done) => sftp.close(handle, (error) => done(error))).catch(
      (error: unknown) => {
        failure ??= error;
      },
    );
  }
  if (failure !== undefined) throw failure;
};

/** Upload `bytes` to `path` (its folder made with `dirMode`): `<path>.tmp` first, then rename over `path`. */
export const uploadFile = async (
  sftp: SFTPWrapper,
  bytes: Buffer,
  path: string,
  options: { mode: number; dirMode: number },
): Promise<void> => {
  await mkdirs(sftp, posix.dirname(path), options.dirMode);
  const tmp = `${path}.tmp`;
  await writeAll(sftp, tmp, bytes, options.mode);
  // SFTP v3 rename does not replace an existing file.
  await new Promise<void>((resolve) => sftp.unlink(path, () => resolve()));
  await sftpCall(`cannot rename ${tmp}`, (done) => sftp.rename(tmp, path, (error) => done(error)));
};
