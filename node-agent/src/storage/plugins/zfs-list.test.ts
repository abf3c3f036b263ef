import { describe, expect, it } from 'vitest';
import { fixture } from './plan-runner';
import { ZFS_LIST_ARGS, parseZfsList, parseZfsSnapshots, parseZfsSpace, parseZfsValues } from './zfs-list';

describe('zfs list/get parsing (hand-written from zfs-list(8)/zfs-get(8): no ZFS on this machine)', () => {
  it('asks for what PVE asks for: scripted, exact, direct children only', () => {
    expect(ZFS_LIST_ARGS.join(' ')).toBe('list -o name,volsize,origin,type,refquota -t volume,filesystem -d1 -Hp');
  });

  it('reads zvols and subvols with sizes in bytes, owners and clone origins; leaves out the pool and foreign datasets', () => {
    expect(parseZfsList(fixture('zfs-list.txt'), 'rpool/data')).toEqual([
      { name: 'vm-100-disk-0', format: 'raw', size: 34359738368, vmid: 100 },
      { name: 'vm-100-disk-1', format: 'raw', size: 1073741824, vmid: 100 },
      { name: 'base-200-disk-0', format: 'raw', size: 8589934592, vmid: 200 },
      { name: 'vm-201-disk-0', format: 'raw', size: 8589934592, vmid: 201, origin: 'base-200-disk-0@__base__' },
      { name: 'subvol-300-disk-0', format: 'subvol', size: 8589934592, vmid: 300 },
      { name: 'subvol-301-disk-0', format: 'subvol', size: 0, vmid: 301 },
      { name: 'basevol-400-disk-0', format: 'subvol', size: 4294967296, vmid: 400 },
      {
        name: 'subvol-401-disk-0',
        format: 'subvol',
        size: 4294967296,
        vmid: 401,
        origin: 'basevol-400-disk-0@__base__',
      },
    ]);
  });

  it('keeps datasets of another pool out (a pool name that is a prefix of another)', () => {
    expect(parseZfsList('rpool/data2/vm-100-disk-0\t1024\t-\tvolume\t-\n', 'rpool/data')).toEqual([]);
  });

  it('reads zfs get values in the order asked', () => {
    expect(parseZfsSpace(fixture('zfs-get-pool.txt'))).toEqual({ avail: 98765432832, used: 12345678848 });
    expect(parseZfsValues('8589934592\n-\n')).toEqual(['8589934592', undefined]);
  });

  it("reads a volume's snapshots oldest first with creation times", () => {
    expect(parseZfsSnapshots(fixture('zfs-snapshots.txt'), 'rpool/data/vm-100-disk-0')).toEqual([
      { name: 'first', guid: '4823617439417212345', ctime: 1795600000 },
      { name: 'second', guid: '11849934470188123456', ctime: 1795680000 },
    ]);
    expect(parseZfsSnapshots(fixture('zfs-snapshots.txt'), 'rpool/data/vm-100-disk')).toEqual([]);
  });
});
