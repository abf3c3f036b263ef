import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecked } from '../../node-agent/src/exec/run';
import { fingerprint, hostEntryName, keyTypeOf, KnownHosts, parseKnownHostsLine } from './known-hosts';

const fixtures = join(import.meta.dirname, '__fixtures__');
const fixtureText = await readFile(join(fixtures, 'known_hosts'), 'utf8');

/** The key blob of the fixture line whose host field is `hosts` (first one, unmarked unless marker given). */
const keyOf = (hosts: string, keyType?: string, marker?: 'revoked' | 'cert-authority'): Buffer => {
  for (const line of fixtureText.split('\n')) {
    const entry = parseKnownHostsLine(line);
    if (
      entry &&
      entry.hosts === hosts &&
      entry.marker === marker &&
      (keyType === undefined || entry.keyType === keyType)
    )
      return entry.key;
  }
  throw new Error(`fixture has no ${hosts} ${keyType ?? ''}`);
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-known-hosts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fingerprint', () => {
  it('prints what ssh-keygen -lf printed for every key of the captured file', async () => {
    const captured = (await readFile(join(fixtures, 'known_hosts.ssh-keygen-lf.txt'), 'utf8')).trim().split('\n');
    const ours = fixtureText
      .split('\n')
      .map(parseKnownHostsLine)
      .filter((entry) => entry !== undefined && entry.marker === undefined)
      .map((entry) => fingerprint(entry!.key));
    expect(ours).toEqual(captured.map((line) => line.split(' ')[1]));
  });

  it('agrees with ssh-keygen -lf on a key generated now', async () => {
    const keyPath = join(dir, 'fresh');
    await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fresh', '-f', keyPath]);
    const pub = (await readFile(`${keyPath}.pub`, 'utf8')).split(' ');
    const blob = Buffer.from(pub[1]!, 'base64');
    const printed = (await runChecked('ssh-keygen', ['-lf', `${keyPath}.pub`])).stdout.split(' ')[1];
    expect(fingerprint(blob)).toBe(printed);
    expect(fingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
  });
});

describe.each([
  ['plain', 'known_hosts'],
  ['hashed by ssh-keygen -H', 'known_hosts.hashed'],
])('KnownHosts.check on a %s file', (_label, file) => {
  let knownHosts: KnownHosts;
  beforeAll(async () => {
    knownHosts = await KnownHosts.load(join(fixtures, file));
  });

  const ed1 = keyOf('node1.example,198.18.0.11');
  const ecdsa2 = keyOf('[node2.example]:2222');
  const rsa3 = keyOf('node3.example', 'ssh-rsa');
  const ed3 = keyOf('node3.example', 'ssh-ed25519');
  const revoked = keyOf('node4.example', 'ssh-ed25519', 'revoked');
  const ca = keyOf('*.example', 'ssh-ed25519', 'cert-authority');

  it('knows a listed key under each name of its line, case-insensitively', () => {
    expect(knownHosts.check('node1.example', 22, 'ssh-ed25519', ed1)).toBe('known');
    expect(knownHosts.check('198.18.0.11', 22, 'ssh-ed25519', ed1)).toBe('known');
    expect(knownHosts.check('NODE1.example', 22, 'ssh-ed25519', ed1)).toBe('known');
  });

  it('keeps ports apart: [host]:port is another host than host on 22', () => {
    expect(knownHosts.check('node2.example', 2222, 'ecdsa-sha2-nistp256', ecdsa2)).toBe('known');
    expect(knownHosts.check('node2.example', 22, 'ecdsa-sha2-nistp256', ecdsa2)).toBe('new');
    expect(knownHosts.check('node1.example', 2222, 'ssh-ed25519', ed1)).toBe('new');
  });

  it('calls another key of a listed type changed, and names the one expected', () => {
    const lookup = knownHosts.lookup('node1.example', 22, 'ssh-ed25519', ed3);
    expect(lookup.match).toBe('changed');
    expect(lookup.expected).toEqual([fingerprint(ed1)]);
  });

  it('calls a key of a type not listed for the host new, even when other types are', () => {
    expect(knownHosts.check('node1.example', 22, 'ecdsa-sha2-nistp256', ecdsa2)).toBe('new');
    expect(knownHosts.check('node3.example', 22, 'ssh-ed25519', ed3)).toBe('known');
    expect(knownHosts.check('node3.example', 22, 'ssh-rsa', rsa3)).toBe('known');
    expect(knownHosts.knownKeyTypes('node3.example', 22).sort()).toEqual(['ssh-ed25519', 'ssh-rsa']);
  });

  it('refuses a @revoked key even where a plain line lists it', () => {
    const lookup = knownHosts.lookup('node4.example', 22, 'ssh-ed25519', revoked);
    expect(lookup).toMatchObject({ match: 'changed', revoked: true });
  });

  it('ignores @cert-authority lines', () => {
    expect(knownHosts.check('any.example', 22, 'ssh-ed25519', ca)).toBe('new');
  });

  it('never matches an unknown host', () => {
    expect(knownHosts.check('elsewhere.test', 22, 'ssh-ed25519', ed1)).toBe('new');
  });
});

