// JSON-RPC 2.0 framing: one JSON message per line. stdout carries protocol only.
import { z } from 'zod';
import { WireError } from '../api/errors';

export const RequestId = z.union([z.number().int(), z.string().max(128)]);
export type RequestId = z.infer<typeof RequestId>;

export const RequestMessage = z.object({
  jsonrpc: z.literal('2.0'),
  id: RequestId,
  method: z.string().max(128),
  params: z.unknown().optional(),
});

export const NotificationMessage = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string().max(128),
  params: z.unknown().optional(),
});

export const ResponseMessage = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: RequestId, result: z.unknown() }),
  z.object({ jsonrpc: z.literal('2.0'), id: RequestId.nullable(), error: WireError }),
]);
export type ResponseMessage = z.infer<typeof ResponseMessage>;

/** A line longer than this is a protocol error, not an allocation. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Splits a byte stream into lines; calls onLine for each complete one. */
export class LineSplitter {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = this.bufferedBytes === 0 ? piece : Buffer.concat([...this.buffered, piece]);
      this.buffered = [];
      this.bufferedBytes = 0;
      start = nl + 1;
      if (line.length > 0) this.onLine(line.toString('utf8'));
    }
    if (start < chunk.length) {
      this.buffered.push(chunk.subarray(start));
      this.bufferedBytes += chunk.length - start;
      if (this.bufferedBytes > MAX_LINE_BYTES) {
        this.buffered = [];
        this.bufferedBytes = 0;
        this.onOverflow();
      }
    }
  }
}

export const encode = (message: unknown): string => `${JSON.stringify(message)}\n`;
