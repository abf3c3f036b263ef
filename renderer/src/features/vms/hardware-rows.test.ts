import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../i18n/translate';
import { hardwareLabel, hardwareValue } from './hardware-format';
import { deviceKind, freeKey, hardwareRows, parseDrive, rowCapabilities, type PendingEntry } from './hardware-rows';

const pending: PendingEntry[] = [
  { key: 'memory', value: 2048, pending: 4096 },
  { key: 'cores', value: 2 },
  { key: 'sockets', value: 1 },
  { key: 'scsihw', value: 'virtio-scsi-single' },
  { key: 'scsi0', value: 'local-lvm:vm-100-disk-0,iothread=1,size=32G' },
  { key: 'scsi1', pending: 'local-lvm:vm-100-disk-1,size=8G' },
  { key: 'ide2', value: 'local:iso/debian.iso,media=cdrom' },
  { key: 'ide0', value: 'local-lvm:vm-100-cloudinit,media=cdrom' },
  { key: 'net0', value: 'virtio=BC:24:11:00:64:01,bridge=vmbr0', delete: true },
  { key: 'serial0', value: 'socket' },
  { key: 'unused0', value: 'local-lvm:vm-100-disk-9' },
  { key: 'name', value: 'web1', pending: 'web01' },
];

describe('hardware rows from vm.pending', () => {
  const rows = hardwareRows(pending);
  const row = (id: string) => rows.find((r) => r.id === id);

  it('lists the fixed rows, then drives by bus, NICs, serial ports and unused disks; options are not hardware', () => {
    expect(rows.map((r) => r.id)).toEqual([
      'memory', 'cores', 'bios', 'vga', 'machine', 'scsihw', 'ide0', 'ide2', 'scsi0', 'scsi1', 'net0', 'serial0', 'unused0',
    ]);
    expect(row('ide2')?.kind).toBe('cdrom');
    expect(row('ide0')?.kind).toBe('cloudinit');
    expect(row('name')).toBeUndefined();
  });

  it('carries pending values, new devices and pending deletes', () => {
    expect(row('memory')?.current).toEqual({ memory: 2048 });
    expect(row('memory')?.pending).toEqual({ memory: 4096 });
    expect(row('cores')?.pending).toBeUndefined();
    expect(row('scsi1')?.current).toEqual({});
    expect(row('scsi1')?.pending).toEqual({ scsi1: 'local-lvm:vm-100-disk-1,size=8G' });
    expect(row('net0')?.deleting).toBe(true);
    expect(row('scsi0')?.deleting).toBe(false);
  });

  it('offers edit/remove/resize/move/revert by row kind and pending state', () => {
    expect(rowCapabilities(row('memory'))).toEqual({ edit: true, remove: false, resize: false, move: false, revert: true });
    expect(rowCapabilities(row('scsi0'))).toEqual({ edit: true, remove: true, resize: true, move: true, revert: false });
    // A disk that exists only as a pending addition cannot be resized or moved yet.
    expect(rowCapabilities(row('scsi1'))).toMatchObject({ resize: false, move: false, revert: true });
    expect(rowCapabilities(row('net0'))).toMatchObject({ edit: false, remove: false, revert: true });
    expect(rowCapabilities(undefined).edit).toBe(false);
  });

  it('formats labels and values with defaults, in English and Chinese', () => {
    const en = translatorFor('en');
    const zh = translatorFor('zh-CN');
    expect(hardwareValue('processors', 'cores', row('cores')!.current, en)).toBe('2 (1 sockets, 2 cores) [kvm64]');
    expect(hardwareValue('bios', 'bios', {}, en)).toBe('Default (SeaBIOS)');
    expect(hardwareValue('memory', 'memory', { memory: 4096, balloon: 1024 }, zh)).toBe('4096 MiB（Ballooning 最小 1024 MiB）');
    expect(hardwareLabel(row('scsi0')!, en)).toBe('Hard disk (scsi0)');
    expect(hardwareLabel(row('memory')!, zh)).toBe('内存');
  });

  it('finds free device keys and parses drive strings', () => {
    expect(freeKey('scsi', ['scsi0', 'scsi1'], 31)).toBe('scsi2');
    expect(freeKey('ide', ['ide0', 'ide1'], 4, ['ide2'])).toBe('ide3');
    expect(freeKey('ide', ['ide0', 'ide1', 'ide3'], 4, ['ide2'])).toBeUndefined();
    expect(parseDrive('local-lvm:vm-100-disk-0,size=32G,discard=on')).toEqual({
      volume: 'local-lvm:vm-100-disk-0',
      options: { size: '32G', discard: 'on' },
    });
    expect(deviceKind('sata0', 'none,media=cdrom')).toBe('cdrom');
    expect(deviceKind('efidisk0', 'x')).toBe('efidisk');
    expect(deviceKind('onboot', 1)).toBeUndefined();
  });
});
