import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstLine } from './probe';
import { chronyVerdict, parseChronyTracking } from './time-sync';

// Captured from chronyd 4.3 run with -x (no clock control) on a private command socket:
// `local stratum 10` (local), a server on an unused loopback port (unsynchronised), and no daemon at all.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');

describe('parseChronyTracking', () => {
  it('reads the reference, stratum and leap status', () => {
    expect(parseChronyTracking(fixture('chronyc-tracking.local.txt'))).toEqual({
      referenceId: '7F7F0101',
      referenceName: '',
      stratum: 10,
      leapStatus: 'Normal',
    });
    expect(parseChronyTracking(fixture('chronyc-tracking.unsynchronised.txt'))).toEqual({
      referenceId: '00000000',
      referenceName: '',
      stratum: 0,
      leapStatus: 'Not synchronised',
    });
  });

  it('tolerates output that is not tracking output', () => {
    expect(parseChronyTracking(fixture('chronyc-tracking.no-daemon.txt'))).toEqual({
      referenceId: '',
      referenceName: '',
      stratum: Number.NaN,
      leapStatus: '',
    });
  });
});

describe('chronyVerdict', () => {
  it('warns when chrony is not synchronised', () => {
    expect(chronyVerdict(parseChronyTracking(fixture('chronyc-tracking.unsynchronised.txt')))).toEqual({
      status: 'warning',
      message: 'chrony is running but not synchronised (leap status: Not synchronised) — check its time sources',
    });
  });

  it('warns when chrony only follows the local clock', () => {
    expect(chronyVerdict(parseChronyTracking(fixture('chronyc-tracking.local.txt'))).status).toBe('warning');
  });

  it('is ok when synchronised to a real source', () => {
    const tracking = {
      ...parseChronyTracking(fixture('chronyc-tracking.local.txt')),
      referenceId: 'C0A80001',
      referenceName: 'ntp.lan',
      stratum: 3,
    };
    expect(chronyVerdict(tracking)).toEqual({ status: 'ok', message: 'chrony is synchronised to ntp.lan (stratum 3)' });
  });
});

describe('firstLine', () => {
  it('takes the version banner of captured --version output', () => {
    expect(firstLine(fixture('qemu-version.txt'))).toBe(
      'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)',
    );
    expect(firstLine(fixture('nft-version.txt'))).toBe('nftables v1.0.6 (Lester Gooch #5)');
    expect(firstLine(fixture('btrfs-version.txt'))).toBe('btrfs-progs v6.2');
    expect(firstLine(fixture('lxc-start-version.txt'))).toBe('5.0.2');
    expect(firstLine('\n\n')).toBe('');
  });
});
