// Reading a line-oriented config file (storage.cfg, qemu-server and lxc confs): lines that remember their own line
// end, so a file written back keeps CRLF or LF line by line and a missing final newline; the checks every line
// passes; and the error naming the file and line.
import { AppError } from '../api/errors';

export type Eol = '\n' | '\r\n' | '';

/** Splits text into lines with their own line ends; a last line without a newline gets eol ''. */
export const splitLines = (text: string): { text: string; eol: Eol }[] => {
  const lines: { text: string; eol: Eol }[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      lines.push({ text: text.slice(start), eol: '' });
      break;
    }
    const crlf = end > start && text[end - 1] === '\r';
    lines.push({ text: text.slice(start, crlf ? end - 1 : end), eol: crlf ? '\r\n' : '\n' });
    start = end + 1;
  }
  return lines;
};

/** C0 controls but tab, DEL; CR only as part of a CRLF line end (split off before this check). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Throws invalid-params `file line N: message` with details {file, line, message, ...details}. */
export const lineError = (
  file: string,
  line: number,
  message: string,
  details: Record<string, unknown> = {},
): never => {
  throw new AppError('invalid-params', `${file} line ${line}: ${message}`, { file, line, message, ...details });
};

/** Why the text of line `n` cannot be in a config file (broken UTF-8, a byte order mark, control characters). */
export const lineTextProblem = (n: number, text: string): string | undefined => {
  if (text.includes('\ufffd')) return 'is not valid UTF-8 (replacement character)';
  if (n === 1 && text.startsWith('\ufeff')) return 'starts with a byte order mark — save the file without one';
  if (CONTROL_CHARS.test(text)) return 'contains a control character';
  return undefined;
};
