// The VM config keys as data (PVE's qm.conf schema, the part we run): for each key how to check a value, its
// canonical text and whether a change can reach a running VM (hotplug class) or waits in [PENDING].
import { driveKeyOf, formatDrive, parseDrive } from './drive';
import { formatNet, netIndexOf, parseIpConfig, parseNet } from './net';
import {
  bool,
  canonicalBool,
  canonicalInt,
  canonicalProps,
  int,
  message,
  oneOf,
  pattern,
  props,
  startupProblem,
  text,
  type CheckContext,
  type GuestKeyDef,
} from './key-checks';
import { intProblem } from './property-string';

/**
 * How a change reaches a running VM: through a hotplug of that class; 'immediate' for keys QEMU never sees
 * (name, description, tags, onboot…), written at once; 'cloudinit' regenerates the cloud-init drive; false: at the
 * next start (pending).
 */
export type HotplugClass = 'disk' | 'network' | 'cpu' | 'memory' | 'cloudinit' | 'immediate' | false;

export type { CheckContext };

export type KeyDef = GuestKeyDef<HotplugClass>;

export const CPU_MODELS = [
  'host',
  'max',
  'kvm64',
  'kvm32',
  'qemu64',
  'qemu32',
  'x86-64-v2',
  'x86-64-v2-AES',
  'x86-64-v3',
  'x86-64-v4',
];
const CPU_FLAG = /^[+-][a-zA-Z0-9_.-]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DNS_NAME = /^(?=.{1,128}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const STORAGE_ID = /^[A-Za-z][A-Za-z0-9._-]*$/;
const VOLID = /^[A-Za-z][A-Za-z0-9._-]*:[^,\s]+$/;
const TAG = /^[a-z0-9_][a-z0-9_+.-]*$/i;
export const SCSI_CONTROLLERS = [
  'lsi',
  'lsi53c810',
  'virtio-scsi-pci',
  'virtio-scsi-single',
  'megasas',
  'pvscsi',
] as const;
export const VGA_TYPES = [
  'std',
  'cirrus',
  'vmware',
  'qxl',
  'qxl2',
  'qxl3',
  'qxl4',
  'virtio',
  'virtio-gl',
  'serial0',
  'serial1',
  'serial2',
  'serial3',
  'none',
] as const;
export const OS_TYPES = [
  'other',
  'wxp',
  'w2k',
  'w2k3',
  'w2k8',
  'wvista',
  'win7',
  'win8',
  'win10',
  'win11',
  'l24',
  'l26',
  'solaris',
] as const;
export const LOCKS = [
  'backup',
  'clone',
  'create',
  'migrate',
  'rollback',
  'snapshot',
  'snapshot-delete',
  'suspending',
  'suspended',
] as const;
const MACHINE = /^(pc|q35|pc-i440fx-\d+\.\d+|pc-q35-\d+\.\d+)(\+pve\d+)?$/;
const HOTPLUG_ITEMS = ['network', 'disk', 'cpu', 'memory', 'usb', 'cloudinit'];

const tagsProblem = (value: string) =>
  value
    .split(/[;, ]+/)
    .filter((t) => t !== '')
    .every((t) => TAG.test(t))
    ? undefined
    : 'must be tags of letters, digits, _ + . - separated by ;';
const hotplugProblem = (value: string) =>
  value === '0' || value === '1' || value.split(',').every((item) => HOTPLUG_ITEMS.includes(item))
    ? undefined
    : `must be 0, 1 or a list of ${HOTPLUG_ITEMS.join(', ')}`;
const bootProblem = (value: string) => {
  if (/^[acdn]{1,4}$/.test(value)) return undefined; // the legacy form: floppy, disk, cdrom, network
  return props({
    order: (order) =>
      order
        .split(';')
        .every((d) => driveKeyOf(d) !== undefined || netIndexOf(d) !== undefined || /^(hostpci|usb)\d+$/.test(d))
        ? undefined
        : 'lists devices such as scsi0;net0',
  })(value);
};
const sshkeysProblem = (value: string) =>
  message(() => {
    const keys = decodeURIComponent(value);
    if (
      !keys
        .split('\n')
        .filter((k) => k.trim() !== '')
        .every((k) => /^(ssh-|ecdsa-|sk-)\S+ \S+/.test(k.trim()))
    )
      throw new Error('must be URL-encoded OpenSSH public keys, one per line');
  });
const cicustomVol = (value: string) => (VOLID.test(value) ? undefined : 'must be a volume id (storage:snippets/file)');
const memoryProblem = props({ current: int(16, 4 * 1024 * 1024) }, 'current');

const FIXED: Record<string, KeyDef> = {
  name: { hotplug: 'immediate', check: pattern(DNS_NAME, 'a DNS name (letters, digits, - and .)') },
  description: { hotplug: 'immediate', check: text(8192) },
  tags: {
    hotplug: 'immediate',
    check: tagsProblem,
    format: (v) =>
      v
        .split(/[;, ]+/)
        .filter((t) => t !== '')
        .join(';'),
  },
  onboot: { hotplug: 'immediate', check: bool, format: canonicalBool },
  startup: {
    hotplug: 'immediate',
    check: startupProblem,
    format: canonicalProps('order'),
  },
  protection: { hotplug: 'immediate', check: bool, format: canonicalBool },
  template: { hotplug: false, check: bool, format: canonicalBool },
  lock: { hotplug: 'immediate', check: oneOf(LOCKS), internal: true },
  cores: { hotplug: false, check: int(1, 8192), format: canonicalInt },
  sockets: { hotplug: false, check: int(1, 16), format: canonicalInt },
  vcpus: { hotplug: 'cpu', check: int(1, 8192), format: canonicalInt },
  cpu: {
    hotplug: false,
    check: props(
      {
        cputype: pattern(/^(custom-)?[A-Za-z][A-Za-z0-9._-]*$/, 'a CPU model such as host or x86-64-v2-AES'),
        flags: (f) => (f.split(';').every((x) => CPU_FLAG.test(x)) ? undefined : 'must be +flag;-flag'),
        hidden: bool,
        'hv-vendor-id': pattern(/^[A-Za-z0-9]{1,12}$/, '1-12 letters or digits'),
        'phys-bits': (v) => (v === 'host' ? undefined : intProblem(v, 8, 64)),
        'reported-model': text(64),
      },
      'cputype',
    ),
    format: canonicalProps('cputype'),
  },
  affinity: { hotplug: false, check: pattern(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'host CPUs such as 0-3,8') },
  cpulimit: { hotplug: 'immediate', check: pattern(/^(\d{1,3})(\.\d+)?$/, 'a number of CPUs 0..128') },
  cpuunits: { hotplug: 'immediate', check: int(1, 262144), format: canonicalInt },
  memory: { hotplug: 'memory', check: memoryProblem, format: canonicalProps('current') },
  balloon: { hotplug: 'memory', check: int(0, 4 * 1024 * 1024), format: canonicalInt },
  numa: { hotplug: false, check: bool, format: canonicalBool },
  kvm: { hotplug: false, check: bool, format: canonicalBool },
  acpi: { hotplug: false, check: bool, format: canonicalBool },
  tablet: { hotplug: false, check: bool, format: canonicalBool },
  localtime: { hotplug: false, check: bool, format: canonicalBool },
  scsihw: { hotplug: false, check: oneOf(SCSI_CONTROLLERS) },
  boot: { hotplug: false, check: bootProblem },
  bootdisk: { hotplug: false, check: (v) => (driveKeyOf(v) ? undefined : 'must be a disk key such as scsi0') },
  bios: { hotplug: false, check: oneOf(['seabios', 'ovmf']) },
  machine: {
    hotplug: false,
    check: props(
      {
        type: pattern(MACHINE, 'pc, q35 or a versioned pc-i440fx-X.Y / pc-q35-X.Y'),
        viommu: oneOf(['intel', 'virtio']),
      },
      'type',
    ),
    format: canonicalProps('type'),
  },
  ostype: { hotplug: false, check: oneOf(OS_TYPES) },
  vga: {
    hotplug: false,
    check: props({ type: oneOf(VGA_TYPES), memory: int(4, 512), clipboard: oneOf(['vnc']) }, 'type'),
    format: canonicalProps('type'),
  },
  agent: {
    hotplug: false,
    check: props(
      { enabled: bool, 'freeze-fs-on-backup': bool, fstrim_cloned_disks: bool, type: oneOf(['virtio', 'isa']) },
      'enabled',
    ),
    format: canonicalProps('enabled'),
  },
  smbios1: {
    hotplug: false,
    check: props({
      uuid: pattern(UUID, 'a UUID'),
      base64: bool,
      family: text(512),
      manufacturer: text(512),
      product: text(512),
      serial: text(512),
      sku: text(512),
      version: text(512),
    }),
  },
  vmgenid: {
    hotplug: false,
    check: (v) => (v === '0' || v === '1' || UUID.test(v) ? undefined : 'must be 0, 1 or a UUID'),
  },
  meta: {
    hotplug: 'immediate',
    check: props({ 'creation-qemu': pattern(/^[\d.]+$/, 'a QEMU version'), ctime: int(0, 2 ** 40) }),
    internal: true,
  },
  vmstatestorage: { hotplug: 'immediate', check: pattern(STORAGE_ID, 'a storage id') },
  hotplug: { hotplug: 'immediate', check: hotplugProblem },
  hookscript: { hotplug: 'immediate', check: cicustomVol },
  args: { hotplug: false, check: text(4096), unsafe: true },
  parent: { hotplug: 'immediate', check: pattern(/^[a-zA-Z][a-zA-Z0-9_-]{1,39}$/, 'a snapshot name'), internal: true },
  snaptime: { hotplug: false, check: int(0, 2 ** 40), internal: true, snapshotOnly: true },
  vmstate: { hotplug: false, check: pattern(VOLID, 'a volume id'), internal: true },
  runningmachine: { hotplug: false, check: pattern(MACHINE, 'a machine type'), internal: true },
  runningcpu: { hotplug: false, check: text(1024), internal: true },
  snapstate: { hotplug: false, check: oneOf(['prepare', 'delete']), internal: true },
  citype: { hotplug: 'cloudinit', check: oneOf(['nocloud', 'configdrive2', 'opennebula']) },
  ciuser: { hotplug: 'cloudinit', check: pattern(/^[a-z_][a-z0-9_-]{0,31}$/, 'a user name') },
  cipassword: { hotplug: 'cloudinit', check: text(1024) },
  sshkeys: { hotplug: 'cloudinit', check: sshkeysProblem },
  nameserver: {
    hotplug: 'cloudinit',
    check: pattern(/^[0-9A-Fa-f.:]+( [0-9A-Fa-f.:]+)*$/, 'IP addresses separated by spaces'),
  },
  searchdomain: {
    hotplug: 'cloudinit',
    check: pattern(/^[a-zA-Z0-9.-]+( [a-zA-Z0-9.-]+)*$/, 'domain names separated by spaces'),
  },
  ciupgrade: { hotplug: 'cloudinit', check: bool, format: canonicalBool },
  cicustom: {
    hotplug: 'cloudinit',
    check: props({ user: cicustomVol, network: cicustomVol, meta: cicustomVol, vendor: cicustomVol }),
  },
};

/** The definition of a key (families such as scsi0 or net3 included), or undefined for an unknown key. */
export const keyDef = (key: string): KeyDef | undefined => {
  const fixed = Object.hasOwn(FIXED, key) ? FIXED[key] : undefined;
  if (fixed) return fixed;
  const which = driveKeyOf(key);
  if (which) {
    const hotplug: HotplugClass =
      which.kind === 'unused' ? 'immediate' : which.kind === 'efidisk' || which.kind === 'tpmstate' ? false : 'disk';
    return {
      hotplug,
      check: (value, context) => message(() => parseDrive(key, value, context.forCreate)),
      format: (value, context) => formatDrive(parseDrive(key, value, context.forCreate)),
    };
  }
  if (netIndexOf(key) !== undefined)
    return {
      hotplug: 'network',
      check: (value, context) =>
        message(() => {
          if (!parseNet(key, value).macaddr && !context.forCreate) throw new Error('has no MAC address (model=MAC)');
        }),
      format: (value) => formatNet(parseNet(key, value)),
    };
  if (/^ipconfig(0|[1-9]\d?)$/.test(key) && Number(key.slice(8)) < 32)
    return { hotplug: 'cloudinit', check: (value) => message(() => parseIpConfig(value)), format: canonicalProps() };
  if (/^serial[0-3]$/.test(key))
    return { hotplug: false, check: pattern(/^(socket|\/dev\/[A-Za-z0-9/._-]+)$/, 'socket or a /dev/ path') };
  return undefined;
};

/** PVE's canonical text for a valid value (unknown or free-text keys: as given). */
export const formatValue = (key: string, value: string, context: CheckContext = { forCreate: false }): string =>
  keyDef(key)?.format?.(value, context) ?? value;

export const hotplugClassOf = (key: string): HotplugClass => keyDef(key)?.hotplug ?? false;
