import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../i18n/translate';
import {
  isBindMount,
  mountSizeGiB,
  mountSpec,
  mountValues,
  newMount,
  resizeSize,
  validateMount,
  validateResize,
} from './ct-mount-form';
import { ctResourceValue, ctRowCapabilities, type CtResourceRow } from './ct-resource-rows';

describe('mount points as form values and back', () => {
  it('makes a new storage volume STORAGE:SIZE_GiB with mp= first and the options sorted', () => {
    const v = {
      ...newMount('local-lvm'),
      sizeGiB: '4',
      path: '/srv/data',
      acl: '1' as const,
      mountoptions: ['noatime' as const],
    };
    expect(mountSpec(v, 'mp0')).toBe('local-lvm:4,mp=/srv/data,acl=1,backup=1,mountoptions=noatime');
    expect(mountSpec({ ...v, backup: false, ro: true, replicate: false, acl: '' }, 'mp0')).toBe(
      'local-lvm:4,mp=/srv/data,mountoptions=noatime,replicate=0,ro=1',
    );
  });

  it('makes a bind mount from a host path, with no backup flag (only volumes are backed up)', () => {
    const v = {
      ...newMount(),
      source: 'bind' as const,
      hostPath: '/srv/share',
      path: '/share',
      ro: true,
      shared: true,
    };
    expect(mountSpec(v, 'mp1')).toBe('/srv/share,mp=/share,ro=1,shared=1');
    expect(isBindMount('/srv/share,mp=/share')).toBe(true);
    expect(isBindMount('local:subvol-110-disk-1,mp=/share')).toBe(false);
  });

  it('reads an existing value and writes it back unchanged, keeping the volume and the options it does not edit', () => {
    const spec = 'local-lvm:subvol-110-disk-1,mp=/srv/data,acl=0,backup=1,mountoptions=noatime;nosuid,size=8G';
    const v = mountValues(spec);
    expect(v).toMatchObject({
      source: 'volume',
      volume: 'local-lvm:subvol-110-disk-1',
      path: '/srv/data',
      acl: '0',
      backup: true,
    });
    expect(v.mountoptions).toEqual(['noatime', 'nosuid']);
    expect(v.other).toEqual({ size: '8G' });
    expect(mountSpec(v, 'mp0')).toBe(spec);
    // The root disk has no mp= and no backup flag.
    const root = mountValues('local:subvol-110-disk-0,size=1G');
    expect(mountSpec({ ...root, quota: true }, 'rootfs')).toBe('local:subvol-110-disk-0,quota=1,size=1G');
    expect(mountValues('/srv/share,mp=/share,ro=1')).toMatchObject({
      source: 'bind',
      hostPath: '/srv/share',
      ro: true,
    });
  });

  it('checks the paths, the storage and the size of a new volume', () => {
    expect(validateMount({ ...newMount('local'), path: '/srv/data' }, 'mp0')).toEqual({});
    expect(validateMount({ ...newMount(''), path: 'relative', sizeGiB: '0' }, 'mp0')).toEqual({
      path: 'ct.mount.invalid.path',
      storage: 'vmForm.invalid.required',
      sizeGiB: 'vmForm.invalid.diskSize',
    });
    for (const bad of ['/', '/proc/x', '/dev', '/a/../b', '/a,b', '/a b', '/a/'])
      expect(validateMount({ ...newMount('local'), path: bad }, 'mp0').path, bad).toBe('ct.mount.invalid.path');
    const bind = { ...newMount(), source: 'bind' as const, path: '/share' };
    expect(validateMount({ ...bind, hostPath: '/sys/kernel' }, 'mp0')).toEqual({
      hostPath: 'ct.mount.invalid.hostPath',
    });
    expect(validateMount({ ...bind, hostPath: '/srv/share' }, 'mp0')).toEqual({});
    // The root disk has no path of its own; an existing volume needs no storage or size.
    expect(validateMount(mountValues('local:subvol-110-disk-0,size=1G'), 'rootfs')).toEqual({});
  });
});

