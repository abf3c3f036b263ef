import { describe, expect, it } from 'vitest';
import {
  countedInterfaces,
  diskIo,
  fsUsage,
  isWholeDisk,
  nodeTraffic,
  parseCpuinfo,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
  parseUptime,
  sumDiskIo,
  sumNodeTraffic,
} from './proc-parse';
import { fixture } from './__fixtures__/captured';

describe('parseProcStat', () => {
  it('sums the aggregate cpu line, idle = idle + iowait, guest time not counted twice', () => {
    // cpu  12286 0 2500 59112 291 0 101 6 0 0
    expect(parseProcStat(fixture('stat.txt'))).toEqual({
      total: 12286 + 2500 + 59112 + 291 + 101 + 6,
      idle: 59112 + 291,
    });
    expect(parseProcStat('cpu  10 0 0 10 0 0 0 0 7 0\n')).toEqual({ total: 20, idle: 10 });
  });

  it('rejects a file without a cpu line', () => {
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow(/no aggregate cpu line/);
  });
});

describe('parseMeminfo', () => {
  it('reports bytes with used = MemTotal - MemAvailable', () => {
    expect(parseMeminfo(fixture('meminfo.txt'))).toEqual({
      memTotal: 24684092 * 1024,
      memAvailable: 24268228 * 1024,
      memUsed: (24684092 - 24268228) * 1024,
      swapTotal: 0,
      swapUsed: 0,
    });
  });

  it('computes swap used from SwapTotal - SwapFree', () => {
    const text = 'MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 400 kB\nSwapTotal: 2048 kB\nSwapFree: 1536 kB\n';
    expect(parseMeminfo(text)).toMatchObject({ memUsed: 600 * 1024, swapTotal: 2048 * 1024, swapUsed: 512 * 1024 });
  });

  it('requires MemAvailable rather than guessing from MemFree', () => {
    expect(() => parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\n')).toThrow(/MemAvailable/);
  });
});

describe('small files', () => {
  it('parses loadavg, uptime and cpuinfo', () => {
    expect(parseLoadavg(fixture('loadavg.txt'))).toEqual([0.37, 0.46, 0.23]);
    expect(parseUptime(fixture('uptime.txt'))).toBe(373.04);
    expect(parseCpuinfo(fixture('cpuinfo.txt'))).toEqual({ model: 'Intel(R) Xeon(R) Processor', count: 2 });
  });

  it('rejects malformed loadavg and uptime', () => {
    expect(() => parseLoadavg('')).toThrow(/loadavg/);
    expect(() => parseUptime('abc')).toThrow(/uptime/);
  });

  it('falls back to Hardware on arm boards and counts processors', () => {
    expect(parseCpuinfo('processor\t: 0\nBogoMIPS\t: 48.00\n\nprocessor\t: 1\n\nHardware\t: BCM2835\n')).toEqual({
      model: 'BCM2835',
      count: 2,
    });
    expect(parseCpuinfo('')).toEqual({ model: 'unknown', count: 0 });
  });

  it('computes file system usage as df does', () => {
    expect(fsUsage({ bsize: 4096, blocks: 66053021, bfree: 59951259, bavail: 20495966 })).toEqual({
      total: 66053021 * 4096,
      used: (66053021 - 59951259) * 4096,
      avail: 20495966 * 4096,
    });
  });
});

describe('network traffic', () => {
  it('parses every interface of /proc/net/dev', () => {
    expect(parseNetDev(fixture('net-dev.txt'))).toEqual([
      { name: 'lo', rxBytes: 5125, txBytes: 5125 },
      { name: 'ifb0', rxBytes: 0, txBytes: 0 },
      { name: 'ifb1', rxBytes: 0, txBytes: 0 },
      { name: 'eth0', rxBytes: 562807761, txBytes: 1402346 },
    ]);
  });

  it('reads a counter that touches the colon', () => {
    expect(parseNetDev('  eth0:12345678901 5 0 0 0 0 0 0 98765432109 3 0 0 0 0 0 0\n')).toEqual([
      { name: 'eth0', rxBytes: 12345678901, txBytes: 98765432109 },
    ]);
  });

  it('counts the physical NIC only on a PVE-style node, not vmbr, tap, veth or fw* devices', () => {
    const counters = parseNetDev(fixture('net-dev.pve.txt'));
    expect(counters.map((c) => c.name)).toEqual([
      'lo',
      'vmbr0',
      'eno1',
      'tap100i0',
      'fwbr101i0',
      'fwln101i0',
      'fwpr101p0',
      'veth101i0',
    ]);
    expect(countedInterfaces(counters.map((c) => c.name))).toEqual(['eno1']);
    expect(sumNodeTraffic(counters)).toEqual({ rx: 516, tx: 2890 });
  });

  it('skips lo and ifb on this machine', () => {
    expect(sumNodeTraffic(parseNetDev(fixture('net-dev.txt')))).toEqual({ rx: 562807761, tx: 1402346 });
  });

  it('reads the node traffic straight from the text, as the two steps do', () => {
    expect(nodeTraffic(fixture('net-dev.pve.txt'))).toEqual({ rx: 516, tx: 2890 });
    expect(nodeTraffic(fixture('net-dev.txt'))).toEqual({ rx: 562807761, tx: 1402346 });
  });

  it('falls back to the vmbr bridges when no physical NIC exists (a lab node whose uplink is a veth)', () => {
    const counters = parseNetDev(fixture('net-dev.pve.txt')).filter((c) => c.name !== 'eno1');
    expect(sumNodeTraffic(counters)).toEqual({ rx: 1916, tx: 986 });
  });

  it('leaves out VLAN sub-interfaces, bonds and predictable names are counted', () => {
    expect(
      countedInterfaces(['lo', 'bond0', 'enp3s0f0', 'enp3s0f1', 'eno1.100', 'vmbr0', 'vmbr0.20', 'wlp2s0', 'docker0']),
    ).toEqual(['enp3s0f0', 'enp3s0f1', 'wlp2s0']);
  });
});

describe('disk I/O', () => {
  const sysBlock = new Set(fixture('sys-block.txt').split('\n').filter(Boolean));

  it('parses diskstats into bytes (sectors × 512)', () => {
    const vda = parseDiskstats(fixture('diskstats.txt')).find((d) => d.name === 'vda');
    expect(vda).toEqual({ name: 'vda', readBytes: 1963738 * 512, writeBytes: 4426752 * 512 });
  });

  it('sums whole disks only: vda, not loop or zram', () => {
    const disks = parseDiskstats(fixture('diskstats.txt'));
    expect(disks).toHaveLength(10);
    expect(sumDiskIo(disks, sysBlock)).toEqual({ read: 1963738 * 512, write: 4426752 * 512 });
    expect(sumDiskIo(disks)).toEqual({ read: 1963738 * 512, write: 4426752 * 512 });
  });

  it('reads the disk I/O straight from the text, with or without the /sys/block listing', () => {
    expect(diskIo(fixture('diskstats.later.txt'), sysBlock)).toEqual({ read: 2095002 * 512, write: 4557952 * 512 });
    expect(diskIo(fixture('diskstats.txt'))).toEqual({ read: 1963738 * 512, write: 4426752 * 512 });
  });

  // Hand-written lines in the kernel's format (this machine has no partitions): the naming rules under test.
  const partitioned = [
    '   8       0 sda 100 0 1000 0 50 0 2000 0 0 0 0 0 0 0 0 0 0',
    '   8       1 sda1 90 0 900 0 40 0 1900 0 0 0 0 0 0 0 0 0 0',
    ' 259       0 nvme0n1 10 0 100 0 5 0 200 0 0 0 0 0 0 0 0 0 0',
    ' 259       1 nvme0n1p1 9 0 90 0 4 0 190 0 0 0 0 0 0 0 0 0 0',
    ' 179       0 mmcblk0 1 0 10 0 1 0 20 0 0 0 0 0 0 0 0 0 0',
    ' 179       1 mmcblk0p2 1 0 10 0 1 0 20 0 0 0 0 0 0 0 0 0 0',
    ' 253       0 dm-0 80 0 800 0 40 0 1800 0 0 0 0 0 0 0 0 0 0',
    '   9       0 md0 70 0 700 0 30 0 1700 0 0 0 0 0 0 0 0 0 0',
    '  43       0 nbd0 1 0 5 0 1 0 5 0 0 0 0 0 0 0 0 0 0',
  ].join('\n');

  it('skips partitions and stacked devices by name when /sys/block is unavailable', () => {
    expect(sumDiskIo(parseDiskstats(partitioned))).toEqual({
      read: (1000 + 100 + 10) * 512,
      write: (2000 + 200 + 20) * 512,
    });
  });

  it('trusts /sys/block over names, but never counts stacked devices listed there', () => {
    const listing = new Set(['sda', 'nvme0n1', 'dm-0', 'md0', 'nbd0']);
    expect(sumDiskIo(parseDiskstats(partitioned), listing)).toEqual({
      read: (1000 + 100) * 512,
      write: (2000 + 200) * 512,
    });
    expect(isWholeDisk('vda', sysBlock)).toBe(true);
    expect(isWholeDisk('zram0', sysBlock)).toBe(false);
    expect(isWholeDisk('loop0', sysBlock)).toBe(false);
    expect(isWholeDisk('xvda1')).toBe(false);
    expect(isWholeDisk('xvda')).toBe(true);
  });
});
