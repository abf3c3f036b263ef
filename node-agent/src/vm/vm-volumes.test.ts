// The volumes a VM config names and which of them the VM owns (what destroy frees).
import { describe, expect, it } from 'vitest';
import { parseVmConf } from './config/conf-document';
import { drivesOf, isVolid, ownedVolumes, volumeOwner } from './vm-volumes';

describe('drivesOf', () => {
  it('gives the drives that parse in numeric key order, skipping other keys and unreadable values', () => {
    const drives = drivesOf({
      scsi10: 'local:100/vm-100-disk-2.raw',
      name: 'web',
      scsi2: 'local:100/vm-100-disk-1.raw,size=4G',
      ide2: 'local:iso/debian.iso,media=cdrom',
      scsi0: 'local:100/vm-100-disk-0.qcow2,cache=sometimes',
      unused0: 'local:100/vm-100-disk-3.raw',
      net0: 'virtio,bridge=vmbr0',
      efidisk0: 'local:100/vm-100-disk-4.raw,efitype=4m',
    });
    expect(drives.map((drive) => drive.key)).toEqual(['efidisk0', 'ide2', 'scsi2', 'scsi10', 'unused0']);
    expect(drives.find((drive) => drive.key === 'ide2')).toMatchObject({
      kind: 'ide',
      media: 'cdrom',
      file: 'local:iso/debian.iso',
    });
    expect(drives.find((drive) => drive.key === 'scsi2')).toMatchObject({ kind: 'scsi', index: 2, size: '4G' });
  });
});

describe('isVolid', () => {
  it('is true for storage:volname and false for paths, none and cdrom', () => {
    expect(isVolid('local:100/vm-100-disk-0.qcow2')).toBe(true);
    expect(isVolid('local:iso/debian.iso')).toBe(true);
    expect(isVolid('lvm-thin:vm-100-disk-0')).toBe(true);
    expect(isVolid('/dev/sdb')).toBe(false);
    expect(isVolid('/var/lib/vz/images/100/vm-100-disk-0.raw')).toBe(false);
    expect(isVolid('none')).toBe(false);
    expect(isVolid('cdrom')).toBe(false);
    expect(isVolid('local:')).toBe(false);
  });
});

describe('volumeOwner', () => {
  it('reads the VMID off file and block volume names', () => {
    expect(volumeOwner('local:100/vm-100-disk-0.qcow2')).toBe(100);
    expect(volumeOwner('local:100/base-100-disk-0.qcow2')).toBe(100);
    expect(volumeOwner('lvm:vm-101-disk-0')).toBe(101);
    expect(volumeOwner('zfs:subvol-102-disk-0')).toBe(102);
    expect(volumeOwner('btrfs:basevol-103-disk-0')).toBe(103);
    expect(volumeOwner('local:104/vm-104-state-snap1.raw')).toBe(104);
    expect(volumeOwner('local:105/vm-105-cloudinit.raw')).toBe(105);
  });

  it('gives a linked clone’s own part, not its base', () => {
    expect(volumeOwner('local:100/base-100-disk-0.qcow2/101/vm-101-disk-0.qcow2')).toBe(101);
    expect(volumeOwner('thin:base-100-disk-0/vm-101-disk-0')).toBe(101);
  });

  it('is undefined for volumes of no guest and for text that is no volid', () => {
    expect(volumeOwner('local:iso/debian.iso')).toBeUndefined();
    expect(volumeOwner('local:100/disk-0.raw')).toBeUndefined();
    expect(volumeOwner('local:100/vm-99-disk-0.raw')).toBeUndefined();
    expect(volumeOwner('/dev/sdb')).toBeUndefined();
    expect(volumeOwner('none')).toBeUndefined();
  });
});

describe('ownedVolumes', () => {
  it('includes a disk that only a pending value names (a set on a running VM allocated it)', () => {
    const conf = parseVmConf('scsi0: local:100/vm-100-disk-0.raw\n\n[PENDING]\nscsi1: local:100/vm-100-disk-1.raw,size=1G\n');
    expect(ownedVolumes(conf, 100).sort()).toEqual(['local:100/vm-100-disk-0.raw', 'local:100/vm-100-disk-1.raw']);
  });

  it('collects the VM’s own disks and RAM states across current and snapshots, once each', () => {
    const conf = parseVmConf(
      [
        'ide2: local:iso/debian.iso,media=cdrom',
        'parent: first',
        'scsi0: local:101/vm-101-disk-1.qcow2,size=8G',
        'scsi1: local:100/base-100-disk-0.qcow2/101/vm-101-disk-0.qcow2,size=4G',
        'scsi2: local:102/vm-102-disk-0.raw',
        'scsi3: /dev/sdb',
        'unused0: local:101/vm-101-disk-2.raw',
        '',
        '[first]',
        'scsi0: local:101/vm-101-disk-1.qcow2,size=8G',
        'scsi1: local:100/base-100-disk-0.qcow2/101/vm-101-disk-0.qcow2,size=4G',
        'scsi4: local:101/vm-101-disk-3.raw',
        'snaptime: 1700000000',
        'vmstate: local:101/vm-101-state-first.raw',
        '',
      ].join('\n'),
    );
    expect(ownedVolumes(conf, 101).sort()).toEqual(
      [
        'local:101/vm-101-disk-1.qcow2',
        'local:100/base-100-disk-0.qcow2/101/vm-101-disk-0.qcow2',
        'local:101/vm-101-disk-2.raw',
        'local:101/vm-101-disk-3.raw',
        'local:101/vm-101-state-first.raw',
      ].sort(),
    );
  });

  it('leaves a template’s base volume to the template', () => {
    const clone = parseVmConf('scsi0: local:100/base-100-disk-0.qcow2,size=4G\n');
    expect(ownedVolumes(clone, 101)).toEqual([]);
    expect(ownedVolumes(clone, 100)).toEqual(['local:100/base-100-disk-0.qcow2']);
  });
});
