import { describe, expect, it } from 'vitest';
import { isAppError } from '../../node-agent/src/api/errors';
import { percentile, summarize, summarizeOrNone } from './stats';
import { formatFigure } from './table';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the sample at ceil(p/100 × n)', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7, 8, 9], 50)).toBe(8);
  });

  it('never interpolates: p99 of few samples is the largest one', () => {
    expect(percentile([1, 2, 3, 1000], 99)).toBe(1000);
    expect(percentile([1, 2, 3, 1000], 0)).toBe(1);
  });

  it('refuses no samples and percentiles outside 0..100', () => {
    expect(
      isAppError(
        catchError(() => percentile([], 50)),
        'invalid-params',
      ),
    ).toBe(true);
    expect(
      isAppError(
        catchError(() => percentile([1], 101)),
        'invalid-params',
      ),
    ).toBe(true);
    expect(
      isAppError(
        catchError(() => percentile([1], Number.NaN)),
        'invalid-params',
      ),
    ).toBe(true);
  });
});

describe('summarize', () => {
  it('sorts a copy, leaving the samples in measured order', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(summarize(samples)).toEqual({ n: 5, min: 1, mean: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('gives undefined, not an error, for a reference without samples', () => {
    expect(summarizeOrNone([])).toBeUndefined();
    expect(summarizeOrNone([2])?.p99).toBe(2);
  });
});

describe('formatFigure', () => {
  it('keeps about three significant digits and shows missing figures as a dash', () => {
    expect(formatFigure(0.41234, 'ms')).toBe('0.412 ms');
    expect(formatFigure(3.214, 'ms')).toBe('3.21 ms');
    expect(formatFigure(48.66, 'MiB')).toBe('48.7 MiB');
    expect(formatFigure(1234.4, 'ms')).toBe('1234 ms');
    expect(formatFigure(undefined, 'ms')).toBe('—');
    expect(formatFigure(Number.NaN, '%')).toBe('—');
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}
