// qemu-server/<vmid>.conf kept line by line, so write(parse(text)) is the same bytes and an edit touches only the
// lines it is about. PVE's layout: `#` lines are the section's description (percent-encoded), `key: value` lines,
// then `[PENDING]`, `[special:cloudinit]` and `[snapname]` sections. New lines are written the way PVE writes them:
// keys sorted within a section, snapshot sections sorted by name, one blank line before each section header.
import { createHash } from 'node:crypto';
import { AppError } from '../../api/errors';
import {
  CONTROL_CHARS as CONTROL,
  lineError as fail,
  lineTextProblem,
  splitLines,
  type Eol,
} from '../../fs/config-lines';
import { SNAPSHOT_NAME } from '../../storage/volume-name';
import { decodeDescription, encodeDescription } from './description';

export type { Eol };

export type ConfLine =
  | { readonly kind: 'blank' | 'comment'; readonly text: string; readonly eol: Eol }
  | { readonly kind: 'header'; readonly text: string; readonly eol: Eol; readonly name: string }
  | {
      readonly kind: 'property';
      readonly text: string;
      readonly eol: Eol;
      readonly key: string;
      readonly value: string;
    };

export interface VmConf {
  /** Named in errors: "qemu-server/100.conf line 7: …". */
  readonly file: string;
  readonly lines: readonly ConfLine[];
}

/** '' is the current config; 'PENDING', 'special:cloudinit' or a snapshot name otherwise. */
export type SectionName = string;
export const CURRENT = '';
export const PENDING = 'PENDING';

export interface VmSection {
  readonly name: SectionName;
  readonly kind: 'current' | 'pending' | 'special' | 'snapshot';
  /** 1-based line of the header (0 for the current section, which has none). */
  readonly line: number;
  /** key → value as written (own properties only). */
  readonly values: Readonly<Record<string, string>>;
  /** The decoded `#` lines, joined with newlines; undefined when there are none. */
  readonly description?: string;
}

const KEY_LINE = /^([a-z][a-z0-9_-]*):\s*(.*?)\s*$/;
const HEADER = /^\[([^\]]*)\]\s*$/;
/** The digest PVE reports for a config: sha1 hex of the file's text. */
export const confDigest = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

const sectionKind = (name: string): VmSection['kind'] =>
  name === CURRENT ? 'current' : name === PENDING ? 'pending' : name.startsWith('special:') ? 'special' : 'snapshot';

const headerProblem = (name: string): string | undefined => {
  if (name === PENDING || name === 'special:cloudinit') return undefined;
  return SNAPSHOT_NAME.test(name)
    ? undefined
    : `[${name}] is not a snapshot name (a letter, then 1-39 letters, digits, _ or -)`;
};

const classify = (file: string, n: number, text: string, eol: Eol): ConfLine => {
  const textProblem = lineTextProblem(n, text);
  if (textProblem !== undefined) fail(file, n, textProblem);
  if (text.trim() === '') return { kind: 'blank', text, eol };
  if (text.startsWith('#')) return { kind: 'comment', text, eol };
  const header = HEADER.exec(text);
  if (header) {
    const name = header[1] ?? '';
    const problem = headerProblem(name);
    if (problem !== undefined) fail(file, n, problem);
    return { kind: 'header', text, eol, name };
  }
  const property = KEY_LINE.exec(text);
  if (!property) return fail(file, n, `${JSON.stringify(text)} is neither "key: value", a [section] nor a # comment`);
  const [, key = '', value = ''] = property;
  if (value === '') fail(file, n, `${key} has no value`);
  return { kind: 'property', text, eol, key, value };
};

interface Located {
  name: string;
  header: number;
  /** 0-based indexes of the section's lines after its header (comments, properties, blanks). */
  body: number[];
}

const locate = (conf: VmConf): Located[] => {
  const sections: Located[] = [{ name: CURRENT, header: -1, body: [] }];
  conf.lines.forEach((line, index) => {
    if (line.kind === 'header') sections.push({ name: line.name, header: index, body: [] });
    else sections.at(-1)?.body.push(index);
  });
  return sections;
};

const check = (conf: VmConf): void => {
  const names = new Map<string, number>();
  for (const section of locate(conf)) {
    const n = section.header + 1;
    const seen = names.get(section.name);
    if (seen !== undefined) fail(conf.file, n, `section [${section.name}] appears twice (first on line ${seen})`);
    names.set(section.name, n);
    const keys = new Map<string, number>();
    for (const index of section.body) {
      const line = conf.lines[index];
      if (line?.kind !== 'property') continue;
      const first = keys.get(line.key);
      if (first !== undefined) fail(conf.file, index + 1, `${line.key} is set twice (first on line ${first})`);
      keys.set(line.key, index + 1);
    }
  }
};

