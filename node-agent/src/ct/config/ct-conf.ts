// lxc/<ctid>.conf read and written with the guests' line-preserving document (vm/config/conf-document). The one
// difference the document does not know yet: pve-container writes the pending section as `[pve:pending]`, where
// qemu-server writes `[PENDING]` (and a CT's `[PENDING]` is a snapshot of that name to PVE). Here the header is
// mapped on the way in and out, so write(parse(text)) stays the same bytes and PVE reads what we write.
import { AppError } from '../../api/errors';
import { PENDING, parseVmConf, serializeVmConf, type VmConf } from '../../vm/config/conf-document';

export const CT_PENDING_HEADER = '[pve:pending]';
const PVE_PENDING = /^\[pve:pending\]\s*$/i;

/** Parses a container config; every line is kept. Malformed input: AppError invalid-params naming the line. */
export const parseCtConf = (text: string, file = 'lxc/<ctid>.conf'): VmConf => {
  const pieces = text.split('\n');
  const originals = new Map<number, string>();
  const mapped = pieces.map((piece, index) => {
    const bare = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
    if (/^\[PENDING\]\s*$/.test(bare))
      throw new AppError(
        'invalid-params',
        `${file} line ${index + 1}: a container's pending section is ${CT_PENDING_HEADER}, not [PENDING]`,
        { file, line: index + 1 },
      );
    if (/^lxc\.[a-z0-9_.-]+\s*[:=]/.test(bare))
      throw new AppError(
        'not-supported',
        `${file} line ${index + 1}: raw lxc.* lines cannot be read into the config document yet`,
        { file, line: index + 1 },
      );
    if (!PVE_PENDING.test(bare)) return piece;
    originals.set(index, bare);
    return piece.endsWith('\r') ? '[PENDING]\r' : '[PENDING]';
  });
  const conf = parseVmConf(mapped.join('\n'), file);
  return {
    ...conf,
    lines: conf.lines.map((line, index) => {
      const original = originals.get(index);
      return line.kind === 'header' && original !== undefined ? { ...line, text: original } : line;
    }),
  };
};

/**
 * After an edit through conf-document (setKey(conf, PENDING, …), addSection(conf, PENDING, …)): the pending header
 * written the container's way. Other lines are untouched.
 */
export const asCtConf = (conf: VmConf): VmConf => ({
  ...conf,
  lines: conf.lines.map((line) =>
    line.kind === 'header' && line.name === PENDING && !PVE_PENDING.test(line.text)
      ? { ...line, text: CT_PENDING_HEADER }
      : line,
  ),
});

/** The text of a container config: exactly the input for an unedited one. */
export const serializeCtConf = (conf: VmConf): string => serializeVmConf(asCtConf(conf));
