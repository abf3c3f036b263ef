import { describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../api/errors';
import type { StorageConfig } from '../storage/storage-config';
import { parseMountPoint } from './config/mount-point';
import { mountSourceOf, newVolumeBytes, newVolumeLayout, resizeTarget, withVolume } from './ct-volume-plan';

const GiB = 1024 ** 3;
const dir: StorageConfig = { type: 'dir', id: 'local', path: '/var/lib/vz', content: ['rootdir', 'images'] };
const btrfs: StorageConfig = { type: 'btrfs', id: 'fast', path: '/mnt/fast', content: ['rootdir'] };
const zfs: StorageConfig = { type: 'zfspool', id: 'local-zfs', pool: 'rpool/data', content: ['rootdir'] };
const lvm: StorageConfig = { type: 'lvmthin', id: 'local-lvm', vgname: 'pve', thinpool: 'data', content: ['rootdir', 'images'] };

const refusal = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected an AppError');
};

describe('newVolumeLayout (pve-container alloc_disk)', () => {
  it('makes a raw ext4 image where only a file system can hold the size, a folder where the storage limits it or no size is asked', () => {
    expect(newVolumeLayout('rootfs', dir, 8)).toEqual({ format: 'raw', size: 8 * GiB, mkfs: true });
    expect(newVolumeLayout('mp0', dir, 0)).toEqual({ format: 'subvol', size: 0, mkfs: false });
    expect(newVolumeLayout('rootfs', btrfs, 1)).toEqual({ format: 'raw', size: GiB, mkfs: true });
    expect(newVolumeLayout('rootfs', { ...btrfs, quotas: true }, 1)).toEqual({ format: 'subvol', size: GiB, mkfs: false });
    expect(newVolumeLayout('rootfs', zfs, 4)).toEqual({ format: 'subvol', size: 4 * GiB, mkfs: false });
    expect(newVolumeLayout('rootfs', lvm, 2)).toEqual({ format: 'raw', size: 2 * GiB, mkfs: true });
  });

  it('rounds to whole MiB as PVE does', () => {
    expect(newVolumeBytes(1.5)).toBe(1536 * 1024 * 1024);
    expect(newVolumeBytes(0.0015)).toBe(1024 * 1024);
  });

  it('refuses a storage without rootdir and a folder on LVM, naming the key', () => {
    const noRootdir = refusal(() => newVolumeLayout('mp3', { ...dir, content: ['images'] }, 1));
    expect(noRootdir).toMatchObject({ code: 'invalid-params', message: 'mp3: storage local does not hold container volumes (content rootdir)' });
    expect(refusal(() => newVolumeLayout('mp1', lvm, 0)).message).toMatch(/^mp1: size 0 makes a folder/);
  });
});

describe('mountSourceOf', () => {
  it('bind-mounts a subvol, loop-mounts a raw image file, mounts a raw block device directly', () => {
    expect(mountSourceOf({ path: '/var/lib/vz/images/101/subvol-101-disk-0.subvol', format: 'subvol', storage: dir })).toEqual({
      path: '/var/lib/vz/images/101/subvol-101-disk-0.subvol',
    });
    expect(mountSourceOf({ path: '/var/lib/vz/images/101/vm-101-disk-0.raw', format: 'raw', storage: dir })).toEqual({
      path: '/var/lib/vz/images/101/vm-101-disk-0.raw',
      fstype: 'ext4',
      loop: true,
    });
    expect(mountSourceOf({ path: '/dev/pve/vm-101-disk-0', format: 'raw', storage: lvm })).toEqual({ path: '/dev/pve/vm-101-disk-0', fstype: 'ext4', loop: false });
    expect(refusal(() => mountSourceOf({ path: '/x.qcow2', format: 'qcow2', storage: dir })).code).toBe('not-supported');
  });
});

describe('resizeTarget', () => {
  it('grows to SIZE or by +SIZE and never shrinks', () => {
    expect(resizeTarget('rootfs', GiB, '+1G')).toBe(2 * GiB);
    expect(resizeTarget('mp0', GiB, '4G')).toBe(4 * GiB);
    expect(resizeTarget('mp0', GiB, '1536M')).toBe(1.5 * GiB);
    const shrink = refusal(() => resizeTarget('rootfs', 2 * GiB, '1G'));
    expect(shrink).toMatchObject({ code: 'invalid-params', message: 'rootfs: volumes only grow — it is 2G, 1G would shrink it' });
    expect(refusal(() => resizeTarget('mp0', GiB, '1G')).message).toBe('mp0: it is already 1G');
  });
});

describe('withVolume', () => {
  it('writes the volid back with size=, mp= first and the other options kept (PVE canonical order)', () => {
    const mount = parseMountPoint('mp0', 'local:2,mp=/srv/data,backup=1', true);
    expect(withVolume(mount, 'local:201/vm-201-disk-1.raw', 2 * GiB)).toBe('local:201/vm-201-disk-1.raw,mp=/srv/data,backup=1,size=2G');
    expect(withVolume(parseMountPoint('rootfs', 'local:1.5', true), 'local:201/vm-201-disk-0.raw', newVolumeBytes(1.5))).toBe('local:201/vm-201-disk-0.raw,size=1536M');
    expect(withVolume(parseMountPoint('mp1', 'local:0,mp=/tmp/x', true), 'local:201/subvol-201-disk-2.subvol', 0)).toBe('local:201/subvol-201-disk-2.subvol,mp=/tmp/x,size=0T');
  });
});
