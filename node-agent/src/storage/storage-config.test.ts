import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../api/errors';
import {
  parseStorageCfg,
  removeStorage,
  serializeStorageCfg,
  setStorage,
  storageCfgDigest,
  type StorageConfig,
} from './storage-config';
import { parseBwlimit, parsePruneBackups } from './storage-fields';
import { fixture, thrown } from './__fixtures__/fixtures';

const storage = (text: string, id: string): StorageConfig => {
  const found = parseStorageCfg(text).storages.find((entry) => entry.id === id);
  if (!found) throw new Error(`no storage ${id}`);
  return found;
};

describe('parseStorageCfg on a realistic PVE storage.cfg', () => {
  const parsed = parseStorageCfg(fixture('storage.cfg'));

  it('types every storage of the types we build, in file order', () => {
    expect(parsed.storages).toEqual([
      {
        type: 'dir',
        id: 'local',
        path: '/var/lib/vz',
        content: ['iso', 'vztmpl', 'backup'],
        'prune-backups': 'keep-all=1',
        shared: false,
      },
      { type: 'lvmthin', id: 'local-lvm', thinpool: 'data', vgname: 'pve', content: ['rootdir', 'images'] },
      {
        type: 'zfspool',
        id: 'local-zfs',
        pool: 'rpool/data',
        sparse: true,
        content: ['images', 'rootdir'],
        blocksize: '16k',
        nodes: ['pve1', 'pve2'],
      },
      {
        type: 'btrfs',
        id: 'fast',
        path: '/mnt/fast',
        content: ['images', 'rootdir', 'iso'],
        format: 'raw',
        is_mountpoint: 'yes',
        nocow: false,
      },
      {
        type: 'dir',
        id: 'backups',
        path: '/srv/backups',
        content: ['backup', 'snippets'],
        'content-dirs': { backup: 'dumps', snippets: 'hooks/snippets' },
        'prune-backups': 'keep-last=3,keep-daily=7,keep-weekly=4,keep-monthly=6',
        'max-protected-backups': 10,
        bwlimit: 'restore=102400,default=51200',
        mkdir: false,
        disable: true,
      },
      {
        type: 'lvm',
        id: 'san',
        vgname: 'vg_san',
        base: 'iscsi-lun:0.0.1.scsi-36001405abcdef',
        content: ['images'],
        shared: true,
        saferemove: true,
        tagged_only: true,
      },
    ]);
  });

  it('keeps the other types as they are, flagged unsupported', () => {
    expect(parsed.unsupported.map((entry) => `${entry.type}:${entry.id}`)).toEqual([
      'nfs:isos',
      'cifs:share',
      'pbs:backup',
      'rbd:ceph-vm',
    ]);
    expect(parsed.unsupported[3]).toEqual({
      type: 'rbd',
      id: 'ceph-vm',
      unsupported: true,
      properties: {
        content: 'images,rootdir',
        krbd: '0',
        pool: 'vm-pool',
        monhost: '10.0.0.1 10.0.0.2 10.0.0.3',
        username: 'admin',
        'keyring-extra-option': 'spaced   value',
        'some-future-flag': true,
      },
    });
  });

  it("gives PVE's digest: sha1 hex of the bytes", () => {
    const text = fixture('storage.cfg');
    expect(parsed.digest).toBe(createHash('sha1').update(Buffer.from(text, 'utf8')).digest('hex'));
    expect(storageCfgDigest(text)).toBe(parsed.digest);
    expect(parseStorageCfg(fixture('storage.crlf.cfg')).digest).not.toBe(parsed.digest);
  });

  it.each(['storage.cfg', 'storage.crlf.cfg', 'storage.no-final-newline.cfg'])(
    '%s serializes back byte for byte',
    (name) => {
      const text = fixture(name);
      expect(serializeStorageCfg(parseStorageCfg(text).document)).toBe(text);
    },
  );

  it('reads CRLF the same as LF', () => {
    expect(parseStorageCfg(fixture('storage.crlf.cfg')).storages).toEqual(parsed.storages);
  });
});

