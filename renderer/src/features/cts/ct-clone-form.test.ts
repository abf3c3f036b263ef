import { describe, expect, it } from 'vitest';
import { emptyCtClone, toCtCloneParams, validateCtClone } from './ct-clone-form';

const source = { vmid: 110, template: false };

describe('Clone CT values → ct.clone params', () => {
  it('clones a container fully by default and a template linked, as PVE does', () => {
    expect(emptyCtClone(false).full).toBe(true);
    expect(emptyCtClone(true).full).toBe(false);
  });

  it('sends the new id, the hostname when given, and the target storage only for a full copy', () => {
    const v = { ...emptyCtClone(false), newid: '111', hostname: 'web2', storage: 'big-btrfs' };
    expect(toCtCloneParams(110, v)).toEqual({
      vmid: 110,
      newid: 111,
      full: true,
      hostname: 'web2',
      storage: 'big-btrfs',
    });
    expect(toCtCloneParams(110, { ...v, hostname: '', storage: '' })).toEqual({ vmid: 110, newid: 111, full: true });
    expect(toCtCloneParams(110, { ...v, full: false })).toEqual({
      vmid: 110,
      newid: 111,
      full: false,
      hostname: 'web2',
    });
  });

  it('needs a free-looking id other than the source, a DNS hostname, and a template for a linked clone', () => {
    const ok = { ...emptyCtClone(false), newid: '111' };
    expect(validateCtClone(ok, source)).toEqual({});
    expect(validateCtClone({ ...ok, newid: '' }, source)).toEqual({ newid: 'vmForm.invalid.vmid' });
    expect(validateCtClone({ ...ok, newid: '99' }, source)).toEqual({ newid: 'vmForm.invalid.vmid' });
    expect(validateCtClone({ ...ok, newid: '110' }, source)).toEqual({ newid: 'ct.clone.invalid.sameId' });
    expect(validateCtClone({ ...ok, hostname: 'bad_host' }, source)).toEqual({ hostname: 'vmForm.invalid.name' });
    expect(validateCtClone({ ...ok, full: false }, source)).toEqual({ full: 'ct.clone.invalid.linkedNeedsTemplate' });
    expect(validateCtClone({ ...ok, full: false }, { vmid: 110, template: true })).toEqual({});
  });
});
