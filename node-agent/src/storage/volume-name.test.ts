import { describe, expect, it } from 'vitest';
import {
  assertOwner,
  diskName,
  nextDiskName,
  parseVolid,
  parseVolname,
  SNAPSHOT_NAME,
  type ParsedVolname,
} from './volume-name';
import { thrown } from './__fixtures__/fixtures';

describe('parseVolid', () => {
  it('splits storage and volname at the first colon', () => {
    expect(parseVolid('local:iso/x.iso')).toEqual({ storeid: 'local', volname: 'iso/x.iso' });
    expect(parseVolid('local-lvm:vm-100-disk-0')).toEqual({ storeid: 'local-lvm', volname: 'vm-100-disk-0' });
    expect(parseVolid('iscsi-lun:0.0.1.scsi-3600:x')).toEqual({ storeid: 'iscsi-lun', volname: '0.0.1.scsi-3600:x' });
  });

  it.each([
    '',
    'local',
    'local:',
    ':iso/x.iso',
    '1local:x',
    'lo cal:x',
    'local\n:x',
    'local:x\u0000',
    '../etc:passwd',
    `local:${'a'.repeat(2000)}`,
  ])('refuses %j with invalid-params naming it', (volid) => {
    const error = thrown(() => parseVolid(volid));
    expect(error.code).toBe('invalid-params');
    expect(error.message).toContain('is not a volume id');
    expect(error.details).toEqual({ volid });
  });
});

