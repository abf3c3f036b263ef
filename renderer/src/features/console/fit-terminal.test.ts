import { describe, expect, it } from 'vitest';
import { fitSize } from './fit-terminal';

describe('fitSize', () => {
  it('fits whole cells', () => {
    expect(fitSize({ width: 800, height: 480 }, { width: 9, height: 17 })).toEqual({ cols: 88, rows: 28 });
  });
  it('gives nothing for a box not laid out yet, and never less than 2×1', () => {
    expect(fitSize({ width: 0, height: 480 }, { width: 9, height: 17 })).toBeUndefined();
    expect(fitSize({ width: 5, height: 5 }, { width: 9, height: 17 })).toEqual({ cols: 2, rows: 1 });
  });
});
