// Find text in a terminal's buffer (what @xterm/addon-search does, without the addon): row by row, from just after
// the current match, wrapping around. Rows carry the cell column of each character, because a wide (CJK) character
// takes two cells and xterm selects by cells, not by string index.

/** One buffer row as text, and the cell column where each UTF-16 unit of the text sits (plus the end column). */
export interface SearchRow {
  text: string;
  columns: readonly number[];
}

/** The row of cells xterm's IBufferLine gives (getCell(x).getChars()/getWidth()); width 0 is a wide char's tail. */
export const rowFromCells = (cells: Iterable<{ chars: string; width: number }>): SearchRow => {
  let text = '';
  const columns: number[] = [];
  let column = 0;
  for (const cell of cells) {
    if (cell.width === 0) continue;
    // An empty cell is a blank in the terminal.
    const chars = cell.chars === '' ? ' ' : cell.chars;
    for (let i = 0; i < chars.length; i++) columns.push(column);
    text += chars;
    column += cell.width;
  }
  columns.push(column);
  return { text, columns };
};

export interface SearchRows {
  readonly length: number;
  row(index: number): SearchRow;
}

export interface SearchMatch {
  row: number;
  /** Cell column and width in cells: what terminal.select(column, row, length) takes. */
  column: number;
  length: number;
}

export interface SearchOptions {
  backwards?: boolean;
  caseSensitive?: boolean;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every match in one row, left to right, as [text index, text length]. */
const matchesIn = (text: string, pattern: RegExp): [number, number][] => {
  const found: [number, number][] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    found.push([m.index, m[0].length]);
    // Overlapping matches ("aa" in "aaa") are found one cell apart, as a person stepping through expects.
    pattern.lastIndex = m.index + 1;
  }
  return found;
};

/**
 * The next match after `from` (the current match's start; undefined starts at the top going forward and at the
 * bottom going backwards), wrapping around the buffer once. An empty query finds nothing.
 */
export const findMatch = (
  rows: SearchRows,
  query: string,
  from: { row: number; column: number } | undefined,
  options: SearchOptions = {},
): SearchMatch | undefined => {
  if (query === '' || rows.length === 0) return undefined;
  const pattern = new RegExp(escapeRegExp(query), options.caseSensitive === true ? 'g' : 'gi');
  const back = options.backwards === true;
  const start = from ?? { row: back ? rows.length - 1 : 0, column: back ? Number.POSITIVE_INFINITY : -1 };
  // rows.length + 1 steps: the starting row is visited again at the end for matches on its other side.
  for (let step = 0; step <= rows.length; step++) {
    const index = (((back ? start.row - step : start.row + step) % rows.length) + rows.length) % rows.length;
    const row = rows.row(index);
    const hits = matchesIn(row.text, pattern).map(([at, length]): SearchMatch => {
      const column = row.columns[at] ?? 0;
      return { row: index, column, length: (row.columns[at + length] ?? column) - column };
    });
    const first = step === 0;
    const last = step === rows.length;
    const eligible = hits.filter((hit) => {
      if (first && from !== undefined) return back ? hit.column < start.column : hit.column > start.column;
      if (last && from !== undefined) return back ? hit.column >= start.column : hit.column <= start.column;
      return true;
    });
    const hit = back ? eligible.at(-1) : eligible[0];
    if (hit !== undefined) return hit;
  }
  return undefined;
};