describe('parseVolname, file layout (dir, btrfs)', () => {
  const cases: [string, ParsedVolname][] = [
    [
      '100/vm-100-disk-0.qcow2',
      { content: 'images', name: 'vm-100-disk-0.qcow2', vmid: 100, format: 'qcow2', isBase: false },
    ],
    [
      '100/vm-100-disk-1.raw',
      { content: 'images', name: 'vm-100-disk-1.raw', vmid: 100, format: 'raw', isBase: false },
    ],
    [
      '100/vm-100-disk-2.vmdk',
      { content: 'images', name: 'vm-100-disk-2.vmdk', vmid: 100, format: 'vmdk', isBase: false },
    ],
    [
      '100/base-100-disk-0.qcow2',
      { content: 'images', name: 'base-100-disk-0.qcow2', vmid: 100, format: 'qcow2', isBase: true },
    ],
    [
      '101/subvol-101-disk-0.subvol',
      { content: 'rootdir', name: 'subvol-101-disk-0.subvol', vmid: 101, format: 'subvol', isBase: false },
    ],
    [
      '100/vm-100-state-snap1.raw',
      { content: 'images', name: 'vm-100-state-snap1.raw', vmid: 100, format: 'raw', isBase: false },
    ],
    [
      '100/vm-100-cloudinit.qcow2',
      { content: 'images', name: 'vm-100-cloudinit.qcow2', vmid: 100, format: 'qcow2', isBase: false },
    ],
    [
      '100/imported-disk.qcow2',
      { content: 'images', name: 'imported-disk.qcow2', vmid: 100, format: 'qcow2', isBase: false },
    ],
    [
      '100/base-100-disk-0.qcow2/101/vm-101-disk-0.qcow2',
      {
        content: 'images',
        name: 'vm-101-disk-0.qcow2',
        vmid: 101,
        format: 'qcow2',
        isBase: false,
        base: { volname: '100/base-100-disk-0.qcow2', vmid: 100 },
      },
    ],
    ['iso/debian-12.7.0-amd64-netinst.iso', { content: 'iso', name: 'debian-12.7.0-amd64-netinst.iso', isBase: false }],
    ['iso/FreeBSD.IMG', { content: 'iso', name: 'FreeBSD.IMG', isBase: false }],
    [
      'vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
      { content: 'vztmpl', name: 'debian-12-standard_12.7-1_amd64.tar.zst', isBase: false },
    ],
    ['vztmpl/alpine.tar', { content: 'vztmpl', name: 'alpine.tar', isBase: false }],
    [
      'backup/vzdump-qemu-100-2024_01_01-00_00_00.vma.zst',
      { content: 'backup', name: 'vzdump-qemu-100-2024_01_01-00_00_00.vma.zst', vmid: 100, isBase: false },
    ],
    [
      'backup/vzdump-lxc-101-2024_01_01-00_00_00.tar.gz',
      { content: 'backup', name: 'vzdump-lxc-101-2024_01_01-00_00_00.tar.gz', vmid: 101, isBase: false },
    ],
    ['backup/manual.tgz', { content: 'backup', name: 'manual.tgz', isBase: false }],
    ['snippets/x.yaml', { content: 'snippets', name: 'x.yaml', isBase: false }],
    ['snippets/hook.pl', { content: 'snippets', name: 'hook.pl', isBase: false }],
    ['import/x.ova', { content: 'import', name: 'x.ova', isBase: false }],
    ['import/disk.qcow2', { content: 'import', name: 'disk.qcow2', format: 'qcow2', isBase: false }],
    [
      'import/appliance.ova/disk1.vmdk',
      { content: 'import', name: 'appliance.ova/disk1.vmdk', format: 'vmdk', isBase: false },
    ],
  ];
  it.each(cases)('%s', (volname, parsed) => {
    expect(parseVolname(volname, 'file')).toEqual(parsed);
  });

  it.each([
    ['100/vm-101-disk-0.qcow2', /names guest 101 but lies in the folder of guest 100/],
    ['0100/vm-100-disk-0.qcow2', /not a vmid/],
    ['99/vm-99-disk-0.qcow2', /not a vmid/],
    ['100/vm-100-disk-0', /no image format extension/],
    ['100/snap-s1-vm-100-disk-0.qcow2', /snapshot file/],
    ['100/vm-100-disk-0.qcow2/101/vm-101-disk-0.qcow2', /base must be a base image/],
    ['100/base-100-disk-0.qcow2/101/base-101-disk-0.qcow2', /cannot itself be a base/],
    ['100/base-100-disk-0.qcow2/101', /an image is/],
    ['iso/x.txt', /ISO image is/],
    ['iso/sub/x.iso', /ISO image is/],
    ['vztmpl/x.tar.7z', /container template/],
    ['backup/x.zip', /backup is/],
    ['images/100/vm-100-disk-0.raw', /not a content folder/],
    ['private/100', /not a content folder/],
  ])('refuses %s', (volname, message) => {
    const error = thrown(() => parseVolname(volname, 'file'));
    expect(error.code).toBe('invalid-params');
    expect(error.message).toContain(JSON.stringify(volname));
    expect(error.message).toMatch(message);
  });
});

