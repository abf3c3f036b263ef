import { describe, expect, it } from 'vitest';
import type { StorageEntry } from '../../../../node-agent/src/api/storage';
import {
  emptyStorageForm,
  formFromEntry,
  isNodePath,
  isPruneBackups,
  toChanges,
  toDefinition,
  validateStorageForm,
  type StorageFormValues,
} from './storage-form';

const dirContent = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'] as const;
const add = { mode: 'add' as const, takenIds: new Set(['local']), allowedContent: [...dirContent] };
const form = (patch: Partial<StorageFormValues>): StorageFormValues => ({
  ...emptyStorageForm('dir', ['iso']),
  ...patch,
});

const entry: StorageEntry = {
  id: 'local',
  type: 'dir',
  content: ['iso', 'vztmpl', 'backup'],
  config: { path: '/var/lib/vz', content: ['iso', 'vztmpl', 'backup'], nodes: ['n1'], 'prune-backups': 'keep-last=3' },
  enabled: true,
  shared: false,
  capabilities: {
    content: [...dirContent],
    formats: ['raw', 'qcow2', 'vmdk', 'subvol'],
    defaultFormat: 'raw',
    snapshots: 'qcow2',
    clones: 'qcow2',
    shared: 'configurable',
    layout: 'file',
  },
};

describe('storage form validation', () => {
  it('accepts a complete dir storage', () => {
    expect(validateStorageForm(form({ id: 'backup-1', path: '/srv/backup' }), add)).toEqual({});
  });

  it('checks the id: required, PVE syntax, not taken', () => {
    expect(validateStorageForm(form({ path: '/x' }), add).id).toBe('storageForm.invalid.required');
    expect(validateStorageForm(form({ id: '1abc', path: '/x' }), add).id).toBe('storageForm.invalid.id');
    expect(validateStorageForm(form({ id: 'abc-', path: '/x' }), add).id).toBe('storageForm.invalid.id');
    expect(validateStorageForm(form({ id: 'local', path: '/x' }), add).id).toBe('storageForm.invalid.taken');
    // Editing never checks the id: it cannot change.
    expect(validateStorageForm(form({ id: 'local', path: '/x' }), { ...add, mode: 'edit' }).id).toBeUndefined();
  });

  it('wants an absolute path without .. for dir and btrfs', () => {
    expect(validateStorageForm(form({ id: 'a1', path: '' }), add).path).toBe('storageForm.invalid.required');
    expect(validateStorageForm(form({ id: 'a1', path: 'srv/x' }), add).path).toBe('storageForm.invalid.path');
    expect(validateStorageForm(form({ id: 'a1', path: '/srv/../etc' }), add).path).toBe('storageForm.invalid.path');
    expect(validateStorageForm({ ...form({ id: 'a1', path: '/srv/x' }), type: 'btrfs' }, add).path).toBeUndefined();
    expect(isNodePath('/srv/x/')).toBe(true);
    expect(isNodePath('/srv//x')).toBe(false);
  });

  it('wants vgname for lvm, vgname and thinpool for lvmthin, a pool for zfspool', () => {
    const lvm = { ...emptyStorageForm('lvmthin', ['images']), id: 't1' };
    const errors = validateStorageForm(lvm, add);
    expect(errors.vgname).toBe('storageForm.invalid.required');
    expect(errors.thinpool).toBe('storageForm.invalid.required');
    expect(errors.path).toBeUndefined();
    expect(validateStorageForm({ ...lvm, vgname: 'pve', thinpool: 'da ta' }, add).thinpool).toBe(
      'storageForm.invalid.name',
    );
    const zfs = { ...emptyStorageForm('zfspool', ['images']), id: 'z1', pool: 'rpool/data', blocksize: '16k' };
    expect(validateStorageForm(zfs, add)).toEqual({});
    expect(validateStorageForm({ ...zfs, pool: 'rpool/../x' }, add).pool).toBe('storageForm.invalid.name');
    expect(validateStorageForm({ ...zfs, blocksize: '3k' }, add).blocksize).toBe('storageForm.invalid.blocksize');
  });

  it('limits content to what the type can hold and wants at least one', () => {
    const lvm = { ...emptyStorageForm('lvm', ['iso']), id: 'l1', vgname: 'vg0' };
    expect(validateStorageForm(lvm, { ...add, allowedContent: ['images', 'rootdir'] }).content).toBe(
      'storageForm.invalid.content',
    );
    expect(validateStorageForm(form({ id: 'a1', path: '/x', content: [] }), add).content).toBe(
      'storageForm.invalid.content',
    );
  });

  it('checks nodes and prune-backups', () => {
    expect(validateStorageForm(form({ id: 'a1', path: '/x', nodes: 'n1, n2' }), add).nodes).toBeUndefined();
    expect(validateStorageForm(form({ id: 'a1', path: '/x', nodes: 'n1;rm' }), add).nodes).toBe(
      'storageForm.invalid.nodes',
    );
    expect(isPruneBackups('keep-last=3,keep-weekly=2')).toBe(true);
    expect(isPruneBackups('keep-all=1')).toBe(true);
    expect(isPruneBackups('keep-last=3,keep-last=4')).toBe(false);
    expect(isPruneBackups('keep-forever=1')).toBe(false);
  });
});

describe('storage form output', () => {
  it('turns an add form into a definition with only what is set', () => {
    expect(toDefinition(form({ id: 'b1', path: '/srv/b', content: ['backup'], enable: false, shared: true }))).toEqual({
      type: 'dir',
      id: 'b1',
      path: '/srv/b',
      content: ['backup'],
      disable: true,
      shared: true,
    });
  });

  it('reads an entry back into the form', () => {
    const values = formFromEntry(entry);
    expect(values).toMatchObject({
      id: 'local',
      path: '/var/lib/vz',
      nodes: 'n1',
      enable: true,
      pruneBackups: 'keep-last=3',
    });
  });

  it('sends only changed properties and deletes the cleared ones on edit', () => {
    const values = {
      ...formFromEntry(entry),
      nodes: '',
      enable: false,
      content: ['iso', 'vztmpl', 'backup', 'snippets'] as StorageFormValues['content'],
    };
    expect(toChanges(values, entry)).toEqual({
      properties: { content: ['iso', 'vztmpl', 'backup', 'snippets'], disable: true },
      delete: ['nodes'],
    });
    expect(toChanges(formFromEntry(entry), entry)).toEqual({ properties: {}, delete: [] });
  });
});

describe('type capabilities', () => {
  it('prefers what storage.list reports and falls back to the agent table', async () => {
    const { typeCapabilities } = await import('./storage-form');
    expect(typeCapabilities([entry], 'dir').content).toEqual(entry.capabilities.content);
    expect(typeCapabilities([entry], 'lvm').content).toEqual(['images', 'rootdir']);
  });
});