/** Parses a VM config; every line is kept. Malformed input: AppError invalid-params naming the line. */
export const parseVmConf = (text: string, file = 'qemu-server/<vmid>.conf'): VmConf => {
  const conf: VmConf = { file, lines: splitLines(text).map((line, i) => classify(file, i + 1, line.text, line.eol)) };
  check(conf);
  return conf;
};

/** The text of a config: exactly the input for an unedited one. */
export const serializeVmConf = (conf: VmConf): string => conf.lines.map((line) => line.text + line.eol).join('');

const view = (conf: VmConf, located: Located): VmSection => {
  const values: Record<string, string> = {};
  const comments: string[] = [];
  for (const index of located.body) {
    const line = conf.lines[index];
    if (line?.kind === 'property') Object.defineProperty(values, line.key, { value: line.value, enumerable: true });
    else if (line?.kind === 'comment') comments.push(decodeDescription(line.text.slice(1)));
  }
  const base = { name: located.name, kind: sectionKind(located.name), line: located.header + 1, values };
  return comments.length === 0 ? base : { ...base, description: comments.join('\n') };
};

export const sectionsOf = (conf: VmConf): VmSection[] => locate(conf).map((located) => view(conf, located));

export const sectionOf = (conf: VmConf, name: SectionName): VmSection | undefined =>
  sectionsOf(conf).find((section) => section.name === name);

export const currentOf = (conf: VmConf): VmSection =>
  view(conf, locate(conf)[0] ?? { name: CURRENT, header: -1, body: [] });

export const snapshotsOf = (conf: VmConf): VmSection[] => sectionsOf(conf).filter((s) => s.kind === 'snapshot');

/** The keys `[PENDING]` deletes (`delete: a,b` — a leading `!` forces the delete). */
export const pendingDeletes = (conf: VmConf): { key: string; force: boolean }[] =>
  (sectionOf(conf, PENDING)?.values.delete ?? '')
    .split(/[,;\s]+/)
    .filter((item) => item !== '')
    .map((item) => (item.startsWith('!') ? { key: item.slice(1), force: true } : { key: item, force: false }));

// ---- editing: each returns a new VmConf and touches only the lines involved ----

const eolOf = (conf: VmConf): '\n' | '\r\n' =>
  conf.lines.find((line) => line.eol !== '')?.eol === '\r\n' ? '\r\n' : '\n';

/** Inserts lines before index `at` (may be lines.length), keeping a missing final newline missing. */
const insertAt = (conf: VmConf, at: number, texts: readonly string[]): VmConf => {
  if (texts.length === 0) return conf;
  const eol = eolOf(conf);
  const lines = [...conf.lines];
  const added = texts.map((text) => ({ ...classify(conf.file, at + 1, text, eol) }));
  const last = lines.at(-1);
  if (at === lines.length && last && last.eol === '') {
    lines[lines.length - 1] = { ...last, eol };
    const tail = added.at(-1);
    if (tail) added[added.length - 1] = { ...tail, eol: '' };
  }
  lines.splice(at, 0, ...added);
  const next = { ...conf, lines };
  check(next);
  return next;
};

const removeRange = (conf: VmConf, from: number, to: number): VmConf => {
  const lines = [...conf.lines];
  const endedWithoutNewline = lines.at(-1)?.eol === '' && to === lines.length;
  lines.splice(from, to - from);
  const last = lines.at(-1);
  if (endedWithoutNewline && last) lines[lines.length - 1] = { ...last, eol: '' };
  return { ...conf, lines };
};

const find = (conf: VmConf, name: SectionName): Located => {
  const located = locate(conf).find((section) => section.name === name);
  if (!located) throw new AppError('not-found', `${conf.file} has no section [${name}]`, { section: name });
  return located;
};

const checkValue = (conf: VmConf, key: string, value: string): void => {
  if (
    !/^[a-z][a-z0-9_-]*$/.test(key) ||
    value.trim() !== value ||
    value === '' ||
    CONTROL.test(value) ||
    value.includes('\r')
  )
    throw new AppError(
      'invalid-params',
      `${conf.file}: ${key}: must be one line of text without leading or trailing spaces`,
      { key },
    );
};

