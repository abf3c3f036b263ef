// PVE's encoding of description (`#`) lines: every byte outside printable ASCII, and ':', as %XX of its UTF-8
// (PVE::Tools::encode_text); reading undoes any %XX, as uri_unescape does, leaving a stray '%' alone.

export const encodeDescription = (line: string): string =>
  [...Buffer.from(line, 'utf8')]
    .map((byte) =>
      byte >= 0x20 && byte <= 0x7e && byte !== 0x3a
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

export const decodeDescription = (text: string): string => {
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    const hex = text[i] === '%' ? /^[0-9a-fA-F]{2}/.exec(text.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 3;
    } else {
      const code = text.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(code);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
};