describe('values PVE accepts read the same here', () => {
  it('fills the type’s default content when none is given, and reads content none', () => {
    expect(storage('lvm: v1\n\tvgname vg\n', 'v1').content).toEqual(['images']);
    expect(storage('dir: d1\n\tpath /d\n', 'd1').content).toEqual(['images', 'rootdir']);
    expect(storage('dir: d1\n\tpath /d\n\tcontent none\n', 'd1').content).toEqual([]);
    expect(storage('dir: d1\n\tpath /d\n\tcontent iso;backup iso\n', 'd1').content).toEqual(['iso', 'backup']);
  });

  it('reads booleans as PVE does: bare, 1/0, yes/no, on/off, true/false', () => {
    for (const [text, value] of [
      ['', true],
      [' 1', true],
      [' yes', true],
      [' ON', true],
      [' true', true],
      [' 0', false],
      [' no', false],
      [' off', false],
      [' False', false],
    ] as const)
      expect(storage(`dir: d1\n\tpath /d\n\tshared${text}\n`, 'd1')).toMatchObject({ shared: value });
  });

  it('reads a type header in capitals as PVE does (it lowercases it)', () => {
    expect(storage('DIR: d1\n\tpath /d\n', 'd1').type).toBe('dir');
  });

  it('treats constructor, toString and __proto__ as unknown keys, not as fields', () => {
    const text = 'dir: d1\n\tpath /d\n\tconstructor x\n\ttoString y\n\t__proto__ z\n';
    expect(storage(text, 'd1')).toEqual({ type: 'dir', id: 'd1', path: '/d', content: ['images', 'rootdir'] });
  });

  it('ignores keys this type does not take (they stay in the file)', () => {
    const text = 'dir: d1\n\tpath /d\n\tpool rpool\n\tfuture-option x\n';
    expect(storage(text, 'd1')).toEqual({ type: 'dir', id: 'd1', path: '/d', content: ['images', 'rootdir'] });
    expect(serializeStorageCfg(parseStorageCfg(text).document)).toBe(text);
  });
});

describe('errors name the line, the storage and the property', () => {
  const cases: [string, string, number, string, RegExp][] = [
    [
      'content the type cannot hold',
      'lvmthin: t1\n\tvgname pve\n\tthinpool data\n\tcontent images,backup\n',
      4,
      'content',
      /cannot hold backup/,
    ],
    ['an unknown content type', 'dir: d1\n\tpath /d\n\tcontent isos\n', 3, 'content', /cannot hold isos/],
    ['none with other content', 'dir: d1\n\tpath /d\n\tcontent none,iso\n', 3, 'content', /'none' cannot be combined/],
    [
      'no content where it needs some',
      'zfspool: z1\n\tpool rpool\n\tcontent none\n',
      3,
      'content',
      /needs some content/,
    ],
    ['a relative path', 'dir: d1\n\tpath var/lib/vz\n', 2, 'path', /absolute/],
    ['a path with ..', 'dir: d1\n\tpath /srv/../etc\n', 2, 'path', /\.\./],
    ['a path with ;', 'dir: d1\n\tpath /srv;reboot\n', 2, 'path', /;/],
    ['a flag with a value that is not one', 'dir: d1\n\tpath /d\n\tshared maybe\n', 3, 'shared', /not a boolean/],
    ['a bad node name', 'dir: d1\n\tpath /d\n\tnodes pve1,pve_2\n', 3, 'nodes', /DNS label/],
    ['a bad prune-backups', 'dir: d1\n\tpath /d\n\tprune-backups keep-lots=3\n', 3, 'prune-backups', /keep-/],
    [
      'keep-all with others',
      'dir: d1\n\tpath /d\n\tprune-backups keep-all=1,keep-last=2\n',
      3,
      'prune-backups',
      /keep-all=1 cannot/,
    ],
    ['a bad preallocation', 'dir: d1\n\tpath /d\n\tpreallocation some\n', 3, 'preallocation', /off|metadata/],
    ['a format the type lacks', 'btrfs: b1\n\tpath /b\n\tformat qcow2\n', 3, 'format', /no format qcow2/],
    ['a bad bwlimit', 'dir: d1\n\tpath /d\n\tbwlimit fast=1\n', 3, 'bwlimit', /clone\|default/],
    [
      'content-dirs leaving the storage',
      'dir: d1\n\tpath /d\n\tcontent-dirs iso=../isos\n',
      3,
      'content-dirs',
      /relative folder/,
    ],
    ['a bad vgname', 'lvm: v1\n\tvgname -vg\n', 2, 'vgname', /LVM name/],
    ['a bad pool', 'zfspool: z1\n\tpool /rpool\n', 2, 'pool', /dataset/],
    [
      'a blocksize that is not a power of 2',
      'zfspool: z1\n\tpool rpool\n\tblocksize 12k\n',
      3,
      'blocksize',
      /power of 2/,
    ],
    [
      'a negative max-protected-backups below -1',
      'dir: d1\n\tpath /d\n\tmax-protected-backups -2\n',
      3,
      'max-protected-backups',
      /-1/,
    ],
    ['a value-less path', 'dir: d1\n\tpath\n', 2, 'path', /needs a value/],
  ];
  it.each(cases)('%s', (_name, text, line, property, message) => {
    const error = thrown(() => parseStorageCfg(text));
    expect(error.code).toBe('invalid-params');
    expect(error.message).toMatch(new RegExp(`^storage\\.cfg line ${line}: storage [a-z0-9]+: ${property}: `));
    expect(error.message).toMatch(message);
    expect(error.details).toMatchObject({ line, property });
  });

  it('a missing required property names the header line', () => {
    const error = thrown(() => parseStorageCfg('\nlvmthin: t1\n\tvgname pve\n'));
    expect(error.message).toBe('storage.cfg line 2: storage t1: thinpool: a lvmthin storage needs thinpool');
    expect(error.details).toMatchObject({ line: 2, storage: 't1', property: 'thinpool' });
  });

  it('structure errors come from the section parser with their line', () => {
    expect(thrown(() => parseStorageCfg('dir: d1\n\tpath /a\n\ndir: d1\n\tpath /b\n')).details).toMatchObject({
      line: 4,
    });
  });
});