describe('resize: grow only', () => {
  it('reads the size in GiB whatever the unit', () => {
    expect(mountSizeGiB('local:subvol-1-disk-0,size=8G')).toBe(8);
    expect(mountSizeGiB('local:subvol-1-disk-0,size=512M')).toBe(0.5);
    expect(mountSizeGiB('local:subvol-1-disk-0,size=1T')).toBe(1024);
    expect(mountSizeGiB('/srv/share,mp=/x')).toBeUndefined();
    // A new volume still pending: STORAGE:SIZE_GiB.
    expect(mountSizeGiB('local:4,mp=/srv/data,backup=1')).toBe(4);
    expect(mountSizeGiB('local:110/subvol-110-disk-1,mp=/x')).toBeUndefined();
  });

  it('grows by +N G, or to N G when that is larger than now; never smaller', () => {
    expect(resizeSize({ mode: 'grow', sizeGiB: '2' })).toBe('+2G');
    expect(resizeSize({ mode: 'set', sizeGiB: '16' })).toBe('16G');
    expect(resizeSize({ mode: 'grow', sizeGiB: '0.5' })).toBe('+0.5G');
    expect(validateResize({ mode: 'grow', sizeGiB: '2' }, 8)).toBeUndefined();
    expect(validateResize({ mode: 'grow', sizeGiB: '0' }, 8)).toBe('ct.resize.invalid.size');
    expect(validateResize({ mode: 'grow', sizeGiB: '-1' }, 8)).toBe('ct.resize.invalid.size');
    expect(validateResize({ mode: 'set', sizeGiB: '8' }, 8)).toBe('ct.resize.invalid.smaller');
    expect(validateResize({ mode: 'set', sizeGiB: '4' }, 8)).toBe('ct.resize.invalid.smaller');
    expect(validateResize({ mode: 'set', sizeGiB: '9' }, 8)).toBeUndefined();
  });
});

describe('Resources rows', () => {
  const row = (
    key: string,
    kind: CtResourceRow['kind'],
    current: string,
    extra: Partial<CtResourceRow> = {},
  ): CtResourceRow => ({
    key,
    kind,
    current,
    pending: undefined,
    deleting: false,
    ...extra,
  });

  it('shows a volume with its path and size', () => {
    const t = translatorFor('en');
    expect(ctResourceValue('mp', 'local:subvol-110-disk-1,mp=/srv/data,backup=1,size=8G', t, 'en')).toBe(
      'local:subvol-110-disk-1 → /srv/data, 8 GiB, backup=1',
    );
    expect(ctResourceValue('rootfs', 'local:subvol-110-disk-0,size=512M', t, 'en')).toBe(
      'local:subvol-110-disk-0, 512 MiB',
    );
  });

  it('resizes storage volumes only, removes mount points, deletes unused volumes', () => {
    expect(ctRowCapabilities(row('rootfs', 'rootfs', 'local:subvol-110-disk-0,size=1G'))).toEqual({
      edit: true,
      resize: true,
      remove: false,
      deleteUnused: false,
      revert: false,
    });
    expect(ctRowCapabilities(row('mp0', 'mp', 'local:110/subvol-110-disk-1,mp=/d,size=1G'))).toMatchObject({
      resize: true,
      remove: true,
    });
    expect(ctRowCapabilities(row('mp1', 'mp', '/srv/share,mp=/share'))).toMatchObject({ resize: false, remove: true });
    // Not yet allocated (STORAGE:SIZE, as written before a running container's next start): nothing to grow yet.
    expect(ctRowCapabilities(row('mp2', 'mp', 'local:4,mp=/new'))).toMatchObject({ resize: false, remove: true });
    expect(ctRowCapabilities(row('unused0', 'unused', 'local:subvol-110-disk-2'))).toMatchObject({
      edit: false,
      resize: false,
      remove: false,
      deleteUnused: true,
    });
    expect(ctRowCapabilities(row('mp0', 'mp', 'local:subvol-110-disk-1,mp=/d', { deleting: true }))).toEqual({
      edit: false,
      resize: false,
      remove: false,
      deleteUnused: false,
      revert: true,
    });
  });
});
