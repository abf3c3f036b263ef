// The create-VM wizard as data: its values, per-step validation (message keys), and the vm.create params they
// make (PVE's flat config keys and property strings). Pure, so it is tested without a DOM; the agent checks again.
import type { MessageKey } from '../../i18n/translate';

export const wizardSteps = ['general', 'os', 'system', 'disks', 'cpu', 'memory', 'network', 'cloudinit', 'confirm'] as const;
export type WizardStep = (typeof wizardSteps)[number];

export const diskBuses = ['scsi', 'virtio', 'sata', 'ide'] as const;
export type DiskBus = (typeof diskBuses)[number];
export const diskCaches = ['', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'] as const;
export const scsiControllers = ['virtio-scsi-single', 'virtio-scsi-pci', 'lsi', 'megasas', 'pvscsi'] as const;
export const osTypes = ['l26', 'l24', 'win11', 'win10', 'win8', 'win7', 'solaris', 'other'] as const;
export const cpuTypes = ['x86-64-v2-AES', 'x86-64-v3', 'host', 'kvm64', 'qemu64', 'max'] as const;
export const nicModels = ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3'] as const;
export type VolumeFormat = 'raw' | 'qcow2' | 'vmdk';

/** How many disks of each bus PVE allows (scsi0..30, virtio0..15, sata0..5, ide0..3). */
export const busSlots: Record<DiskBus, number> = { scsi: 31, virtio: 16, sata: 6, ide: 4 };

export interface DiskValues {
  bus: DiskBus;
  storage: string;
  sizeGiB: string;
  /** '' = the storage's default format. */
  format: '' | VolumeFormat;
  cache: (typeof diskCaches)[number];
  discard: boolean;
  iothread: boolean;
  ssd: boolean;
}

export interface WizardValues {
  node: string;
  vmid: string;
  name: string;
  /** An ISO volid, or '' for no CD/DVD. */
  iso: string;
  ostype: (typeof osTypes)[number];
  bios: 'seabios' | 'ovmf';
  machine: 'pc' | 'q35';
  scsihw: (typeof scsiControllers)[number];
  agent: boolean;
  disks: DiskValues[];
  sockets: string;
  cores: string;
  cpuType: (typeof cpuTypes)[number];
  memory: string;
  /** Minimum memory in MiB for ballooning; '' leaves PVE's default (= memory), '0' disables the balloon device. */
  balloon: string;
  network: {
    enabled: boolean;
    bridge: string;
    model: (typeof nicModels)[number];
    vlan: string;
    firewall: boolean;
    mac: string;
  };
  cloudinit: {
    enabled: boolean;
    storage: string;
    user: string;
    password: string;
    sshkeys: string;
    ipMode: 'dhcp' | 'static';
    ip: string;
    gw: string;
    nameserver: string;
  };
  start: boolean;
}

export type WizardErrors = Partial<Record<string, MessageKey>>;

export const newDisk = (storage: string, bus: DiskBus = 'scsi'): DiskValues => ({
  bus,
  storage,
  sizeGiB: '32',
  format: '',
  cache: '',
  discard: true,
  iothread: true,
  ssd: false,
});

export function emptyWizard(node: string, vmid: number | undefined, storage: string): WizardValues {
  return {
    node,
    vmid: vmid === undefined ? '' : String(vmid),
    name: '',
    iso: '',
    ostype: 'l26',
    bios: 'seabios',
    machine: 'q35',
    scsihw: 'virtio-scsi-single',
    agent: true,
    disks: [newDisk(storage)],
    sockets: '1',
    cores: '2',
    cpuType: 'x86-64-v2-AES',
    memory: '2048',
    balloon: '',
    network: { enabled: true, bridge: 'vmbr0', model: 'virtio', vlan: '', firewall: true, mac: '' },
    cloudinit: {
      enabled: false,
      storage,
      user: '',
      password: '',
      sshkeys: '',
      ipMode: 'dhcp',
      ip: '',
      gw: '',
      nameserver: '',
    },
    start: false,
  };
}

const INT = /^\d+$/;
const NAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,61}[a-zA-Z0-9])?$/; // PVE: a DNS name
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const BRIDGE = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

const intIn = (text: string, min: number, max: number): boolean =>
  INT.test(text) && Number(text) >= min && Number(text) <= max;
const isCidr = (text: string): boolean => {
  const [ip, bits, extra] = text.split('/');
  return extra === undefined && ip !== undefined && IPV4.test(ip) && bits !== undefined && intIn(bits, 1, 32);
};

