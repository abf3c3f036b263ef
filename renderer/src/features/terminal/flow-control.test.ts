import { describe, expect, it } from 'vitest';
import { FLOW_HIGH_WATER, FLOW_LOW_WATER, FlowControl } from './flow-control';

describe('terminal flow control', () => {
  it('pauses once when more than the high mark is queued and resumes once below the low mark', () => {
    const flow = new FlowControl();
    expect(flow.written(FLOW_HIGH_WATER)).toBeUndefined();
    expect(flow.written(1)).toBe('{"pause":true}');
    // Already paused: more data in flight does not ask again.
    expect(flow.written(64 * 1024)).toBeUndefined();
    expect(flow.isPaused).toBe(true);
    // Rendering down to just above the low mark keeps the pause.
    expect(flow.rendered(FLOW_HIGH_WATER + 1 + 64 * 1024 - FLOW_LOW_WATER - 1)).toBeUndefined();
    expect(flow.pending).toBe(FLOW_LOW_WATER + 1);
    expect(flow.rendered(1)).toBe('{"pause":false}');
    expect(flow.rendered(FLOW_LOW_WATER)).toBeUndefined();
    expect(flow.isPaused).toBe(false);
  });

  it('never goes below nothing queued, and starts over on a new connection', () => {
    const flow = new FlowControl(100, 10);
    flow.written(50);
    expect(flow.rendered(80)).toBeUndefined();
    expect(flow.pending).toBe(0);
    expect(flow.written(101)).toBe('{"pause":true}');
    flow.reset();
    expect(flow.isPaused).toBe(false);
    expect(flow.pending).toBe(0);
    expect(flow.written(101)).toBe('{"pause":true}');
  });
});