describe('host patterns', () => {
  it('honours wildcards and negation as OpenSSH does', async () => {
    const knownHosts = await KnownHosts.load(join(fixtures, 'known_hosts'));
    const other = keyOf('*.wild.example,!bad.wild.example');
    expect(knownHosts.check('a.wild.example', 22, 'ssh-ed25519', other)).toBe('known');
    expect(knownHosts.check('bad.wild.example', 22, 'ssh-ed25519', other)).toBe('new');
    expect(knownHosts.check('wild.example', 22, 'ssh-ed25519', other)).toBe('new');
  });

  it('names non-default ports [host]:port', () => {
    expect(hostEntryName('Node1', 22)).toBe('node1');
    expect(hostEntryName('198.18.0.11', 2222)).toBe('[198.18.0.11]:2222');
  });
});

describe('KnownHosts.add and remove', () => {
  it('appends lines ssh-keygen can find, keeps comments and blank lines, writes mode 0600', async () => {
    const path = join(dir, 'kh-add');
    await writeFile(path, fixtureText, { mode: 0o644 });
    const knownHosts = await KnownHosts.load(path);
    const key = keyOf('node3.example', 'ssh-ed25519');
    await knownHosts.add('198.18.0.12', 2222, 'ssh-ed25519', key);
    await knownHosts.add('198.18.0.12', 2222, 'ssh-ed25519', key); // already known: no second line
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(fixtureText)).toBe(true);
    expect(text.slice(fixtureText.length)).toBe(`[198.18.0.12]:2222 ssh-ed25519 ${key.toString('base64')}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const found = await runChecked('ssh-keygen', ['-F', '[198.18.0.12]:2222', '-f', path]);
    expect(found.stdout).toContain(key.toString('base64'));
    expect(knownHosts.check('198.18.0.12', 2222, 'ssh-ed25519', key)).toBe('known');
  });

  it('rereads the file before writing, so lines added by someone else survive', async () => {
    const path = join(dir, 'kh-concurrent');
    const knownHosts = await KnownHosts.load(path);
    await writeFile(path, `node9 ssh-ed25519 ${keyOf('node3.example', 'ssh-ed25519').toString('base64')}\n`);
    await Promise.all([
      knownHosts.add('node1.example', 22, 'ssh-ed25519', keyOf('node1.example,198.18.0.11')),
      knownHosts.add('node2.example', 2222, 'ecdsa-sha2-nistp256', keyOf('[node2.example]:2222')),
    ]);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['node9', 'node1.example', '[node2.example]:2222']);
  });

  it('picks up a key removed by ssh-keygen -R and can remove keys itself', async () => {
    const path = join(dir, 'kh-remove');
    await writeFile(path, fixtureText);
    const knownHosts = await KnownHosts.load(path);
    const ed1 = keyOf('node1.example,198.18.0.11');
    await runChecked('ssh-keygen', ['-R', '198.18.0.11', '-f', path]);
    await knownHosts.refresh();
    expect(knownHosts.check('node1.example', 22, 'ssh-ed25519', ed1)).toBe('new');

    await knownHosts.remove('node3.example', 22, 'ssh-rsa');
    expect(knownHosts.check('node3.example', 22, 'ssh-rsa', keyOf('node3.example', 'ssh-rsa'))).toBe('new');
    expect(knownHosts.check('node3.example', 22, 'ssh-ed25519', keyOf('node3.example', 'ssh-ed25519'))).toBe('known');
    const text = await readFile(path, 'utf8');
    expect(text).toContain('@revoked node4.example');
    expect(text).toContain('# captured');
  });

  it('reads its own plain file after ssh-keygen -H hashed it', async () => {
    const path = join(dir, 'kh-hash');
    const knownHosts = await KnownHosts.load(path);
    const key = keyOf('node3.example', 'ssh-ed25519');
    await knownHosts.add('node7.example', 2200, 'ssh-ed25519', key);
    await runChecked('ssh-keygen', ['-H', '-f', path]);
    expect(await readFile(path, 'utf8')).toMatch(/^\|1\|/);
    await knownHosts.refresh();
    expect(knownHosts.check('node7.example', 2200, 'ssh-ed25519', key)).toBe('known');
    expect(knownHosts.check('node7.example', 22, 'ssh-ed25519', key)).toBe('new');
  });
});
