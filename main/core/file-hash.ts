// The sha256 of a local file, streamed (an ISO image is gigabytes), with progress and cancellation.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { AppError } from '../../node-agent/src/api';

/** Read in large pieces: hashing is then bound by the CPU, not by read calls. */
const HIGH_WATER_MARK = 1024 * 1024;

export const sha256OfFile = (
  path: string,
  options: { signal?: AbortSignal; progress?: (hashed: number) => void } = {},
): Promise<string> =>
  new Promise((resolve, reject) => {
    const { signal, progress } = options;
    if (signal?.aborted) return reject(new AppError('cancelled', `hashing ${path} was cancelled`));
    const hash = createHash('sha256');
    let hashed = 0;
    const stream = createReadStream(path, { highWaterMark: HIGH_WATER_MARK });
    const onAbort = () => stream.destroy(new AppError('cancelled', `hashing ${path} was cancelled`));
    signal?.addEventListener('abort', onAbort, { once: true });
    stream
      .on('data', (chunk: Buffer | string) => {
        hash.update(chunk);
        hashed += chunk.length;
        progress?.(hashed);
      })
      .on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error instanceof AppError ? error : new AppError('command-failed', `cannot read ${path}: ${error.message}`));
      })
      .on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(hash.digest('hex'));
      });
  });
