// How a Hardware row reads: its label and value text, with PVE's defaults for keys that are not set. Pure.
import type { Translate } from '../../i18n/translate';
import type { HardwareKind, HardwareRow } from './hardware-rows';

type Values = Readonly<Record<string, string | number>>;

export function hardwareLabel(row: Pick<HardwareRow, 'id' | 'kind'>, t: Translate): string {
  const fixed = ['memory', 'processors', 'bios', 'display', 'machine', 'scsihw'];
  const label = t(`vm.hw.${row.kind}`);
  return fixed.includes(row.kind) ? label : `${label} (${row.id})`;
}

export function hardwareValue(kind: HardwareKind, id: string, values: Values, t: Translate): string {
  const get = (key: string) => values[key];
  switch (kind) {
    case 'memory': {
      const memory = Number(get('memory') ?? 512);
      const balloon = get('balloon');
      if (balloon === undefined || Number(balloon) === memory) return t('vm.hw.memoryValue', { memory });
      if (Number(balloon) === 0) return t('vm.hw.memoryNoBalloon', { memory });
      return t('vm.hw.memoryBalloon', { memory, balloon: Number(balloon) });
    }
    case 'processors': {
      const sockets = Number(get('sockets') ?? 1);
      const cores = Number(get('cores') ?? 1);
      const cpu = String(get('cpu') ?? 'kvm64');
      return t('vm.hw.processorsValue', { total: sockets * cores, sockets, cores, cpu });
    }
    case 'bios':
      return get('bios') === undefined ? t('vm.hw.defaultOf', { value: 'SeaBIOS' }) : String(get('bios'));
    case 'display':
      return get('vga') === undefined ? t('vm.hw.default') : String(get('vga'));
    case 'machine':
      return get('machine') === undefined ? t('vm.hw.defaultOf', { value: 'i440fx' }) : String(get('machine'));
    case 'scsihw':
      return get('scsihw') === undefined ? t('vm.hw.defaultOf', { value: 'lsi' }) : String(get('scsihw'));
    case 'cdrom':
    case 'cloudinit':
    case 'disk':
    case 'efidisk':
    case 'tpm':
    case 'net':
    case 'usb':
    case 'pci':
    case 'serial':
    case 'unused':
      return get(id) === undefined ? '' : String(get(id));
  }
}
