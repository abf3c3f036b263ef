import { describe, expect, it } from 'vitest';
import { findMatch, rowFromCells, type SearchRows } from './buffer-search';

/** Rows of one-cell characters, as most terminal output is. */
const rows = (...lines: string[]): SearchRows => ({
  length: lines.length,
  row: (i) => rowFromCells([...(lines[i] ?? '')].map((chars) => ({ chars, width: 1 }))),
});

describe('search in the terminal buffer', () => {
  const buffer = rows('root@n1:~# ls', 'error: disk full', 'ok', 'ERROR again');

  it('finds the first match from the top, then each next one, wrapping around', () => {
    const first = findMatch(buffer, 'error', undefined);
    expect(first).toEqual({ row: 1, column: 0, length: 5 });
    const second = findMatch(buffer, 'error', first);
    expect(second).toEqual({ row: 3, column: 0, length: 5 });
    expect(findMatch(buffer, 'error', second)).toEqual(first);
  });

  it('goes backwards from the bottom and from a match', () => {
    expect(findMatch(buffer, 'error', undefined, { backwards: true })).toEqual({ row: 3, column: 0, length: 5 });
    expect(findMatch(buffer, 'error', { row: 3, column: 0 }, { backwards: true })).toEqual({
      row: 1,
      column: 0,
      length: 5,
    });
  });

  it('matches case only when asked, and finds nothing for an empty or absent query', () => {
    expect(findMatch(buffer, 'ERROR', undefined, { caseSensitive: true })).toEqual({ row: 3, column: 0, length: 5 });
    expect(findMatch(buffer, '', undefined)).toBeUndefined();
    expect(findMatch(buffer, 'panic', undefined)).toBeUndefined();
  });

  it('takes the query literally', () => {
    const b = rows('a.b axb', '[x]');
    expect(findMatch(b, 'a.b', undefined)).toEqual({ row: 0, column: 0, length: 3 });
    expect(findMatch(b, 'a.b', { row: 0, column: 0 })).toEqual({ row: 0, column: 0, length: 3 });
    expect(findMatch(b, '[x]', undefined)).toEqual({ row: 1, column: 0, length: 3 });
  });

  it('steps through several matches on one row', () => {
    const b = rows('foo bar foo');
    const first = findMatch(b, 'foo', undefined);
    expect(first).toEqual({ row: 0, column: 0, length: 3 });
    expect(findMatch(b, 'foo', first)).toEqual({ row: 0, column: 8, length: 3 });
    expect(findMatch(b, 'foo', { row: 0, column: 8 })).toEqual(first);
  });

  it('selects by cells where wide characters take two', () => {
    // 中文 are two cells each; xterm gives the second cell of each as width 0 with no chars.
    const wide = rowFromCells([
      { chars: '中', width: 2 },
      { chars: '', width: 0 },
      { chars: '文', width: 2 },
      { chars: '', width: 0 },
      { chars: 'o', width: 1 },
      { chars: 'k', width: 1 },
      { chars: '', width: 1 },
    ]);
    expect(wide.text).toBe('中文ok ');
    expect(findMatch({ length: 1, row: () => wide }, 'ok', undefined)).toEqual({ row: 0, column: 4, length: 2 });
    expect(findMatch({ length: 1, row: () => wide }, '文', undefined)).toEqual({ row: 0, column: 2, length: 2 });
  });
});
