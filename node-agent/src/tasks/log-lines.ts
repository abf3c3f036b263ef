// How task log text becomes lines: shared by the writer and the reader so both count lines the same way.

/** A longer line is split into pieces of at most this many bytes, cut on a UTF-8 character boundary. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/** Where to cut a line that is longer than the limit: back off over at most 3 UTF-8 continuation bytes. */
const cutPoint = (line: Buffer, limit: number): number => {
  let cut = limit;
  while (cut > limit - 3 && (line[cut]! & 0xc0) === 0x80) cut -= 1;
  // Only continuation bytes (garbage, not UTF-8): any cut is as good as another.
  return (line[cut]! & 0xc0) === 0x80 ? limit : cut;
};

/** Split one line (no newline inside) into pieces of at most `limit` bytes. Greedy from the start. */
export const splitLongLine = (line: Buffer, limit = MAX_LOG_LINE_BYTES): Buffer[] => {
  const pieces: Buffer[] = [];
  let rest = line;
  while (rest.length > limit) {
    const cut = cutPoint(rest, limit);
    pieces.push(rest.subarray(0, cut));
    rest = rest.subarray(cut);
  }
  pieces.push(rest);
  return pieces;
};

/** Text as log lines: split on newlines (a trailing one ends the last line, it does not add an empty one), '\r' dropped at line ends. */
export const textToLines = (text: string): string[] => {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
};
