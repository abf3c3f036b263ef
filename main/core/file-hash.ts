// The sha256 of a local file, streamed (an ISO image is gigabytes), with progress and cancellation; and a quick
// fingerprint that names an upload before its sha256 is known.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
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

const EDGE = 1024 * 1024;

/** sha256 of the file's size, mtime, and first and last MiB: which staged bytes on the node an upload resumes. */
export const fingerprintOfFile = async (path: string, size: number): Promise<string> => {
  const hash = createHash('sha256').update(`${size}\n${(await stat(path)).mtimeMs}\n`);
  const file = await open(path, 'r').catch((error: Error) => {
    throw new AppError('command-failed', `cannot read ${path}: ${error.message}`);
  });
  try {
    const buffer = Buffer.alloc(Math.min(EDGE, size));
    for (const position of size > EDGE ? [0, size - EDGE] : [0]) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
};

/** The worker's body: stream the file through sha256 and post the hex digest (or the error's message). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
const hash = createHash('sha256');
createReadStream(workerData.path, { highWaterMark: ${HIGH_WATER_MARK} })
  .on('data', (chunk) => hash.update(chunk))
  .on('error', (error) => parentPort.postMessage({ error: error.message }))
  .on('end', () => parentPort.postMessage({ sha256: hash.digest('hex') }));
`;

/**
 * sha256OfFile on a worker thread: beside an upload, hashing then takes another core instead of the one that
 * encrypts the SSH stream.
 */
export const sha256OfFileInWorker = (path: string, signal: AbortSignal): Promise<string> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AppError('cancelled', `hashing ${path} was cancelled`));
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } });
    const onAbort = () => {
      void worker.terminate();
      reject(new AppError('cancelled', `hashing ${path} was cancelled`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (action: () => void) => {
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    worker.once('message', (message: { sha256?: string; error?: string }) =>
      settle(() =>
        message.sha256 !== undefined ? resolve(message.sha256) : reject(new AppError('command-failed', `cannot read ${path}: ${message.error ?? 'unknown error'}`)),
      ),
    );
    worker.once('error', (error) => settle(() => reject(new AppError('internal-error', `hashing ${path} failed: ${error.message}`))));
  });
