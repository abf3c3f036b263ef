// The sha256 of one file inside a .tgz, read as a stream without unpacking anything to disk: gunzip, then walk
// the tar headers (ustar, with pax and GNU long-name records) to the wanted member.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

const cString = (bytes) => {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
};

const octal = (bytes, what) => {
  // A leading 0x80 byte means base-256 (sizes of 8 GiB and more): no member we digest is that large.
  if (bytes[0] & 0x80) throw new Error(`tar ${what} in base-256 is not supported`);
  const text = cString(bytes).trim();
  return text === '' ? 0 : parseInt(text, 8);
};

/** `path=…` from a pax extended header body (records are `<len> <key>=<value>\n`). */
const paxPath = (body) => {
  const text = body.toString('utf8');
  for (const record of text.split('\n')) {
    const match = /^\d+ path=(.*)$/s.exec(record);
    if (match) return match[1];
  }
  return undefined;
};

/**
 * Resolves the lower-case hex sha256 of the regular file `entry` (e.g. 'package/bin/node') in the gzip'd tar at
 * `tgzPath`, or undefined when the archive has no such member.
 */
export const tarEntrySha256 = async (tgzPath, entry) => {
  const stream = createReadStream(tgzPath).pipe(createGunzip());
  let buffer = Buffer.alloc(0);
  // The member being read: bytes left including padding, data bytes left, and where its data goes.
  let body = 0;
  let data = 0;
  let sink;
  let longName;
  for await (const chunk of stream) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (body > 0) {
        const take = Math.min(body, buffer.length);
        if (take === 0) break;
        const real = Math.min(data, take);
        sink?.update(buffer.subarray(0, real));
        data -= real;
        body -= take;
        buffer = buffer.subarray(take);
        if (body > 0) continue;
        if (sink?.kind === 'hash') {
          stream.destroy();
          return sink.hash.digest('hex');
        }
        if (sink?.kind === 'name') longName = sink.name();
        sink = undefined;
        continue;
      }
      if (buffer.length < BLOCK) break;
      const header = buffer.subarray(0, BLOCK);
      buffer = buffer.subarray(BLOCK);
      if (header.every((byte) => byte === 0)) return undefined; // the end-of-archive blocks
      const size = octal(header.subarray(124, 136), 'size');
      const type = String.fromCharCode(header[156] || 0x30);
      const ustar = header.subarray(257, 262).toString('latin1') === 'ustar';
      const prefix = ustar ? cString(header.subarray(345, 500)) : '';
      const name = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
      body = Math.ceil(size / BLOCK) * BLOCK;
      data = size;
      if (type === 'x' || type === 'L') {
        // The next member's real name: a pax `path=` record or a GNU long name.
        const parts = [];
        sink = {
          kind: 'name',
          update: (bytes) => parts.push(Buffer.from(bytes)),
          name: () => (type === 'x' ? paxPath(Buffer.concat(parts)) : cString(Buffer.concat(parts))),
        };
      } else {
        longName = undefined;
        if ((type === '0' || type === '7') && name === entry) {
          const hash = createHash('sha256');
          sink = { kind: 'hash', hash, update: (bytes) => hash.update(bytes) };
          if (size === 0) {
            stream.destroy();
            return hash.digest('hex');
          }
        } else sink = undefined;
      }
    }
  }
  return undefined;
};
