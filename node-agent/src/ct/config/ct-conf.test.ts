import { describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import {
  CURRENT,
  PENDING,
  applyPending,
  currentOf,
  sectionOf,
  sectionsOf,
  setKey,
} from '../../vm/config/conf-document';
import { withPending } from '../../vm/config/pending-view';
import { CT_PENDING_HEADER, parseCtConf, serializeCtConf } from './ct-conf';
import { CT_FIXTURE_NAMES, ctFixtureText } from './fixtures';

const errorOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

describe('container conf document', () => {
  it.each(CT_FIXTURE_NAMES)('%s parses and writes back byte-identical', (name) => {
    const text = ctFixtureText(name);
    expect(serializeCtConf(parseCtConf(text))).toBe(text);
  });

  it('reads [pve:pending] as the pending section and keeps the header PVE writes', () => {
    const conf = parseCtConf(ctFixtureText('snapshots-pending'));
    expect(sectionsOf(conf).map((s) => [s.name, s.kind])).toEqual([
      ['', 'current'],
      ['PENDING', 'pending'],
      ['before-upgrade', 'snapshot'],
      ['fresh', 'snapshot'],
    ]);
    expect(sectionOf(conf, PENDING)?.values).toEqual({ cores: '4', delete: 'swap', memory: '6144' });
    expect(sectionOf(conf, 'before-upgrade')?.description).toBe('PostgreSQL 15 before the major upgrade.');
    expect(withPending(conf)).toMatchObject({ cores: '4', memory: '6144' });
    expect(withPending(conf).swap).toBeUndefined();
    const applied = applyPending(conf);
    expect(serializeCtConf(applied)).not.toContain('pending');
    expect(currentOf(applied).values).toMatchObject({ cores: '4', memory: '6144' });
  });

  it('writes a new pending section as [pve:pending], and a CRLF file keeps its line ends', () => {
    const conf = setKey(parseCtConf(ctFixtureText('template')), PENDING, 'memory', '1024');
    const text = serializeCtConf(conf);
    expect(text).toContain(`\n\n${CT_PENDING_HEADER}\nmemory: 1024\n`);
    expect(text).not.toContain('[PENDING]');
    expect(sectionOf(parseCtConf(text), PENDING)?.values).toEqual({ memory: '1024' });
    const crlf = ctFixtureText('snapshots-pending').replaceAll('\n', '\r\n');
    expect(serializeCtConf(setKey(parseCtConf(crlf), CURRENT, 'cores', '3'))).toBe(
      crlf.replace('cores: 2\r\n', 'cores: 3\r\n'),
    );
  });

  it('refuses [PENDING] (a snapshot of that name to PVE) and says raw lxc.* lines are not read yet', () => {
    const pending = errorOf(() => parseCtConf('arch: amd64\n\n[PENDING]\ncores: 2\n', 'lxc/105.conf'));
    expect(isAppError(pending, 'invalid-params') && pending.message).toBe(
      "lxc/105.conf line 3: a container's pending section is [pve:pending], not [PENDING]",
    );
    const raw = errorOf(() => parseCtConf('arch: amd64\nlxc.cgroup2.devices.allow: c 10:200 rwm\n'));
    expect(isAppError(raw, 'not-supported')).toBe(true);
  });
});
