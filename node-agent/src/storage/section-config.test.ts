import { describe, expect, it } from 'vitest';
import {
  addSection,
  deleteProperty,
  findSection,
  parseSectionConfig,
  removeSection,
  sectionValues,
  sectionsOf,
  setProperty,
  updateSection,
  writeSectionConfig,
  type SectionDocument,
} from './section-config';
import { fixture, thrown } from './__fixtures__/fixtures';

const roundTrip = (text: string): string => writeSectionConfig(parseSectionConfig(text));

/** The AppError a call throws (fails the test when it does not throw one). */
describe('parseSectionConfig / writeSectionConfig round trip', () => {
  it.each(['storage.cfg', 'storage.crlf.cfg', 'storage.no-final-newline.cfg'])(
    '%s comes back byte for byte',
    (name) => {
      const text = fixture(name);
      expect(roundTrip(text)).toBe(text);
    },
  );

  it('keeps odd but valid shapes: empty file, only comments, blank lines with spaces, mixed line ends', () => {
    for (const text of [
      '',
      '\n',
      '# only a comment',
      '# a\n\n   \n# b\n',
      'dir: aa\r\n\tpath /x\n\n  \t\ndir: bb\n  # indented comment\n\tpath /y  \t',
      'dir: aa\n\tdisable\n\n\n\ndir:bb\n',
    ])
      expect(roundTrip(text)).toBe(text);
  });

  it('reads sections, flags, values with inner spaces, comments inside sections and unknown types', () => {
    const document = parseSectionConfig(fixture('storage.cfg'));
    const sections = sectionsOf(document);
    expect(sections.map((section) => `${section.type}:${section.id}`)).toEqual([
      'dir:local',
      'lvmthin:local-lvm',
      'zfspool:local-zfs',
      'btrfs:fast',
      'dir:backups',
      'lvm:san',
      'nfs:isos',
      'cifs:share',
      'pbs:backup',
      'rbd:ceph-vm',
    ]);
    const zfs = findSection(document, 'local-zfs')!;
    expect(sectionValues(zfs)).toEqual({
      pool: 'rpool/data',
      sparse: true,
      content: 'images,rootdir',
      blocksize: '16k',
      nodes: 'pve1,pve2',
    });
    expect(zfs.line).toBe(15);
    expect(zfs.properties.find((property) => property.key === 'sparse')?.line).toBe(17);
    const rbd = sectionValues(findSection(document, 'ceph-vm')!);
    expect(rbd.monhost).toBe('10.0.0.1 10.0.0.2 10.0.0.3');
    expect(rbd['keyring-extra-option']).toBe('spaced   value');
    expect(rbd['some-future-flag']).toBe(true);
    expect(Object.keys(sectionValues(findSection(document, 'fast')!))).toEqual([
      'path',
      'content',
      'format',
      'is_mountpoint',
      'nocow',
    ]);
  });

  it('reads the CRLF file as the LF one', () => {
    const lf = sectionsOf(parseSectionConfig(fixture('storage.cfg')));
    const crlf = sectionsOf(parseSectionConfig(fixture('storage.crlf.cfg')));
    expect(crlf).toEqual(lf);
  });

  it('treats a key that is __proto__ as a plain key', () => {
    const document = parseSectionConfig('dir: aa\n\t__proto__ x\n');
    const values = sectionValues(findSection(document, 'aa')!);
    expect(Object.getOwnPropertyNames(values)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  });
});

describe('malformed input', () => {
  const cases: [string, string, number, RegExp][] = [
    ['a property before any section', '# c\n\tpath /x\ndir: aa\n', 2, /before any section header/],
    ['a property after a blank line', 'dir: aa\n\tpath /x\n\n\tcontent iso\n', 4, /outside a section/],
    ['a header without id', 'dir: aa\n\tpath /x\n\ndir:\n\tpath /y\n', 4, /has no id/],
    ['a header with words after the id', 'dir: aa b\n', 1, /more after the id/],
    ['a duplicate section id', 'dir: aa\n\tpath /x\n\nlvm: aa\n\tvgname v\n', 4, /defined twice \(first on line 1\)/],
    ['a duplicate key', 'dir: aa\n\tpath /x\n\tcontent iso\n\tpath /y\n', 4, /sets path twice \(first on line 2\)/],
    ['an id that is not a storage id', 'dir: 1abc\n', 1, /not a valid id/],
    ['an id with a slash', 'dir: aa/b\n', 1, /not a valid id/],
    ['a NUL byte', 'dir: aa\n\tpath /x\u0000y\n', 2, /NUL/],
    ['a replacement character (invalid UTF-8)', 'dir: aa\n\tpath /x\ufffd\n', 2, /UTF-8/],
    ['another control character', 'dir: aa\n\tpath /x\u001by\n', 2, /control character/],
    ['a lone CR inside a line', 'dir: aa\n\tpath /x\ry\n', 2, /control character/],
    ['a byte order mark', '\ufeffdir: aa\n', 1, /byte order mark/],
    ['a line that is nothing', 'dir: aa\nwhat is this\n', 2, /neither/],
    ['a type that is not a word', 'd.ir: a\n', 1, /not a word/],
  ];
  it.each(cases)('%s is an invalid-params error naming the line', (_name, text, line, message) => {
    const error = thrown(() => parseSectionConfig(text));
    expect(error.code).toBe('invalid-params');
    expect(error.message).toMatch(new RegExp(`^storage\\.cfg line ${line}: `));
    expect(error.message).toMatch(message);
    expect(error.details).toMatchObject({ line });
  });

  it('names another file when asked and takes another id rule', () => {
    const error = thrown(() => parseSectionConfig('x', { file: 'datacenter/jobs.cfg' }));
    expect(error.message).toMatch(/^datacenter\/jobs\.cfg line 1: /);
    const document = parseSectionConfig('vzdump: backup-1a2b\n\tschedule daily\n', {
      checkId: (id) => (/^[a-z0-9-]+$/.test(id) ? undefined : 'lowercase'),
    });
    expect(findSection(document, 'backup-1a2b')).toBeDefined();
  });
});

describe('editing touches only the lines involved', () => {
  const base =
    '# top\ndir: local\n\tpath /var/lib/vz\n\t# why\n\tcontent iso\n\nlvm: san\n    vgname v\n    shared 1\n';
  const doc = (): SectionDocument => parseSectionConfig(base);

  it('changes a value in place, keeping indentation and separator', () => {
    expect(writeSectionConfig(setProperty(doc(), 'san', 'shared', '0'))).toBe(
      base.replace('    shared 1', '    shared 0'),
    );
    const spaced = parseSectionConfig('dir: aa\n\tpath   /x\n');
    expect(writeSectionConfig(setProperty(spaced, 'aa', 'path', '/y'))).toBe('dir: aa\n\tpath   /y\n');
    expect(writeSectionConfig(setProperty(spaced, 'aa', 'path', true))).toBe('dir: aa\n\tpath\n');
  });

  it('returns the very same document when nothing changes', () => {
    const document = doc();
    expect(setProperty(document, 'local', 'content', 'iso')).toBe(document);
    expect(deleteProperty(document, 'local', 'nope')).toBe(document);
  });

  it("appends a new property after the section's last property with the section's indentation", () => {
    expect(writeSectionConfig(setProperty(doc(), 'local', 'shared', true))).toBe(
      base.replace('\tcontent iso\n', '\tcontent iso\n\tshared\n'),
    );
    expect(writeSectionConfig(setProperty(doc(), 'san', 'base', 'x:y'))).toBe(`${base}    base x:y\n`);
  });

  it('keeps CRLF and a missing final newline when appending', () => {
    const crlf = parseSectionConfig('dir: aa\r\n\tpath /x\r\n');
    expect(writeSectionConfig(setProperty(crlf, 'aa', 'shared', '1'))).toBe('dir: aa\r\n\tpath /x\r\n\tshared 1\r\n');
    const open = parseSectionConfig('dir: aa\n\tpath /x');
    expect(writeSectionConfig(setProperty(open, 'aa', 'shared', '1'))).toBe('dir: aa\n\tpath /x\n\tshared 1');
    expect(writeSectionConfig(deleteProperty(open, 'aa', 'path'))).toBe('dir: aa');
  });

  it('deletes one line', () => {
    expect(writeSectionConfig(deleteProperty(doc(), 'local', 'path'))).toBe(base.replace('\tpath /var/lib/vz\n', ''));
  });

  it("adds a section at the end after one blank line, indented like the file's first property", () => {
    expect(
      writeSectionConfig(
        addSection(doc(), 'dir', 'new', [
          ['path', '/n'],
          ['disable', true],
        ]),
      ),
    ).toBe(`${base}\ndir: new\n\tpath /n\n\tdisable\n`);
    const open = parseSectionConfig('dir: aa\r\n\tpath /x');
    expect(writeSectionConfig(addSection(open, 'dir', 'bb', [['path', '/y']]))).toBe(
      'dir: aa\r\n\tpath /x\r\n\r\ndir: bb\r\n\tpath /y',
    );
    expect(writeSectionConfig(addSection(parseSectionConfig(''), 'dir', 'bb', [['path', '/y']]))).toBe(
      'dir: bb\n\tpath /y\n',
    );
    expect(writeSectionConfig(addSection(parseSectionConfig('dir: aa\n\n'), 'dir', 'bb', []))).toBe(
      'dir: aa\n\ndir: bb\n',
    );
  });

  it('removes a section with its trailing blank line, keeping comments around it', () => {
    expect(writeSectionConfig(removeSection(doc(), 'local'))).toBe('# top\nlvm: san\n    vgname v\n    shared 1\n');
    expect(writeSectionConfig(removeSection(doc(), 'san'))).toBe(
      '# top\ndir: local\n\tpath /var/lib/vz\n\t# why\n\tcontent iso\n',
    );
    const glued = parseSectionConfig('dir: aa\n\tpath /x\n# about b\ndir: bb\n\tpath /y');
    expect(writeSectionConfig(removeSection(glued, 'aa'))).toBe('# about b\ndir: bb\n\tpath /y');
    expect(writeSectionConfig(removeSection(glued, 'bb'))).toBe('dir: aa\n\tpath /x\n# about b');
  });

  it('updates a section to a set of managed keys, leaving the others', () => {
    const next = updateSection(
      doc(),
      'san',
      [
        ['vgname', 'v'],
        ['saferemove', '1'],
      ],
      new Set(['vgname', 'shared', 'saferemove']),
    );
    expect(writeSectionConfig(next)).toBe(base.replace('    shared 1\n', '    saferemove 1\n'));
  });

  it('refuses bad edits with typed errors', () => {
    expect(thrown(() => setProperty(doc(), 'nope', 'a', 'b')).code).toBe('not-found');
    expect(thrown(() => setProperty(doc(), 'local', 'path', '/x\n\tinjected 1')).code).toBe('invalid-params');
    expect(thrown(() => setProperty(doc(), 'local', '#x', 'b')).code).toBe('invalid-params');
    expect(thrown(() => setProperty(doc(), 'local', 'a b', 'b')).code).toBe('invalid-params');
    expect(thrown(() => setProperty(doc(), 'local', 'path', ' /x')).code).toBe('invalid-params');
    expect(thrown(() => addSection(doc(), 'dir', 'local', [])).code).toBe('already-exists');
    expect(thrown(() => addSection(doc(), 'dir', '../x', [])).code).toBe('invalid-params');
    expect(thrown(() => addSection(doc(), 'dir: x\n', 'y', [])).code).toBe('invalid-params');
    expect(thrown(() => removeSection(doc(), 'nope')).code).toBe('not-found');
  });
});

// ---- random documents and random edits: small generators, no library ----

/** A tiny deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
const prng = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const generator = (seed: number) => {
  const random = prng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const word = (): string => pick(['a', 'b', 'data', 'x1', 'pool', 'vz', 'k-ey', 'v_2']) + pick(['', '1', 'z', '-q']);
  const value = (): string | true =>
    random() < 0.2 ? true : pick(['/var/lib/vz', 'iso,backup', 'keep-last=3', 'a b  c', '0', 'rpool/data', 'ü-ñ']);
  const comment = (): string => pick(['', ' ', '\t', '  ']) + '#' + pick(['', ' note', '# twice', ' dir: fake']);
  const document = (): { text: string; eol: string } => {
    const eol = random() < 0.3 ? '\r\n' : '\n';
    const indent = pick(['\t', '  ', '    ', ' \t']);
    const lines: string[] = [];
    const ids = new Set<string>();
    if (random() < 0.5) lines.push(comment());
    const count = int(5);
    for (let s = 0; s < count; s += 1) {
      let id = `s${word()}`;
      while (ids.has(id)) id += 'x';
      ids.add(id);
      if (s > 0 || random() < 0.3) lines.push(pick(['', '', ' ', '\t']));
      lines.push(
        `${pick(['dir', 'lvm', 'nfs', 'zfspool', 'custom-type'])}:${pick([' ', '  ', '\t', ''])}${id}${pick(['', ' ', '\t'])}`,
      );
      const keys = new Set<string>();
      for (let p = int(5); p > 0; p -= 1) {
        if (random() < 0.2) lines.push(indent + comment().trimStart());
        const key = word();
        if (keys.has(key)) continue;
        keys.add(key);
        const v = value();
        lines.push(
          v === true
            ? `${indent}${key}${pick(['', ' '])}`
            : `${indent}${key}${pick([' ', '\t', '  '])}${v}${pick(['', ' ', '\t'])}`,
        );
      }
    }
    if (random() < 0.3) lines.push('', comment());
    const text = lines.join(eol) + (random() < 0.8 && lines.length > 0 ? eol : '');
    return { text, eol };
  };
  return { int, pick, word, value, document };
};

/** The meaning of a document: its sections with their properties (what an edit must change and nothing else). */
const meaning = (document: SectionDocument): string[] =>
  sectionsOf(document).map((section) => `${section.type}:${section.id} ${JSON.stringify(sectionValues(section))}`);

describe('property tests on generated documents', () => {
  it('parse → write → parse is the identity on 500 random documents', () => {
    for (let seed = 1; seed <= 500; seed += 1) {
      const { text } = generator(seed).document();
      const first = parseSectionConfig(text);
      const written = writeSectionConfig(first);
      expect(written, `seed ${seed}`).toBe(text);
      expect(meaning(parseSectionConfig(written)), `seed ${seed}`).toEqual(meaning(first));
    }
  });

  it('random edits keep every untouched line and read back as intended', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const g = generator(seed * 7919);
      const { text, eol } = g.document();
      let document = parseSectionConfig(text);
      for (let step = 0; step < 6; step += 1) {
        const sections = sectionsOf(document);
        const section = sections.length > 0 ? g.pick(sections) : undefined;
        const before = new Map(sections.map((s) => [s.id, sectionValues(s)]));
        const action = section ? g.int(4) : 3;
        const key = g.word();
        const value = g.value();
        const endedWithNewline = writeSectionConfig(document).endsWith('\n') || document.lines.length === 0;
        if (action === 0 && section) {
          document = setProperty(document, section.id, key, value);
          before.set(section.id, { ...before.get(section.id), [key]: value });
        } else if (action === 1 && section) {
          document = deleteProperty(document, section.id, key);
          const values = { ...before.get(section.id) };
          delete values[key];
          before.set(section.id, values);
        } else if (action === 2 && section) {
          document = removeSection(document, section.id);
          before.delete(section.id);
        } else {
          const id = `n${seed}x${step}`;
          document = addSection(document, 'dir', id, [[key, value]]);
          before.set(id, { [key]: value });
        }
        const written = writeSectionConfig(document);
        const again = parseSectionConfig(written);
        expect(writeSectionConfig(again), `seed ${seed} step ${step}`).toBe(written);
        expect(new Map(sectionsOf(again).map((s) => [s.id, sectionValues(s)])), `seed ${seed} step ${step}`).toEqual(
          before,
        );
        // Line ends stay the file's; a file that ended without newline still does (and vice versa).
        expect(eol === '\n' && written.includes('\r\n'), `seed ${seed} step ${step}`).toBe(false);
        expect(
          written.length === 0 || written.endsWith('\n') === endedWithNewline,
          `seed ${seed} step ${step}: ${JSON.stringify(written)}`,
        ).toBe(true);
      }
    }
  });

  it('an edit keeps every line of other sections and every comment byte for byte', () => {
    const text = fixture('storage.cfg');
    const document = parseSectionConfig(text);
    const edited = writeSectionConfig(
      setProperty(deleteProperty(document, 'fast', 'nocow'), 'local-zfs', 'sparse', '0'),
    );
    const lost = text.split('\n').filter((line) => !edited.split('\n').includes(line));
    expect(lost).toEqual(['\tsparse', '\tnocow 0']);
    const added = edited.split('\n').filter((line) => !text.split('\n').includes(line));
    expect(added).toEqual(['\tsparse 0']);
  });
});
