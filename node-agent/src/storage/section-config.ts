// PVE's SectionConfig file format (storage.cfg now; datacenter files later), kept line by line so that
// write(parse(text)) is the same bytes and an edit touches only the lines it is about (comments, order, indentation,
// CRLF and a missing final newline survive). Like PVE: `<type>: <id>` at column 0, indented `key value` lines (a key
// alone is a flag), `#` comments anywhere; stricter than PVE where PVE would silently drop a line (it is an error).
import { AppError } from '../api/errors';
import { CONTROL_CHARS as CONTROL, lineError as fail, lineTextProblem, splitLines, type Eol } from '../fs/config-lines';
import { StorageId } from './plugin';

export type { Eol };

export type SectionLine =
  | { readonly kind: 'blank' | 'comment'; readonly text: string; readonly eol: Eol }
  | { readonly kind: 'header'; readonly text: string; readonly eol: Eol; readonly type: string; readonly id: string }
  | {
      readonly kind: 'property';
      readonly text: string;
      readonly eol: Eol;
      readonly key: string;
      /** `true` for a key alone (a flag). */
      readonly value: string | true;
      readonly indent: string;
    };

export interface SectionDocument {
  /** Named in errors: "storage.cfg line 7: …". */
  readonly file: string;
  readonly lines: readonly SectionLine[];
  /** Returns why an id is not acceptable, or undefined. */
  readonly checkId: (id: string) => string | undefined;
}

export interface SectionProperty {
  readonly key: string;
  readonly value: string | true;
  /** 1-based line number. */
  readonly line: number;
}

export interface Section {
  readonly type: string;
  readonly id: string;
  /** 1-based line number of the header. */
  readonly line: number;
  readonly properties: readonly SectionProperty[];
}

export interface ParseOptions {
  file?: string;
  checkId?: (id: string) => string | undefined;
}

const storageIdProblem = (id: string): string | undefined =>
  StorageId.safeParse(id).success ? undefined : 'a storage id is letters, digits, - _ . (starting with a letter)';

