// Output of a console channel gathered into fewer, larger WebSocket messages: everything that arrives in one turn
// of the event loop goes out as one message (at most MAX bytes each). A browser spends about as much on each message
// as on its bytes, so SSH's ~2 kB chunks sent one by one held a terminal at a third of what the link carries
// (test/bench terminal-throughput). A keystroke's echo still leaves in the same turn it arrived.

export const MAX_BATCH_BYTES = 64 * 1024;

export interface ChunkBatcher {
  push(chunk: Buffer): void;
  /** Send what is gathered now (before the socket closes). */
  flush(): void;
}

export const chunkBatcher = (send: (data: Buffer) => void, maxBytes = MAX_BATCH_BYTES): ChunkBatcher => {
  let chunks: Buffer[] = [];
  let bytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (bytes === 0) return;
    const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bytes);
    chunks = [];
    bytes = 0;
    send(data);
  };
  return {
    push(chunk) {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= maxBytes) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
};