describe('parseVolname, block layout (lvm, lvmthin, zfspool)', () => {
  const cases: [string, ParsedVolname][] = [
    ['vm-100-disk-0', { content: 'images', name: 'vm-100-disk-0', vmid: 100, format: 'raw', isBase: false }],
    ['base-100-disk-0', { content: 'images', name: 'base-100-disk-0', vmid: 100, format: 'raw', isBase: true }],
    [
      'subvol-100-disk-0',
      { content: 'rootdir', name: 'subvol-100-disk-0', vmid: 100, format: 'subvol', isBase: false },
    ],
    [
      'basevol-100-disk-0',
      { content: 'rootdir', name: 'basevol-100-disk-0', vmid: 100, format: 'subvol', isBase: true },
    ],
    ['vm-100-state-snap1', { content: 'images', name: 'vm-100-state-snap1', vmid: 100, format: 'raw', isBase: false }],
    ['vm-100-cloudinit', { content: 'images', name: 'vm-100-cloudinit', vmid: 100, format: 'raw', isBase: false }],
    [
      'vm-100-disk-0.qcow2',
      { content: 'images', name: 'vm-100-disk-0.qcow2', vmid: 100, format: 'qcow2', isBase: false },
    ],
    [
      'base-100-disk-0/vm-101-disk-0',
      {
        content: 'images',
        name: 'vm-101-disk-0',
        vmid: 101,
        format: 'raw',
        isBase: false,
        base: { volname: 'base-100-disk-0', vmid: 100 },
      },
    ],
    [
      'basevol-100-disk-0/subvol-102-disk-1',
      {
        content: 'rootdir',
        name: 'subvol-102-disk-1',
        vmid: 102,
        format: 'subvol',
        isBase: false,
        base: { volname: 'basevol-100-disk-0', vmid: 100 },
      },
    ],
  ];
  it.each(cases)('%s', (volname, parsed) => {
    expect(parseVolname(volname, 'block')).toEqual(parsed);
  });

  it.each([
    ['data', /not a guest volume name/],
    ['vm-100', /not a guest volume name/],
    ['vm-100-', /not a guest volume name/],
    ['vm-abc-disk-0', /not a guest volume name/],
    ['vm-0100-disk-0', /not a vmid/],
    ['vm-100-disk-0/vm-101-disk-0', /base must be a base volume/],
    ['base-100-disk-0/base-101-disk-0', /cannot itself be a base/],
    ['a/b/c', /"<name>" or "<basename>\/<name>"/],
    ['100/vm-100-disk-0.qcow2', /not a guest volume name/],
    ['vm-100-disk=0', /after the vmid/],
  ])('refuses %s', (volname, message) => {
    const error = thrown(() => parseVolname(volname, 'block'));
    expect(error.code).toBe('invalid-params');
    expect(error.message).toMatch(message);
  });
});

describe('hostile volnames are refused in both layouts, naming the volname', () => {
  const hostile = [
    '',
    '..',
    '../x',
    '/etc/passwd',
    'iso/../../x',
    'iso/./x.iso',
    'iso//x.iso',
    'iso/x.iso/',
    'iso/..',
    '100/vm-100-disk-0.qcow2;rm -rf /',
    '100/vm-100-disk-0.qcow2 ',
    'iso/$(x).iso',
    'iso/`reboot`.iso',
    'iso/x.iso\nrm',
    'iso/x\u0000.iso',
    'iso/x\u0085.iso',
    'vm-100-disk-0;id',
    'vm-100-disk-0|id',
    'vm-100-disk-0&',
    'vm-100-disk-0>x',
    "iso/it's.iso",
    'iso/a"b.iso',
    'iso/x\\y.iso',
    'iso/*.iso',
    'iso/x?.iso',
    'iso/~root.iso',
    'iso/a,b.iso',
    'iso/-rf.iso',
    'iso/.hidden.iso',
    'iso/x y.iso',
    `iso/${'a'.repeat(252)}.iso`,
    `vm-100-${'x'.repeat(300)}`,
    'iso/x\u2215..\u2215..\u2215etc.iso', // division slash
    'iso/\uff0e\uff0e/x.iso', // fullwidth dots
    'vm-\u0661\u0660\u0660-disk-0', // Arabic-Indic digits
    'iso/caf\u00e9.iso',
    'v\u200bm-100-disk-0', // zero-width space
  ];
  it.each(hostile)('%j', (volname) => {
    for (const layout of ['file', 'block'] as const) {
      const error = thrown(() => parseVolname(volname, layout));
      expect(error.code).toBe('invalid-params');
      expect(error.details).toEqual({ volname });
    }
  });

  it('accepts the longest safe name (255 bytes) and refuses one byte more', () => {
    const name = `${'a'.repeat(251)}.iso`;
    expect(parseVolname(`iso/${name}`, 'file').name).toBe(name);
    expect(thrown(() => parseVolname(`iso/a${name}`, 'file')).message).toMatch(/longer than 255 bytes/);
  });
});

