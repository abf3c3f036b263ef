import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import {
  CURRENT,
  PENDING,
  addSection,
  applyPending,
  confDigest,
  currentOf,
  deleteKey,
  parseVmConf,
  pendingDeletes,
  removeSection,
  sectionOf,
  sectionsOf,
  serializeVmConf,
  setDescription,
  setKey,
  snapshotsOf,
} from './conf-document';
import { decodeDescription, encodeDescription } from './description';
import { FIXTURE_NAMES, fixtureText } from './fixtures';
import { pendingItems, withPending } from './pending-view';

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

const lineError = (text: string) => {
  const error = thrown(() => parseVmConf(text, '100.conf'));
  if (!isAppError(error, 'invalid-params')) throw new Error(`not invalid-params: ${String(error)}`);
  return error.message;
};

describe('vm conf document', () => {
  it.each(FIXTURE_NAMES)('%s parses and writes back byte-identical', (name) => {
    const text = fixtureText(name);
    const conf = parseVmConf(text, `${name}.conf`);
    expect(serializeVmConf(conf)).toBe(text);
    expect(confDigest(text)).toBe(createHash('sha1').update(text).digest('hex'));
    expect(Object.keys(currentOf(conf).values).length).toBeGreaterThan(8);
  });

  it('reads snapshots, pending values and pending deletes in file order', () => {
    const conf = parseVmConf(fixtureText('snapshots-pending'));
    expect(sectionsOf(conf).map((s) => [s.name, s.kind])).toEqual([
      ['', 'current'],
      ['PENDING', 'pending'],
      ['after-upgrade', 'snapshot'],
      ['before-upgrade', 'snapshot'],
      ['fresh-install', 'snapshot'],
    ]);
    expect(sectionOf(conf, PENDING)?.values).toEqual({
      balloon: '2048',
      cores: '4',
      delete: 'virtio1,tablet',
      memory: '8192',
    });
    expect(pendingDeletes(conf)).toEqual([
      { key: 'virtio1', force: false },
      { key: 'tablet', force: false },
    ]);
    const [after] = snapshotsOf(conf);
    expect(after?.values.vmstate).toBe('local:103/vm-103-state-after-upgrade.raw');
    expect(after?.description).toBe('PostgreSQL 16 in place, before data migration.');
    expect(currentOf(conf).values.parent).toBe('after-upgrade');
  });

  it('decodes the description block (percent-encoded, an empty # line is an empty line)', () => {
    expect(currentOf(parseVmConf(fixtureText('router'))).description).toBe(
      'Edge router (OPNsense).\n\nWAN on vmbr0, LAN trunk on vmbr1, DMZ rate-limited, spare link kept down.',
    );
    expect(currentOf(parseVmConf(fixtureText('windows11'))).description).toContain('Licence: volume key');
    expect(encodeDescription('Zürich: 100% ok')).toBe('Z%C3%BCrich%3A 100% ok');
    expect(decodeDescription('Z%C3%BCrich%3A 100% ok')).toBe('Zürich: 100% ok');
  });

  it('lists pending values and deletes per key, and the config the next start will run', () => {
    const conf = parseVmConf(fixtureText('snapshots-pending'));
    const items = pendingItems(conf);
    expect(items.filter((item) => item.pending !== undefined || item.delete)).toEqual([
      { key: 'balloon', pending: '2048' },
      { key: 'cores', value: '2', pending: '4' },
      { key: 'memory', value: '4096', pending: '8192' },
      { key: 'tablet', delete: true },
      { key: 'virtio1', value: 'local:103/vm-103-disk-1.qcow2,iothread=1,size=100G', delete: true },
    ]);
    expect(withPending(conf)).toEqual(currentOf(applyPending(conf)).values);
  });

  it("keeps PVE's [special:cloudinit] section apart from snapshots", () => {
    const text =
      'ide2: local:vm-100-cloudinit,media=cdrom\nipconfig0: ip=dhcp\n\n[special:cloudinit]\nipconfig0: ip=10.0.0.2/24\n';
    const conf = parseVmConf(text);
    expect(sectionsOf(conf).map((s) => s.kind)).toEqual(['current', 'special']);
    expect(snapshotsOf(conf)).toEqual([]);
    expect(serializeVmConf(addSection(conf, 'snap1', [['snaptime', '1']]))).toBe(`${text}\n[snap1]\nsnaptime: 1\n`);
  });

  it('names the line of malformed input', () => {
    expect(lineError('cores: 2\nmemory 512\n')).toBe(
      '100.conf line 2: "memory 512" is neither "key: value", a [section] nor a # comment',
    );
    expect(lineError('cores: 2\ncores: 4\n')).toBe('100.conf line 2: cores is set twice (first on line 1)');
    expect(lineError('cores: 2\n\n[snap1]\ncores: 1\n\n[snap1]\n')).toBe(
      '100.conf line 6: section [snap1] appears twice (first on line 3)',
    );
    expect(lineError('cores: 2\n[../etc]\n')).toMatch(/^100\.conf line 2: \[\.\.\/etc\] is not a snapshot name/);
    expect(lineError('name:\n')).toBe('100.conf line 1: name has no value');
    expect(lineError('name: a\u0007b\n')).toBe('100.conf line 1: contains a control character');
  });

  it('edits touch only their lines: in-place replace, sorted insert, delete', () => {
    const text = fixtureText('router');
    const conf = parseVmConf(text);
    const cores = serializeVmConf(setKey(conf, CURRENT, 'cores', '4'));
    expect(cores).toBe(text.replace('cores: 2\n', 'cores: 4\n'));
    const balloon = serializeVmConf(setKey(conf, CURRENT, 'balloon', '1024'));
    expect(balloon).toBe(text.replace('boot: order=virtio0\n', 'balloon: 1024\nboot: order=virtio0\n'));
    const last = serializeVmConf(setKey(conf, CURRENT, 'vmgenid', '3f2504e0-4f89-41d3-9a0c-0305e82c3301'));
    expect(last).toBe(`${text}vmgenid: 3f2504e0-4f89-41d3-9a0c-0305e82c3301\n`);
    expect(serializeVmConf(deleteKey(conf, CURRENT, 'protection'))).toBe(text.replace('protection: 1\n', ''));
    expect(deleteKey(conf, CURRENT, 'absent')).toBe(conf);
  });

  it('creates [PENDING] right after the current section and removes it when emptied', () => {
    const conf = parseVmConf('cores: 1\nmemory: 512\n\n[snap1]\ncores: 1\nsnaptime: 1\n');
    const pending = setKey(conf, PENDING, 'memory', '1024');
    expect(serializeVmConf(pending)).toBe(
      'cores: 1\nmemory: 512\n\n[PENDING]\nmemory: 1024\n\n[snap1]\ncores: 1\nsnaptime: 1\n',
    );
    expect(serializeVmConf(deleteKey(pending, PENDING, 'memory'))).toBe(serializeVmConf(conf));
  });

  it('adds snapshot sections in name order and removes them with their blank line', () => {
    const text = fixtureText('snapshots-pending');
    const conf = parseVmConf(text);
    const added = addSection(
      conf,
      'base-line',
      [
        ['snaptime', '1718000000'],
        ['cores', '2'],
        ['parent', 'after-upgrade'],
      ],
      'first line\nsecond: line',
    );
    const written = serializeVmConf(added);
    expect(written).toContain(
      '\n\n[base-line]\n#first line\n#second%3A line\ncores: 2\nparent: after-upgrade\nsnaptime: 1718000000\n\n[before-upgrade]\n',
    );
    expect(snapshotsOf(added).map((s) => s.name)).toEqual([
      'after-upgrade',
      'base-line',
      'before-upgrade',
      'fresh-install',
    ]);
    expect(serializeVmConf(removeSection(added, 'base-line'))).toBe(text);
    const last = serializeVmConf(addSection(conf, 'zz-last', [['snaptime', '1']]));
    expect(last).toBe(`${text}\n[zz-last]\nsnaptime: 1\n`);
    expect(serializeVmConf(removeSection(parseVmConf(last), 'zz-last'))).toBe(text);
    expect(
      isAppError(
        thrown(() => addSection(conf, 'fresh-install', [])),
        'already-exists',
      ),
    ).toBe(true);
  });

  it('moves pending values into the current config and carries out pending deletes', () => {
    const conf = applyPending(parseVmConf(fixtureText('snapshots-pending')));
    const current = currentOf(conf);
    expect(current.values).toMatchObject({ cores: '4', memory: '8192', balloon: '2048' });
    expect(current.values.virtio1).toBeUndefined();
    expect(sectionOf(conf, PENDING)).toBeUndefined();
    const text = serializeVmConf(conf);
    expect(text.startsWith('balloon: 2048\nboot: order=virtio0;net0\ncores: 4\nmemory: 8192\nname: db01\n')).toBe(true);
    expect(text).toContain('vmgenid: 7d1a2b3c-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n\n[after-upgrade]\n');
  });

  it('replaces a description block and keeps CRLF and a missing final newline', () => {
    const conf = parseVmConf('#old\r\ncores: 1\r\nmemory: 512');
    const edited = setKey(setDescription(conf, CURRENT, 'new: one\nline two'), CURRENT, 'name', 'vm1');
    expect(serializeVmConf(edited)).toBe('#new%3A one\r\n#line two\r\ncores: 1\r\nmemory: 512\r\nname: vm1');
    expect(currentOf(edited).description).toBe('new: one\nline two');
  });
});