const TYPE = /^[A-Za-z][A-Za-z0-9_-]*$/;
const KEY = /^[^\s#]\S*$/;

const classify = (file: string, n: number, text: string, eol: Eol, checkId: ParseOptions['checkId']): SectionLine => {
  if (text.includes('\u0000')) fail(file, n, 'contains a NUL byte');
  const textProblem = lineTextProblem(n, text);
  if (textProblem !== undefined) fail(file, n, textProblem);
  if (text.trim() === '') return { kind: 'blank', text, eol };
  if (/^\s*#/.test(text)) return { kind: 'comment', text, eol };
  if (/^\s/.test(text)) {
    const match = /^(\s+)(\S+)(?:\s+(.*\S))?\s*$/.exec(text);
    if (!match) return fail(file, n, `cannot read ${JSON.stringify(text)}`);
    const [, indent = '', key = '', value] = match;
    return { kind: 'property', text, eol, key, value: value ?? true, indent };
  }
  const header = /^([^\s:]+):(.*)$/.exec(text);
  if (!header)
    return fail(
      file,
      n,
      `${JSON.stringify(text)} is neither a "type: id" header, an indented property nor a # comment`,
    );
  const [, type = '', rest = ''] = header;
  if (!TYPE.test(type)) fail(file, n, `section type ${JSON.stringify(type)} is not a word`, { type });
  const words = rest
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const id = words[0];
  if (id === undefined) return fail(file, n, `section header "${type}:" has no id`, { type });
  if (words.length > 1) fail(file, n, `section header "${type}: ${id}" has more after the id`, { type, id });
  const problem = checkId?.(id);
  if (problem !== undefined) fail(file, n, `${JSON.stringify(id)} is not a valid id: ${problem}`, { type, id });
  return { kind: 'header', text, eol, type, id };
};

/** The sections of already-classified lines; checks structure (properties inside a section, unique ids and keys). */
const collect = (file: string, lines: readonly SectionLine[]): Section[] => {
  const sections: Section[] = [];
  let current: { type: string; id: string; line: number; properties: SectionProperty[] } | undefined;
  let open = false;
  const ids = new Map<string, number>();
  lines.forEach((line, index) => {
    const n = index + 1;
    switch (line.kind) {
      case 'comment':
        return;
      case 'blank':
        open = false;
        return;
      case 'header': {
        const seen = ids.get(line.id);
        if (seen !== undefined)
          fail(file, n, `section ${line.id} is defined twice (first on line ${seen})`, { id: line.id });
        ids.set(line.id, n);
        current = { type: line.type, id: line.id, line: n, properties: [] };
        sections.push(current);
        open = true;
        return;
      }
      case 'property': {
        if (!current) return fail(file, n, `property ${line.key} comes before any section header`, { key: line.key });
        if (!open)
          return fail(file, n, `property ${line.key} is outside a section (a blank line ends section ${current.id})`, {
            key: line.key,
          });
        const twice = current.properties.find((property) => property.key === line.key);
        if (twice)
          fail(file, n, `section ${current.id} sets ${line.key} twice (first on line ${twice.line})`, {
            id: current.id,
            key: line.key,
          });
        current.properties.push({ key: line.key, value: line.value, line: n });
        return;
      }
    }
  });
  return sections;
};

/** Parses a SectionConfig text; every line is kept. Malformed input: AppError invalid-params naming the line. */
export const parseSectionConfig = (text: string, options: ParseOptions = {}): SectionDocument => {
  const file = options.file ?? 'storage.cfg';
  const checkId = options.checkId ?? storageIdProblem;
  const lines = splitLines(text).map((line, index) => classify(file, index + 1, line.text, line.eol, checkId));
  collect(file, lines);
  return { file, lines, checkId };
};

/** The text of a document: exactly the input for an unedited one. */
export const writeSectionConfig = (document: SectionDocument): string =>
  document.lines.map((line) => line.text + line.eol).join('');

export const sectionsOf = (document: SectionDocument): Section[] => collect(document.file, document.lines);

export const findSection = (document: SectionDocument, id: string): Section | undefined =>
  sectionsOf(document).find((section) => section.id === id);

/** A section's properties as a plain object (own properties only, so `__proto__` is just a key). */
export const sectionValues = (section: Section): Record<string, string | true> =>
  Object.fromEntries(section.properties.map((property) => [property.key, property.value]));

// ---- editing: each returns a new document and touches only the lines involved ----

/** The file's line end: the first line's, LF for an empty file or a one-line file without newline. */
const documentEol = (document: SectionDocument): '\n' | '\r\n' =>
  document.lines.find((line) => line.eol !== '')?.eol === '\r\n' ? '\r\n' : '\n';

const documentIndent = (document: SectionDocument): string => {
  for (const line of document.lines) if (line.kind === 'property') return line.indent;
  return '\t';
};

const checkKey = (document: SectionDocument, id: string, key: string): void => {
  if (!KEY.test(key) || CONTROL.test(key) || key.includes('\r'))
    throw new AppError(
      'invalid-params',
      `${document.file}: ${JSON.stringify(key)} is not a property name (section ${id})`,
      { id, key },
    );
};

const checkValue = (document: SectionDocument, id: string, key: string, value: string | true): void => {
  if (value === true) return;
  if (value.trim() !== value || value === '' || CONTROL.test(value) || value.includes('\r') || value.includes('\ufffd'))
    throw new AppError(
      'invalid-params',
      `${document.file}: section ${id}: ${key} must be one line of text without leading or trailing spaces`,
      { id, key },
    );
};

const propertyText = (indent: string, key: string, value: string | true, separator = ' '): string =>
  value === true ? `${indent}${key}` : `${indent}${key}${separator}${value}`;

const requireSection = (document: SectionDocument, id: string): Section => {
  const section = findSection(document, id);
  if (!section) throw new AppError('not-found', `${document.file} has no section ${id}`, { id });
  return section;
};

/** Index (0-based) of the last line that belongs to a section: its header or last property. */
const lastPropertyIndex = (section: Section): number => (section.properties.at(-1)?.line ?? section.line) - 1;

/** Inserts lines after `index`, keeping a missing final newline missing. */
const insertAfter = (document: SectionDocument, index: number, texts: readonly string[]): SectionDocument => {
  const eol = documentEol(document);
  const lines = [...document.lines];
  const before = lines[index];
  const atEnd = index === lines.length - 1;
  const added: SectionLine[] = texts.map((text) => ({ ...parseLine(document, text), eol }));
  if (before && before.eol === '' && atEnd) {
    lines[index] = { ...before, eol };
    const last = added.at(-1);
    if (last) added[added.length - 1] = { ...last, eol: '' };
  }
  lines.splice(index + 1, 0, ...added);
  return { ...document, lines };
};

const parseLine = (document: SectionDocument, text: string): SectionLine =>
  classify(document.file, 0, text, '\n', document.checkId);

/** Removes lines [from, to); if the removed block held the unterminated last line, the new last line loses its newline. */
const removeRange = (document: SectionDocument, from: number, to: number): SectionDocument => {
  const lines = [...document.lines];
  const endedWithoutNewline = lines.at(-1)?.eol === '' && to === lines.length;
  lines.splice(from, to - from);
  const last = lines.at(-1);
  if (endedWithoutNewline && last) lines[lines.length - 1] = { ...last, eol: '' };
  return { ...document, lines };
};

/** Sets one property: replaces its line in place, or appends it after the section's last property. */
export const setProperty = (
  document: SectionDocument,
  id: string,
  key: string,
  value: string | true,
): SectionDocument => {
  checkKey(document, id, key);
  checkValue(document, id, key, value);
  const section = requireSection(document, id);
  const existing = section.properties.find((property) => property.key === key);
  if (existing) {
    if (existing.value === value) return document;
    const index = existing.line - 1;
    const line = document.lines[index];
    if (line?.kind !== 'property')
      throw new AppError('internal-error', `${document.file} line ${existing.line} is not a property`);
    const separator = /^\s*\S+(\s+)/.exec(line.text)?.[1] ?? ' ';
    const lines = [...document.lines];
    lines[index] = { ...line, text: propertyText(line.indent, key, value, separator), value };
    return { ...document, lines };
  }
  const sibling = document.lines[section.properties[0] ? section.properties[0].line - 1 : -1];
  const indent = sibling?.kind === 'property' ? sibling.indent : documentIndent(document);
  return insertAfter(document, lastPropertyIndex(section), [propertyText(indent, key, value)]);
};

/** Deletes one property's line; absent already: the same document. */
export const deleteProperty = (document: SectionDocument, id: string, key: string): SectionDocument => {
  const section = requireSection(document, id);
  const existing = section.properties.find((property) => property.key === key);
  if (!existing) return document;
  return removeRange(document, existing.line - 1, existing.line);
};

/** Appends a new section at the end of the file, after a blank line. */
export const addSection = (
  document: SectionDocument,
  type: string,
  id: string,
  properties: readonly (readonly [string, string | true])[],
): SectionDocument => {
  if (findSection(document, id))
    throw new AppError('already-exists', `${document.file} already has a section ${id}`, { id });
  if (!TYPE.test(type))
    throw new AppError('invalid-params', `${document.file}: section type ${JSON.stringify(type)} is not a word`, {
      type,
    });
  const problem = document.checkId(id);
  if (problem !== undefined)
    throw new AppError('invalid-params', `${document.file}: ${JSON.stringify(id)} is not a valid id: ${problem}`, {
      id,
    });
  const keys = new Set<string>();
  for (const [key, value] of properties) {
    checkKey(document, id, key);
    checkValue(document, id, key, value);
    if (keys.has(key))
      throw new AppError('invalid-params', `${document.file}: section ${id} sets ${key} twice`, { id, key });
    keys.add(key);
  }
  const indent = documentIndent(document);
  const texts = [`${type}: ${id}`, ...properties.map(([key, value]) => propertyText(indent, key, value))];
  const last = document.lines.at(-1);
  if (!last) {
    const eol = documentEol(document);
    return { ...document, lines: texts.map((text) => ({ ...parseLine(document, text), eol })) };
  }
  return insertAfter(document, document.lines.length - 1, last.kind === 'blank' ? texts : ['', ...texts]);
};

/** Removes a section (header, its properties and comments within it) and the blank line after it. */
export const removeSection = (document: SectionDocument, id: string): SectionDocument => {
  const section = requireSection(document, id);
  const from = section.line - 1;
  let to = from + 1;
  while (to < document.lines.length) {
    const line = document.lines[to];
    if (!line || line.kind === 'blank' || line.kind === 'header') break;
    to += 1;
  }
  // Comments right before the next header (no blank line between) are about that section: they stay.
  if (document.lines[to]?.kind === 'header') to = lastPropertyIndex(section) + 1;
  else if (document.lines[to]?.kind === 'blank') to += 1;
  else if (to === document.lines.length && from > 0 && document.lines[from - 1]?.kind === 'blank') {
    // The last section without a blank after it: take the blank before it, so no blank line is left dangling at the end.
    return removeRange(document, from - 1, to);
  }
  return removeRange(document, from, to);
};

/**
 * Makes a section's properties exactly `properties` for the keys in `managed` (others are left alone):
 * unchanged lines stay as they are, changed ones are replaced in place, new ones appended, missing ones deleted.
 */
export const updateSection = (
  document: SectionDocument,
  id: string,
  properties: readonly (readonly [string, string | true])[],
  managed: ReadonlySet<string>,
): SectionDocument => {
  const wanted = new Map(properties);
  let next = document;
  for (const property of requireSection(document, id).properties)
    if (managed.has(property.key) && !wanted.has(property.key)) next = deleteProperty(next, id, property.key);
  for (const [key, value] of properties) next = setProperty(next, id, key, value);
  return next;
};