describe('prune-backups and bwlimit', () => {
  it('parses and validates', () => {
    expect(parsePruneBackups('keep-last=3,keep-daily=7')).toEqual({
      ok: true,
      value: { 'keep-last': 3, 'keep-daily': 7 },
    });
    expect(parsePruneBackups('keep-all=1')).toEqual({ ok: true, value: { 'keep-all': 1 } });
    for (const bad of [
      '',
      'keep-last',
      'keep-last=-1',
      'keep-last=1,keep-last=2',
      'keep-all=2',
      'keep-all=1,keep-daily=1',
      'keep-last=1;x',
    ])
      expect(parsePruneBackups(bad).ok, bad).toBe(false);
    expect(parseBwlimit('clone=100,default=2.5')).toEqual({ ok: true, value: { clone: 100, default: 2.5 } });
    for (const bad of ['', 'clone', 'clone=x', 'speed=1', 'move=1,move=2'])
      expect(parseBwlimit(bad).ok, bad).toBe(false);
  });
});

describe('setStorage and removeStorage make the smallest edit', () => {
  const text = fixture('storage.cfg');
  const document = () => parseStorageCfg(text).document;
  const changedLines = (after: string): { removed: string[]; added: string[] } => {
    const before = text.split('\n');
    const now = after.split('\n');
    return {
      removed: before.filter((line) => !now.includes(line)),
      added: now.filter((line) => !before.includes(line)),
    };
  };

  it('writing a storage back unchanged changes nothing, even where the file spells values its own way', () => {
    let next = document();
    for (const entry of parseStorageCfg(text).storages) next = setStorage(next, entry);
    expect(serializeStorageCfg(next)).toBe(text);
  });

  it('changes one property in place and appends a new one', () => {
    const local = storage(text, 'local');
    const next = setStorage(document(), {
      ...local,
      content: ['iso', 'vztmpl', 'backup', 'snippets'],
      nodes: ['pve1'],
    });
    expect(changedLines(serializeStorageCfg(next))).toEqual({
      removed: ['\tcontent iso,vztmpl,backup'],
      added: ['\tcontent iso,vztmpl,backup,snippets', '\tnodes pve1'],
    });
    expect(serializeStorageCfg(next)).toContain('\tshared 0\n\tnodes pve1\n\nlvmthin: local-lvm');
    expect(parseStorageCfg(serializeStorageCfg(next)).storages.find((entry) => entry.id === 'local')).toMatchObject({
      nodes: ['pve1'],
    });
  });

  it('deletes a property the config no longer has, keeping keys the type does not know', () => {
    const text2 = 'dir: d1\n\tpath /d\n\tfuture x\n\tshared 1\n\tcontent iso\n';
    const doc = parseStorageCfg(text2).document;
    const next = setStorage(doc, { type: 'dir', id: 'd1', path: '/d', content: ['iso'] });
    expect(serializeStorageCfg(next)).toBe('dir: d1\n\tpath /d\n\tfuture x\n\tcontent iso\n');
  });

  it('keeps a flag spelled bare or as yes when its value does not change', () => {
    const text2 = 'zfspool: z1\n\tpool rpool\n\tsparse\n\tcontent images\n';
    const doc = parseStorageCfg(text2).document;
    expect(serializeStorageCfg(setStorage(doc, storage(text2, 'z1')))).toBe(text2);
    expect(serializeStorageCfg(setStorage(doc, { ...storage(text2, 'z1'), sparse: false } as StorageConfig))).toBe(
      text2.replace('\tsparse\n', '\tsparse 0\n'),
    );
  });

  it('does not add content that equals the default the file leaves implicit', () => {
    const text2 = 'lvm: v1\n\tvgname vg\n';
    expect(serializeStorageCfg(setStorage(parseStorageCfg(text2).document, storage(text2, 'v1')))).toBe(text2);
  });

  it('adds a new storage at the end in the file’s style', () => {
    const next = setStorage(document(), {
      type: 'dir',
      id: 'iso-store',
      path: '/srv/isos',
      content: ['iso'],
      shared: true,
      'prune-backups': 'keep-last=2',
    });
    expect(serializeStorageCfg(next)).toBe(
      `${text}\ndir: iso-store\n\tpath /srv/isos\n\tcontent iso\n\tshared 1\n\tprune-backups keep-last=2\n`,
    );
    expect(parseStorageCfg(serializeStorageCfg(next)).storages.at(-1)).toEqual({
      type: 'dir',
      id: 'iso-store',
      path: '/srv/isos',
      content: ['iso'],
      shared: true,
      'prune-backups': 'keep-last=2',
    });
  });

  it('refuses a config that would not read back, a type change and unknown properties', () => {
    const bad = (config: Record<string, unknown>): AppError =>
      thrown(() => setStorage(document(), config as unknown as StorageConfig));
    expect(bad({ type: 'dir', id: 'x1', path: 'relative', content: [] }).message).toMatch(
      /storage x1: path: must be an absolute path/,
    );
    expect(bad({ type: 'lvm', id: 'x1', vgname: 'vg', content: ['iso'] }).message).toMatch(/cannot hold iso/);
    expect(bad({ type: 'lvm', id: 'x1', vgname: 'vg', content: [] }).message).toMatch(/needs some content/);
    expect(bad({ type: 'dir', id: 'x1', path: '/x', content: [], shared: 'yes' }).message).toMatch(
      /shared: must be true or false/,
    );
    expect(bad({ type: 'dir', id: 'x1', path: '/x', content: [], pool: 'rpool' }).message).toMatch(
      /has no property pool/,
    );
    expect(bad({ type: 'dir', id: 'x1', path: '/x\n\tinjected 1', content: [] }).code).toBe('invalid-params');
    expect(bad({ type: 'lvmthin', id: 'x1', vgname: 'vg', content: ['images'] }).message).toMatch(/needs thinpool/);
    expect(bad({ type: 'dir', id: 'local-lvm', path: '/x', content: [] }).message).toMatch(
      /is a lvmthin storage, not dir/,
    );
    expect(bad({ type: 'dir', id: 'isos', path: '/x', content: [] }).message).toMatch(/is a nfs storage, not dir/);
    expect(bad({ type: 'dir', id: '../x', path: '/x', content: [] }).code).toBe('invalid-params');
  });

  it('removes a storage with its blank line and nothing else', () => {
    const next = serializeStorageCfg(removeStorage(document(), 'fast'));
    expect(changedLines(next).added).toEqual([]);
    expect(text.replace(/btrfs: fast\n(\t.*\n)+\n/, '')).toBe(next);
    expect(thrown(() => removeStorage(document(), 'nope')).code).toBe('not-found');
    // An unsupported type can be removed too (the admin may drop a storage we cannot use).
    expect(serializeStorageCfg(removeStorage(document(), 'ceph-vm'))).not.toContain('rbd: ceph-vm');
  });
});
