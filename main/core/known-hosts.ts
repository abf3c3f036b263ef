// The app's known_hosts file, in OpenSSH's format, so `ssh-keygen -F/-R/-H` and plain ssh can read what we write.
// Lookup follows OpenSSH's hostfile.c: host patterns (lists, wildcards, negation), `[host]:port` for
// ports other than 22, hashed names (|1|salt|hmac), @revoked keys. Lines we do not understand are kept as they are.
import { createHash, createHmac } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../../node-agent/src/api';
import { writeFileAtomic } from '../../node-agent/src/fs/atomic-file';

export type HostKeyMatch = 'known' | 'new' | 'changed';

export interface HostKeyLookup {
  /** 'changed' also when the key is @revoked: it is refused either way. */
  match: HostKeyMatch;
  revoked: boolean;
  /** Fingerprints of the keys of this type known for this host (what we expected, when changed). */
  expected: string[];
}

interface Entry {
  marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field as written: a pattern list or one hashed name. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** `SHA256:` + unpadded base64 of sha256(key blob), exactly as `ssh-keygen -lf` prints it. */
export const fingerprint = (keyBlob: Buffer): string =>
  `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;

/** The key type named inside an SSH public key blob (its first string), e.g. ssh-ed25519. */
export const keyTypeOf = (keyBlob: Buffer): string => {
  if (keyBlob.length < 4) throw new AppError('protocol-error', 'the host key blob is truncated');
  const length = keyBlob.readUInt32BE(0);
  if (length > 64 || keyBlob.length < 4 + length)
    throw new AppError('protocol-error', 'the host key blob is malformed');
  return keyBlob.subarray(4, 4 + length).toString('latin1');
};

/** How OpenSSH names a host in known_hosts: the bare name on port 22, `[host]:port` otherwise. */
export const hostEntryName = (host: string, port: number): string =>
  port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;

const globToRegExp = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

/** OpenSSH's match_hostname: any positive pattern matches and no negated one does. */
const matchPatternList = (name: string, list: string): boolean => {
  let matched = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern === '' || !globToRegExp(pattern).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
};

const matchHashed = (name: string, hashed: string): boolean => {
  const [, magic, salt, hmac] = hashed.split('|');
  if (magic !== '1' || salt === undefined || hmac === undefined) return false;
  const expected = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return expected === hmac;
};

const hostMatches = (name: string, hosts: string): boolean =>
  hosts.startsWith('|') ? matchHashed(name, hosts) : matchPatternList(name, hosts);

/** One line into an entry; undefined for comments, blanks and lines we cannot read (kept, never matched). */
export const parseKnownHostsLine = (line: string): Entry | undefined => {
  const fields = line.trim().split(/[ \t]+/);
  if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return undefined;
  let marker: Entry['marker'];
  if (fields[0].startsWith('@')) {
    if (fields[0] === '@revoked') marker = 'revoked';
    else if (fields[0] === '@cert-authority') marker = 'cert-authority';
    else return undefined;
    fields.shift();
  }
  const [hosts, keyType, base64] = fields;
  if (hosts === undefined || keyType === undefined || base64 === undefined || !/^[A-Za-z0-9+/]+=*$/.test(base64))
    return undefined;
  const key = Buffer.from(base64, 'base64');
  if (key.length === 0) return undefined;
  return { marker, hosts, keyType, key };
};

export class KnownHosts {
  private lines: string[] = [];
  private entries: (Entry | undefined)[] = [];
  private seen: { mtimeMs: number; size: number } | undefined;
  /** Writes are serialized so two sessions accepting keys at once do not lose one. */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(readonly path: string) {}

  /** Open (the file may not exist yet: then nothing is known). */
  static async load(path: string): Promise<KnownHosts> {
    const knownHosts = new KnownHosts(path);
    await knownHosts.refresh();
    return knownHosts;
  }

  /** Reread the file if someone changed it (ssh-keygen -R, the CLI, another window). */
  async refresh(): Promise<void> {
    const info = await stat(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new AppError('internal-error', `cannot read ${this.path}: ${error.message}`);
    });
    if (info === undefined) {
      this.setText('');
      this.seen = undefined;
      return;
    }
    if (this.seen && this.seen.mtimeMs === info.mtimeMs && this.seen.size === info.size) return;
    this.setText(await readFile(this.path, 'utf8'));
    this.seen = { mtimeMs: info.mtimeMs, size: info.size };
  }

  /**
   * Like OpenSSH: a key equal to one listed for the host is known (even if other keys of its type are
   * listed too); other keys of the same type listed for the host make it changed; keys of other types
   * alone leave it new (OpenSSH would ask, noting keys of another type are known; we also ask). A
   * matching @revoked line refuses the key whatever else says. @cert-authority lines are ignored:
   * ssh2 cannot verify host certificates, so a CA line vouches for nothing here.
   */
  lookup(host: string, port: number, keyType: string, keyBlob: Buffer): HostKeyLookup {
    const name = hostEntryName(host, port);
    let known = false;
    let revoked = false;
    const expected: string[] = [];
    for (const entry of this.entries) {
      if (entry === undefined || entry.marker === 'cert-authority' || !hostMatches(name, entry.hosts)) continue;
      const same = entry.key.equals(keyBlob);
      if (entry.marker === 'revoked') {
        if (same) revoked = true;
        continue;
      }
      if (entry.keyType !== keyType) continue;
      if (same) known = true;
      else expected.push(fingerprint(entry.key));
    }
    if (revoked) return { match: 'changed', revoked, expected };
    return { match: known ? 'known' : expected.length > 0 ? 'changed' : 'new', revoked, expected };
  }

  check(host: string, port: number, keyType: string, keyBlob: Buffer): HostKeyMatch {
    return this.lookup(host, port, keyType, keyBlob).match;
  }

  /** Key types listed for the host, so the connection can prefer them the way OpenSSH orders HostKeyAlgorithms. */
  knownKeyTypes(host: string, port: number): string[] {
    const name = hostEntryName(host, port);
    const types = new Set<string>();
    for (const entry of this.entries)
      if (entry !== undefined && entry.marker === undefined && hostMatches(name, entry.hosts)) types.add(entry.keyType);
    return [...types];
  }

  /** Append `host keytype base64` (or `[host]:port …`), rereading first so changes made meanwhile survive. */
  add(host: string, port: number, keyType: string, keyBlob: Buffer): Promise<void> {
    return this.update(() => {
      if (this.check(host, port, keyType, keyBlob) === 'known') return false;
      this.lines.push(`${hostEntryName(host, port)} ${keyType} ${keyBlob.toString('base64')}`);
      return true;
    });
  }

  /**
   * Remove the host's keys (of one type, or all), as `ssh-keygen -R` does: a matching line goes as a
   * whole, even when it also names other hosts; @revoked and @cert-authority lines stay.
   */
  remove(host: string, port: number, keyType?: string): Promise<void> {
    const name = hostEntryName(host, port);
    return this.update(() => {
      const before = this.lines.length;
      this.lines = this.lines.filter((line) => {
        const entry = parseKnownHostsLine(line);
        if (entry === undefined || entry.marker !== undefined || !hostMatches(name, entry.hosts)) return true;
        return keyType !== undefined && entry.keyType !== keyType;
      });
      return this.lines.length !== before;
    });
  }

  private update(change: () => boolean): Promise<void> {
    const next = this.writing.then(async () => {
      this.seen = undefined;
      await this.refresh();
      if (!change()) return;
      const text = this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
      try {
        await writeFileAtomic(this.path, text, 0o600);
      } catch (error) {
        this.seen = undefined;
        throw new AppError('internal-error', `cannot write ${this.path}: ${(error as Error).message}`);
      }
      this.setText(text);
      const info = await stat(this.path);
      this.seen = { mtimeMs: info.mtimeMs, size: info.size };
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  private setText(text: string): void {
    this.lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
    if (this.lines.at(-1) === '') this.lines.pop();
    this.entries = this.lines.map(parseKnownHostsLine);
  }
}
