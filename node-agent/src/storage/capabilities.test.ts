import { describe, expect, it } from 'vitest';
import { StorageType } from './plugin';
import { capabilities, defaultContent, plannedTypes } from './capabilities';
import { fixture } from './__fixtures__/fixtures';

/** The reference table (pve.md §1.3), one row per plugin id. */
const referenceRows = (): Map<string, Record<string, string>> => {
  const lines = fixture('pve-storage-table.md')
    .split('\n')
    .filter((line) => line.startsWith('|'));
  const cells = (line: string): string[] =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
  const header = cells(lines[0]!);
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines.slice(2)) {
    const row = Object.fromEntries(cells(line).map((cell, index) => [header[index] ?? '', cell]));
    const id = /\(`([a-z]+)`/.exec(row['Type (plugin id)'] ?? '')?.[1];
    if (id) rows.set(id, row);
  }
  return rows;
};

const words = (text: string): string[] => text.split(/[\s()+,]+/).filter((word) => /^[a-z0-9]+$/.test(word));

describe('capabilities match PVE’s storage table', () => {
  const rows = referenceRows();

  it('has a row in the reference for every implemented and planned type', () => {
    for (const type of StorageType.options) expect(rows.has(type), type).toBe(true);
    for (const planned of plannedTypes.filter((entry) => entry.type !== 'glusterfs'))
      expect(rows.has(planned.type), planned.type).toBe(true);
    expect(new Set([...StorageType.options, ...plannedTypes.map((entry) => entry.type)]).size).toBe(
      StorageType.options.length + plannedTypes.length,
    );
  });

  it.each(StorageType.options)('%s', (type) => {
    const row = rows.get(type)!;
    const own = capabilities[type];
    // Content: the row lists it (dir's list), or says "images rootdir (+ dir content)" for btrfs.
    const content = row.Content!.includes('dir content') ? words(rows.get('dir')!.Content!) : words(row.Content!);
    expect([...own.content].sort()).toEqual(content.sort());
    // Formats: the first words before any parenthesis; what the row puts in parentheses needs PVE 9's tech preview.
    const formats = words(row.Formats!.replace(/\(.*?\)/g, '').replace('raw (in subvol)', 'raw'));
    expect([...own.formats].sort()).toEqual(formats.sort());
    expect(own.formats).toContain(own.defaultFormat);
    // Snapshots and clones: "yes" → true, "qcow2" → 'qcow2', "no"/"only with …"/"full only" → false.
    const feature = (text: string): boolean | 'qcow2' =>
      text.startsWith('yes') ? true : text.startsWith('qcow2') ? 'qcow2' : false;
    expect(own.snapshots).toBe(feature(row.Snapshots!));
    expect(own.clones).toBe(feature(row.Clones!));
    const shared = row.Shared!.startsWith('yes')
      ? 'yes'
      : row.Shared!.startsWith('possible') || row.Shared!.includes('admin sets')
        ? 'configurable'
        : 'no';
    expect(own.shared).toBe(shared);
    const level = row.Level!;
    expect(own.layout).toBe(level === 'both' ? 'block' : level);
  });

  it('planned types carry the table’s content and sharing', () => {
    for (const planned of plannedTypes) {
      const row = rows.get(planned.type);
      if (!row) continue;
      expect(planned.shared, planned.type).toBe(row.Shared!.startsWith('yes'));
      const content = row.Content!.startsWith('same as dir')
        ? words(rows.get('dir')!.Content!)
        : words(row.Content!.replace(/\(.*?\)/g, '').replace('/ none', ''));
      expect([...planned.content].sort(), planned.type).toEqual(content.sort());
    }
  });

  it('default content is content the type can hold', () => {
    for (const type of StorageType.options)
      for (const content of defaultContent[type]) expect(capabilities[type].content).toContain(content);
  });
});
