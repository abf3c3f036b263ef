// Write the bytes [offset, size) of a local file to the same place in a remote file over SFTP, with several
// writes in flight (one at a time would wait a round trip per 256 KiB), streamed from disk (ISO images are
// gigabytes), cancellable. Writes go out in file order and OpenSSH's sftp-server applies them in the order it
// receives them, so after a drop the remote file is whole up to its size: that size is where a resume starts
// (and the node's sha256 check on commit catches anything else).
import { open } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { AppError } from '../../node-agent/src/api';

/** OpenSSH's largest SFTP write message; the data in it is a little less (writeLimit). */
export const CHUNK = 256 * 1024;
export const IN_FLIGHT = 32;

export interface WriteRangeOptions {
  offset: number;
  size: number;
  /** Cancel: no more writes are sent; those in flight are waited for (the file stays whole up to its size). */
  signal: AbortSignal;
  /** The connection is gone: every request still waiting fails at once with this signal's reason (ssh2 does not
   *  always answer the requests of a channel that died with its connection). */
  lost: AbortSignal;
  /** Called with the bytes the server confirmed so far in this call (not counting `offset`). */
  progress?: (written: number) => void;
  /** Why a failed SFTP request failed, decided by the caller (a dropped connection is `unreachable`). */
  failure: (what: string, error: Error) => AppError;
}

/**
 * The most data one SFTP write request carries (ssh2 learns it from OpenSSH's limits@openssh.com: 255 KiB).
 * A bigger write is split by ssh2, and its second part goes out only once the first is answered, after later
 * chunks: a drop in between would leave a hole below the file's size, and the resume would build on it.
 */
const writeLimit = (sftp: SFTPWrapper): number => {
  const negotiated = (sftp as unknown as { _maxWriteLen?: unknown })._maxWriteLen;
  return typeof negotiated === 'number' && negotiated > 0 ? Math.min(CHUNK, negotiated) : 32 * 1024;
};

const request = <T>(
  what: string,
  options: Pick<WriteRangeOptions, 'failure' | 'lost'>,
  action: (done: (error: Error | null | undefined, value?: T) => void) => void,
): Promise<T> =>
  new Promise((resolve, reject) => {
    const { lost } = options;
    if (lost.aborted) return reject(lost.reason as Error);
    const onLost = () => reject(lost.reason as Error);
    lost.addEventListener('abort', onLost, { once: true });
    action((error, value) => {
      lost.removeEventListener('abort', onLost);
      if (error) reject(options.failure(what, error));
      else resolve(value as T);
    });
  });

export const writeRange = async (
  sftp: SFTPWrapper,
  localPath: string,
  remotePath: string,
  options: WriteRangeOptions,
): Promise<void> => {
  const { offset, size, signal } = options;
  const local = await open(localPath, 'r').catch((error: Error) => {
    throw new AppError('command-failed', `cannot read ${localPath}: ${error.message}`);
  });
  try {
    // 'r+' keeps the bytes a previous attempt left (the resume); 'w' starts a fresh file.
    const flags = offset > 0 ? 'r+' : 'w';
    const handle = await request<Buffer>(`cannot open ${remotePath}`, options, (done) =>
      sftp.open(remotePath, flags, { mode: 0o644 }, (error, value) => done(error, value)),
    );
    const chunk = writeLimit(sftp);
    let failure: unknown;
    let next = offset;
    let written = 0;
    const going = () => next < size && failure === undefined && !signal.aborted && !options.lost.aborted;
    // Reading a chunk and sending its write happen one worker at a time, so writes leave in file order (reads
    // finishing out of order would otherwise send a later chunk first); only the waits for answers overlap.
    let turn: Promise<unknown> = Promise.resolve();
    const worker = async (): Promise<void> => {
      const buffer = Buffer.allocUnsafe(chunk);
      for (;;) {
        const mine = turn.then(async () => {
          if (!going()) return undefined;
          const position = next;
          const length = Math.min(chunk, size - position);
          next += length;
          const { bytesRead } = await local.read(buffer, 0, length, position);
          if (bytesRead !== length)
            throw new AppError('conflict', `${localPath} changed while it was uploaded (it is shorter than ${size} bytes)`);
          // request() calls sftp.write at once, which queues the message before this turn ends.
          const answered = request(`cannot write ${remotePath}`, options, (done) =>
            sftp.write(handle, buffer, 0, length, position, (error) => done(error)),
          );
          return { answered, length };
        });
        turn = mine.catch(() => undefined);
        const sent = await mine;
        if (!sent) return;
        await sent.answered;
        written += sent.length;
        options.progress?.(written);
      }
    };
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, () =>
        worker().catch((error: unknown) => {
          failure ??= error;
        }),
      ),
    );
    await request(`cannot close ${remotePath}`, options, (done) => sftp.close(handle, (error) => done(error))).catch(
      (error: unknown) => {
        failure ??= error;
      },
    );
    if (failure !== undefined) throw failure;
    if (signal.aborted) throw new AppError('cancelled', `the upload to ${remotePath} was cancelled`);
  } finally {
    await local.close();
  }
};