/** Sets one key: replaces its line in place, or inserts it where PVE's sorted order puts it. */
export const setKey = (conf: VmConf, name: SectionName, key: string, value: string): VmConf => {
  checkValue(conf, key, value);
  let next = conf;
  if (name === PENDING && !locate(conf).some((s) => s.name === PENDING)) next = addSection(conf, PENDING, []);
  const section = find(next, name);
  const properties = section.body.filter((i) => next.lines[i]?.kind === 'property');
  const existing = properties.find((i) => {
    const line = next.lines[i];
    return line?.kind === 'property' && line.key === key;
  });
  const text = `${key}: ${value}`;
  if (existing !== undefined) {
    const line = next.lines[existing];
    if (line?.kind !== 'property' || line.value === value) return next;
    const lines = [...next.lines];
    lines[existing] = { ...line, text, value };
    return { ...next, lines };
  }
  const after = properties.find((i) => {
    const line = next.lines[i];
    return line?.kind === 'property' && line.key > key;
  });
  const lastContent = [...section.body].reverse().find((i) => next.lines[i]?.kind !== 'blank');
  const at = after ?? (lastContent ?? section.header) + 1;
  return insertAt(next, at, [text]);
};

/** Deletes one key's line (absent: the same config). An emptied [PENDING] goes away with it. */
export const deleteKey = (conf: VmConf, name: SectionName, key: string): VmConf => {
  const located = locate(conf).find((section) => section.name === name);
  const index = located?.body.find((i) => {
    const line = conf.lines[i];
    return line?.kind === 'property' && line.key === key;
  });
  if (index === undefined) return conf;
  const next = removeRange(conf, index, index + 1);
  const pending = sectionOf(next, PENDING);
  if (name === PENDING && pending && Object.keys(pending.values).length === 0) return removeSection(next, PENDING);
  return next;
};

const descriptionLines = (description: string | undefined): string[] =>
  description === undefined
    ? []
    : description === ''
      ? ['#']
      : description.split('\n').map((l) => `#${encodeDescription(l)}`);

/** Where a new section goes: [PENDING] right after the current section, snapshots sorted by name after the rest. */
const insertionPoint = (conf: VmConf, name: SectionName): number => {
  const sections = locate(conf);
  const before = sections.find(
    (s) => s.name !== CURRENT && (name === PENDING || (sectionKind(s.name) === 'snapshot' && s.name > name)),
  );
  return before ? before.header : conf.lines.length;
};

/** Adds a section (PENDING, special:… or a snapshot) with its keys sorted, as PVE writes one. */
export const addSection = (
  conf: VmConf,
  name: SectionName,
  entries: readonly (readonly [string, string])[],
  description?: string,
): VmConf => {
  if (locate(conf).some((s) => s.name === name))
    throw new AppError('already-exists', `${conf.file} already has a section [${name}]`, { section: name });
  const problem = headerProblem(name);
  if (problem !== undefined) throw new AppError('invalid-params', `${conf.file}: ${problem}`, { section: name });
  for (const [key, value] of entries) checkValue(conf, key, value);
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const texts = [`[${name}]`, ...descriptionLines(description), ...sorted.map(([k, v]) => `${k}: ${v}`)];
  const at = insertionPoint(conf, name);
  const blankBefore = at > 0 && conf.lines[at - 1]?.kind !== 'blank';
  const lead = blankBefore ? [''] : [];
  return insertAt(conf, at, at === conf.lines.length ? [...lead, ...texts] : [...lead, ...texts, '']);
};

/** Removes a section with the blank lines before it. */
export const removeSection = (conf: VmConf, name: SectionName): VmConf => {
  if (name === CURRENT) throw new AppError('invalid-params', `${conf.file}: the current config cannot be removed`);
  const located = find(conf, name);
  let from = located.header;
  while (from > 0 && conf.lines[from - 1]?.kind === 'blank') from -= 1;
  const end = (located.body.at(-1) ?? located.header) + 1;
  // Keep the blank lines that separate the next section: they belong to it now.
  let to = end;
  while (to > located.header + 1 && conf.lines[to - 1]?.kind === 'blank' && to < conf.lines.length) to -= 1;
  return removeRange(conf, from, to);
};

/** Replaces a section's `#` lines (undefined removes them); new ones go right after the header, as PVE writes them. */
export const setDescription = (conf: VmConf, name: SectionName, description: string | undefined): VmConf => {
  const located = find(conf, name);
  const comments = located.body.filter((i) => conf.lines[i]?.kind === 'comment');
  let next = conf;
  for (const index of [...comments].reverse()) next = removeRange(next, index, index + 1);
  return insertAt(next, located.header + 1, descriptionLines(description));
};

/** Moves every pending value into the current config and carries out the pending deletes; [PENDING] goes away. */
export const applyPending = (conf: VmConf): VmConf => {
  const pending = sectionOf(conf, PENDING);
  if (!pending) return conf;
  let next = conf;
  for (const [key, value] of Object.entries(pending.values))
    if (key !== 'delete') next = setKey(next, CURRENT, key, value);
  for (const { key } of pendingDeletes(conf)) next = deleteKey(next, CURRENT, key);
  return removeSection(next, PENDING);
};