/** The errors of one step; an empty object means the step is complete. */
export function validateStep(step: WizardStep, v: WizardValues): WizardErrors {
  const e: WizardErrors = {};
  switch (step) {
    case 'general':
      if (v.node === '') e.node = 'vmForm.invalid.required';
      if (!intIn(v.vmid, 100, 999_999_999)) e.vmid = 'vmForm.invalid.vmid';
      if (v.name !== '' && !NAME.test(v.name)) e.name = 'vmForm.invalid.name';
      break;
    case 'os':
    case 'confirm':
      break;
    case 'system':
      if (v.bios === 'ovmf' && v.disks.length === 0) e.bios = 'vmForm.invalid.efiNeedsDisk';
      break;
    case 'disks': {
      const perBus = new Map<DiskBus, number>();
      v.disks.forEach((disk, i) => {
        perBus.set(disk.bus, (perBus.get(disk.bus) ?? 0) + 1);
        if (disk.storage === '') e[`disks.${i}.storage`] = 'vmForm.invalid.required';
        if (!intIn(disk.sizeGiB, 1, 131_072)) e[`disks.${i}.sizeGiB`] = 'vmForm.invalid.diskSize';
      });
      // ide2 is the CD/DVD drive and a cloud-init drive takes one more IDE slot.
      const ideFree = busSlots.ide - (v.iso !== '' ? 1 : 0) - (v.cloudinit.enabled ? 1 : 0);
      for (const [bus, count] of perBus)
        if (count > (bus === 'ide' ? ideFree : busSlots[bus])) e.disks = 'vmForm.invalid.tooManyDisks';
      break;
    }
    case 'cpu':
      if (!intIn(v.sockets, 1, 4)) e.sockets = 'vmForm.invalid.sockets';
      if (!intIn(v.cores, 1, 256)) e.cores = 'vmForm.invalid.cores';
      break;
    case 'memory':
      if (!intIn(v.memory, 16, 4_194_304)) e.memory = 'vmForm.invalid.memory';
      else if (v.balloon !== '' && (!INT.test(v.balloon) || Number(v.balloon) > Number(v.memory)))
        e.balloon = 'vmForm.invalid.balloon';
      break;
    case 'network':
      if (!v.network.enabled) break;
      if (!BRIDGE.test(v.network.bridge)) e['network.bridge'] = 'vmForm.invalid.bridge';
      if (v.network.vlan !== '' && !intIn(v.network.vlan, 1, 4094)) e['network.vlan'] = 'vmForm.invalid.vlan';
      if (v.network.mac !== '' && !MAC.test(v.network.mac)) e['network.mac'] = 'vmForm.invalid.mac';
      break;
    case 'cloudinit': {
      const ci = v.cloudinit;
      if (!ci.enabled) break;
      if (ci.storage === '') e['cloudinit.storage'] = 'vmForm.invalid.required';
      if (ci.user !== '' && !USER.test(ci.user)) e['cloudinit.user'] = 'vmForm.invalid.user';
      const badKey = ci.sshkeys
        .split('\n')
        .map((line) => line.trim())
        .some((line) => line !== '' && !/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(line));
      if (badKey) e['cloudinit.sshkeys'] = 'vmForm.invalid.sshkey';
      if (ci.ipMode === 'static') {
        if (!isCidr(ci.ip)) e['cloudinit.ip'] = 'vmForm.invalid.cidr';
        if (ci.gw !== '' && !IPV4.test(ci.gw)) e['cloudinit.gw'] = 'vmForm.invalid.ipv4';
      }
      if (ci.nameserver !== '' && !ci.nameserver.split(/[\s,]+/).every((ns) => IPV4.test(ns)))
        e['cloudinit.nameserver'] = 'vmForm.invalid.ipv4';
      break;
    }
  }
  return e;
}

/** Every step's errors together: what Create checks before it calls the agent. */
export const validateWizard = (v: WizardValues): WizardErrors =>
  Object.assign({}, ...wizardSteps.map((step) => validateStep(step, v))) as WizardErrors;

