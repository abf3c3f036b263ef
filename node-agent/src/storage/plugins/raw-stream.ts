// Raw bytes between a file and a stream: exporting a raw image, and importing into one without filling the holes
// (all-zero blocks are skipped, so a mostly empty disk stays sparse on the storage).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../api/errors';

const BLOCK = 64 * 1024;

export const exportRawFile = async (path: string, out: Writable, signal: AbortSignal): Promise<void> => {
  await pipeline(createReadStream(path, { highWaterMark: BLOCK }), out, { signal });
};

const isZero = (buffer: Buffer): boolean => {
  for (let i = 0; i < buffer.length; i++) if (buffer[i] !== 0) return false;
  return true;
};

/**
 * Write `input` from offset 0 into the existing file at `path`, never past `limit` bytes (the volume's size:
 * more data than that is refused rather than silently growing the disk). Returns the bytes received.
 */
export const importRawFile = async (path: string, input: Readable, limit: number, subject: string, signal: AbortSignal): Promise<number> => {
  const handle = await open(path, 'r+');
  let offset = 0;
  try {
    for await (const chunk of input) {
      if (signal.aborted) throw new AppError('cancelled', `${subject}: the import was cancelled`);
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      if (offset + data.length > limit) {
        throw new AppError('invalid-params', `${subject}: the data is larger than the volume (${limit} bytes)`, { size: limit });
      }
      for (let start = 0; start < data.length; start += BLOCK) {
        const block = data.subarray(start, Math.min(start + BLOCK, data.length));
        if (!isZero(block)) await handle.write(block, 0, block.length, offset + start);
      }
      offset += data.length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return offset;
};
