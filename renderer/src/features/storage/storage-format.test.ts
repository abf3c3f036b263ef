import { describe, expect, it } from 'vitest';
import type { VolumeInfo } from '../../../../node-agent/src/storage/plugin';
import {
  contentTabs,
  groupByContent,
  isDimmed,
  splitStorageKey,
  storageKey,
  storageNodes,
  storageTarget,
  usageAmounts,
  usageFraction,
  usageHint,
  volumeName,
} from './storage-format';

const volume = (volid: string, content: VolumeInfo['content']): VolumeInfo => ({
  volid,
  content,
  format: 'raw',
  size: 1,
});

describe('storage format', () => {
  it('orders content tabs as PVE does, whatever order storage.cfg lists them in', () => {
    expect(contentTabs(['backup', 'images', 'iso', 'snippets', 'vztmpl'])).toEqual([
      'iso',
      'vztmpl',
      'images',
      'backup',
      'snippets',
    ]);
  });

  it('computes usage only when the storage reports a size, and clamps it', () => {
    expect(usageFraction({ total: 200, used: 50 })).toBe(0.25);
    expect(usageFraction({ total: 0, used: 0 })).toBeUndefined();
    expect(usageFraction({ total: 10, used: 12 })).toBe(1);
    expect(usageFraction(undefined)).toBeUndefined();
    expect(usageHint({ total: 200, used: 50 }, 'en')).toBe('25%');
    expect(usageHint({ total: 0, used: 0 }, 'en')).toBe('');
  });

  it('formats total, used and available in binary units', () => {
    expect(usageAmounts({ total: 100 * 1024 ** 3, used: 1.5 * 1024 ** 3, avail: 98.5 * 1024 ** 3 }, 'en')).toEqual({
      total: '100 GiB',
      used: '1.5 GiB',
      avail: '98.5 GiB',
    });
  });

  it('greys a storage that is disabled or not active', () => {
    expect(isDimmed({ enabled: true, active: true })).toBe(false);
    expect(isDimmed({ enabled: false, active: true })).toBe(true);
    expect(isDimmed({ enabled: true, active: false })).toBe(true);
  });

  it('names the target of each type', () => {
    expect(storageTarget({ type: 'dir', config: { path: '/var/lib/vz' } })).toBe('/var/lib/vz');
    expect(storageTarget({ type: 'lvmthin', config: { vgname: 'pve', thinpool: 'data' } })).toBe('pve/data');
    expect(storageTarget({ type: 'zfspool', config: { pool: 'rpool/data' } })).toBe('rpool/data');
    expect(storageTarget({ type: 'lvm', config: {} })).toBe('');
  });

  it('reads nodes as a list or a comma string', () => {
    expect(storageNodes({ config: { nodes: ['n1', 'n2'] } })).toEqual(['n1', 'n2']);
    expect(storageNodes({ config: { nodes: 'n1,n2' } })).toEqual(['n1', 'n2']);
    expect(storageNodes({ config: {} })).toEqual([]);
  });

  it('groups volumes by content, each group in natural name order', () => {
    const groups = groupByContent([
      volume('local:iso/b.iso', 'iso'),
      volume('local:100/vm-100-disk-10.qcow2', 'images'),
      volume('local:iso/a.iso', 'iso'),
      volume('local:100/vm-100-disk-2.qcow2', 'images'),
    ]);
    expect(groups.iso?.map((v) => v.volid)).toEqual(['local:iso/a.iso', 'local:iso/b.iso']);
    expect(groups.images?.map((v) => v.volid)).toEqual([
      'local:100/vm-100-disk-2.qcow2',
      'local:100/vm-100-disk-10.qcow2',
    ]);
    expect(groups.backup).toBeUndefined();
  });

  it('shows volume names without the storage and the content folder', () => {
    expect(volumeName('local:iso/debian-12.iso')).toBe('debian-12.iso');
    expect(volumeName('local:100/vm-100-disk-0.qcow2')).toBe('100/vm-100-disk-0.qcow2');
    expect(volumeName('local-lvm:vm-100-disk-0')).toBe('vm-100-disk-0');
  });

  it('splits a storage key at the last slash, since node keys have one', () => {
    const key = storageKey('lab/n1', 'local');
    expect(key).toBe('lab/n1/local');
    expect(splitStorageKey(key)).toEqual({ nodeKey: 'lab/n1', storage: 'local' });
  });
});