describe('disk names', () => {
  it('builds PVE names, with the format for file layouts', () => {
    expect(diskName('vm', 100, 0)).toBe('vm-100-disk-0');
    expect(diskName('vm', 100, 3, 'qcow2')).toBe('vm-100-disk-3.qcow2');
    expect(diskName('base', 9000, 1, 'raw')).toBe('base-9000-disk-1.raw');
    expect(diskName('subvol', 101, 0)).toBe('subvol-101-disk-0');
    expect(parseVolname(`100/${diskName('vm', 100, 7, 'qcow2')}`, 'file').vmid).toBe(100);
  });

  it('refuses vmids and numbers that are not', () => {
    for (const [vmid, n] of [
      [99, 0],
      [100.5, 0],
      [1_000_000_000, 0],
      [100, -1],
      [100, 1.5],
      [Number.NaN, 0],
    ] as const)
      expect(thrown(() => diskName('vm', vmid, n)).code).toBe('invalid-params');
  });

  it('finds the lowest free number over every prefix, format and linked-clone form of this guest only', () => {
    expect(nextDiskName([], 'vm', 100)).toBe('vm-100-disk-0');
    expect(nextDiskName(['vm-100-disk-0', 'vm-100-disk-2'], 'vm', 100)).toBe('vm-100-disk-1');
    expect(
      nextDiskName(
        ['100/vm-100-disk-0.qcow2', '100/base-100-disk-1.raw', '100/subvol-100-disk-2.subvol'],
        'vm',
        100,
        'qcow2',
      ),
    ).toBe('vm-100-disk-3.qcow2');
    expect(
      nextDiskName(['base-100-disk-0/vm-101-disk-0', 'vm-1000-disk-0', 'vm-10-disk-0', 'xvm-101-disk-1'], 'vm', 101),
    ).toBe('vm-101-disk-1');
    expect(nextDiskName(new Set(['vm-101-disk-0', 'vm-101-state-disk-1', 'vm-101-cloudinit']), 'subvol', 101)).toBe(
      'subvol-101-disk-1',
    );
  });

  it('gives up with conflict after 1024 disks', () => {
    const taken = Array.from({ length: 1024 }, (_, n) => `vm-100-disk-${n}`);
    expect(thrown(() => nextDiskName(taken, 'vm', 100)).code).toBe('conflict');
  });
});

describe('assertOwner', () => {
  it("passes the owner's volumes and volumes of no guest", () => {
    expect(() => assertOwner(parseVolname('vm-100-disk-0', 'block'), 100, 'local-lvm:vm-100-disk-0')).not.toThrow();
    expect(() => assertOwner(parseVolname('iso/x.iso', 'file'), 100, 'local:iso/x.iso')).not.toThrow();
    expect(() =>
      assertOwner(parseVolname('base-100-disk-0/vm-101-disk-0', 'block'), 101, 'z:base-100-disk-0/vm-101-disk-0'),
    ).not.toThrow();
  });

  it("refuses another guest's volume with access-denied naming both vmids", () => {
    const error = thrown(() =>
      assertOwner(parseVolname('100/vm-100-disk-0.qcow2', 'file'), 101, 'local:100/vm-100-disk-0.qcow2'),
    );
    expect(error.code).toBe('access-denied');
    expect(error.message).toBe('volume local:100/vm-100-disk-0.qcow2 belongs to guest 100, not to guest 101');
    expect(error.details).toEqual({ volid: 'local:100/vm-100-disk-0.qcow2', owner: 100, vmid: 101 });
    // A linked clone belongs to the clone, not to the template it was made from.
    expect(
      thrown(() =>
        assertOwner(parseVolname('base-100-disk-0/vm-101-disk-0', 'block'), 100, 'z:base-100-disk-0/vm-101-disk-0'),
      ).code,
    ).toBe('access-denied');
  });
});

describe('SNAPSHOT_NAME', () => {
  it('is PVE’s snapshot name rule', () => {
    for (const name of ['s1', 'before-upgrade', 'A_b-C', `a${'b'.repeat(39)}`])
      expect(SNAPSHOT_NAME.test(name)).toBe(true);
    for (const name of ['', 'a', '1abc', '-a', 'a b', 'a.b', 'current;x', `a${'b'.repeat(40)}`, 'a\nb'])
      expect(SNAPSHOT_NAME.test(name)).toBe(false);
  });
});
