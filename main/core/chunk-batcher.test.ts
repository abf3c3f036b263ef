import { describe, expect, it } from 'vitest';
import { chunkBatcher } from './chunk-batcher';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('chunkBatcher', () => {
  it('sends the chunks of one event-loop turn as one message, in order', async () => {
    const sent: string[] = [];
    const batcher = chunkBatcher((data) => sent.push(data.toString()));
    batcher.push(Buffer.from('ab'));
    batcher.push(Buffer.from('cd'));
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual(['abcd']);
    batcher.push(Buffer.from('e'));
    await nextTurn();
    expect(sent).toEqual(['abcd', 'e']);
  });

  it('sends at once when a batch reaches its size, and flush sends the rest before a close', () => {
    const sent: number[] = [];
    const batcher = chunkBatcher((data) => sent.push(data.length), 10);
    batcher.push(Buffer.alloc(6));
    batcher.push(Buffer.alloc(6));
    expect(sent).toEqual([12]);
    batcher.push(Buffer.alloc(3));
    batcher.flush();
    expect(sent).toEqual([12, 3]);
  });
});