/** The disk's property string: STORAGE:SIZE_GiB (a new volume) and its options, in PVE's order. */
export function diskSpec(disk: DiskValues, scsihw: WizardValues['scsihw']): string {
  const parts = [`${disk.storage}:${Number(disk.sizeGiB)}`];
  if (disk.format !== '') parts.push(`format=${disk.format}`);
  if (disk.cache !== '') parts.push(`cache=${disk.cache}`);
  if (disk.discard) parts.push('discard=on');
  // iothread needs its own controller: virtio-blk always, scsi only with virtio-scsi-single.
  if (disk.iothread && (disk.bus === 'virtio' || (disk.bus === 'scsi' && scsihw === 'virtio-scsi-single')))
    parts.push('iothread=1');
  if (disk.ssd && disk.bus !== 'virtio') parts.push('ssd=1');
  return parts.join(',');
}

/** Config keys for the disks: each bus numbered from 0, skipping ide2 (the CD/DVD drive). */
export function diskKeys(disks: readonly DiskValues[]): string[] {
  const next: Record<DiskBus, number> = { scsi: 0, virtio: 0, sata: 0, ide: 0 };
  return disks.map((disk) => {
    if (disk.bus === 'ide' && next.ide === 2) next.ide++;
    return `${disk.bus}${next[disk.bus]++}`;
  });
}

/** PVE stores sshkeys URL-encoded (one key per line). */
export const encodeSshKeys = (text: string): string =>
  encodeURIComponent(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join('\n'),
  );

export interface CreateParams {
  vmid: number;
  config: Record<string, string | number>;
  start: boolean;
}

export function toCreateParams(v: WizardValues): CreateParams {
  const config: Record<string, string | number> = {};
  if (v.name !== '') config.name = v.name;
  config.ostype = v.ostype;
  config.bios = v.bios;
  if (v.machine === 'q35') config.machine = 'q35';
  config.scsihw = v.scsihw;
  if (v.agent) config.agent = 1;
  config.sockets = Number(v.sockets);
  config.cores = Number(v.cores);
  config.cpu = v.cpuType;
  config.memory = Number(v.memory);
  if (v.balloon !== '') config.balloon = Number(v.balloon);

  const keys = diskKeys(v.disks);
  v.disks.forEach((disk, i) => (config[keys[i]!] = diskSpec(disk, v.scsihw)));
  if (v.bios === 'ovmf' && v.disks[0] !== undefined)
    config.efidisk0 = `${v.disks[0].storage}:1,efitype=4m,pre-enrolled-keys=1`;
  if (v.iso !== '') config.ide2 = `${v.iso},media=cdrom`;

  if (v.network.enabled) {
    const n = v.network;
    const parts = [n.mac === '' ? n.model : `${n.model}=${n.mac.toUpperCase()}`, `bridge=${n.bridge}`];
    if (n.firewall) parts.push('firewall=1');
    if (n.vlan !== '') parts.push(`tag=${Number(n.vlan)}`);
    config.net0 = parts.join(',');
  }

  if (v.cloudinit.enabled) {
    const ci = v.cloudinit;
    const used = new Set(keys);
    if (v.iso !== '') used.add('ide2');
    const slot = ['ide2', 'ide0', 'ide1', 'ide3'].find((key) => !used.has(key));
    if (slot !== undefined) config[slot] = `${ci.storage}:cloudinit`;
    if (ci.user !== '') config.ciuser = ci.user;
    if (ci.password !== '') config.cipassword = ci.password;
    if (ci.sshkeys.trim() !== '') config.sshkeys = encodeSshKeys(ci.sshkeys);
    config.ipconfig0 = ci.ipMode === 'dhcp' ? 'ip=dhcp' : ci.gw === '' ? `ip=${ci.ip}` : `ip=${ci.ip},gw=${ci.gw}`;
    if (ci.nameserver.trim() !== '') config.nameserver = ci.nameserver.trim().split(/[\s,]+/).join(' ');
  }

  // Boot from the first disk, then the CD/DVD, then the network, as PVE's wizard does.
  const order = [...keys.slice(0, 1), ...(v.iso !== '' ? ['ide2'] : []), ...(v.network.enabled ? ['net0'] : [])];
  if (order.length > 0) config.boot = `order=${order.join(';')}`;
  return { vmid: Number(v.vmid), config, start: v.start };
}

/** The confirm step's key: value list, keys sorted as PVE's config file shows them; the password masked. */
export function configLines(config: Readonly<Record<string, string | number>>): { key: string; value: string }[] {
  return Object.keys(config)
    .sort()
    .map((key) => ({ key, value: key === 'cipassword' ? '••••••' : String(config[key]) }));
}
