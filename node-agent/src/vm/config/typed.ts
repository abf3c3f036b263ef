// A section's flat values as one typed object: what the QEMU compiler and the agent's logic read instead of
// re-parsing strings. Defaults are PVE's (1 socket × 1 core, 512 MiB, seabios, pc, lsi, std VGA).
import { driveKeyOf, parseDrive, type Drive } from './drive';
import { netIndexOf, parseNet, type Net } from './net';
import { isTrue } from './property-string';
import type { ConfigValues } from './validate';
import { valueReader } from './value-reader';

export interface CpuSpec {
  readonly model: string;
  /** `+flag` / `-flag`, as written. */
  readonly flags: readonly string[];
  readonly hidden: boolean;
  readonly physBits?: string;
}

export interface VmConfig {
  readonly name?: string;
  readonly sockets: number;
  readonly cores: number;
  /** vCPUs online at start (≤ sockets × cores). */
  readonly vcpus: number;
  readonly cpu: CpuSpec;
  /** MiB. */
  readonly memory: number;
  /** Balloon target MiB; 0 = no balloon device; undefined = device with target memory. */
  readonly balloon?: number;
  readonly scsihw: string;
  readonly bios: 'seabios' | 'ovmf';
  readonly machine: { readonly type: string; readonly viommu?: string };
  readonly ostype: string;
  readonly vga: { readonly type: string; readonly memory?: number; readonly clipboard?: string };
  /** serialN → `socket` or a /dev path. */
  readonly serials: ReadonlyMap<number, string>;
  readonly agent: { readonly enabled: boolean; readonly type: 'virtio' | 'isa' };
  /** Disks and CD drives on ide/sata/scsi/virtio, in key order (efidisk0, tpmstate0, unusedN apart). */
  readonly drives: readonly Drive[];
  readonly efidisk?: Drive;
  readonly tpmstate?: Drive;
  readonly nets: readonly Net[];
  /** Boot devices in order (keys such as scsi0, net0). */
  readonly bootOrder: readonly string[];
  readonly kvm: boolean;
  readonly acpi: boolean;
  readonly tablet: boolean;
  readonly numa: boolean;
  readonly localtime: boolean;
  readonly template: boolean;
  readonly smbios1?: string;
  readonly vmgenid?: string;
  readonly args?: string;
  /** The values this was made from. */
  readonly values: Readonly<Record<string, string>>;
}

const LEGACY_BOOT: Record<
  string,
  (config: { drives: readonly Drive[]; nets: readonly Net[]; bootdisk?: string }) => string[]
> = {
  c: ({ drives, bootdisk }) =>
    bootdisk
      ? [bootdisk]
      : drives
          .filter((d) => d.media === 'disk')
          .slice(0, 1)
          .map((d) => d.key),
  d: ({ drives }) => drives.filter((d) => d.media === 'cdrom').map((d) => d.key),
  n: ({ nets }) => nets.map((n) => n.key),
  a: () => [],
};

const DISK_ORDER = ['ide', 'sata', 'scsi', 'virtio'];

/** The typed view of validated values; throws AppError invalid-params naming the key for a value it cannot read. */
export const typedConfig = (input: ConfigValues): VmConfig => {
  const { values, read, options } = valueReader(input);
  const number = (key: string, fallback: number): number =>
    values[key] === undefined ? fallback : Number(values[key]);
  const all: Drive[] = [];
  const nets: Net[] = [];
  for (const key of Object.keys(values)) {
    const which = driveKeyOf(key);
    if (which && which.kind !== 'unused') all.push(read(key, (v) => parseDrive(key, v)));
    if (netIndexOf(key) !== undefined) nets.push(read(key, (v) => parseNet(key, v)));
  }
  const drives = all
    .filter((d) => d.kind !== 'efidisk' && d.kind !== 'tpmstate')
    .sort((a, b) => DISK_ORDER.indexOf(a.kind) - DISK_ORDER.indexOf(b.kind) || a.index - b.index);
  nets.sort((a, b) => a.index - b.index);
  const sockets = number('sockets', 1);
  const cores = number('cores', 1);
  const cpu = options('cpu', 'cputype');
  const memory = options('memory', 'current');
  const machine = options('machine', 'type');
  const vga = options('vga', 'type');
  const agent = options('agent', 'enabled');
  const boot = values.boot ?? '';
  const bootdisk = values.bootdisk;
  const bootOrder = /^[acdn]{1,4}$/.test(boot)
    ? [...boot].flatMap(
        (letter) => LEGACY_BOOT[letter]?.({ drives, nets, ...(bootdisk !== undefined && { bootdisk }) }) ?? [],
      )
    : boot === ''
      ? [
          ...drives.filter((d) => d.media === 'disk').slice(0, 1),
          ...drives.filter((d) => d.media === 'cdrom'),
          ...nets,
        ].map((d) => d.key)
      : (options('boot').order ?? '').split(';').filter((d) => d !== '');
  const serials = new Map<number, string>();
  for (let port = 0; port < 4; port += 1) {
    const serial = values[`serial${port}`];
    if (serial !== undefined) serials.set(port, serial);
  }
  return {
    sockets,
    cores,
    vcpus: number('vcpus', sockets * cores),
    cpu: {
      model: cpu.cputype ?? 'kvm64',
      flags: (cpu.flags ?? '').split(';').filter((f) => f !== ''),
      hidden: isTrue(cpu.hidden),
      ...(cpu['phys-bits'] !== undefined && { physBits: cpu['phys-bits'] }),
    },
    memory: Number(memory.current ?? 512),
    scsihw: values.scsihw ?? 'lsi',
    bios: values.bios === 'ovmf' ? 'ovmf' : 'seabios',
    machine: { type: machine.type ?? 'pc', ...(machine.viommu !== undefined && { viommu: machine.viommu }) },
    ostype: values.ostype ?? 'other',
    vga: {
      type: vga.type ?? 'std',
      ...(vga.memory !== undefined && { memory: Number(vga.memory) }),
      ...(vga.clipboard !== undefined && { clipboard: vga.clipboard }),
    },
    serials,
    agent: { enabled: isTrue(agent.enabled), type: agent.type === 'isa' ? 'isa' : 'virtio' },
    drives,
    nets,
    bootOrder,
    kvm: values.kvm === undefined || isTrue(values.kvm),
    acpi: values.acpi === undefined || isTrue(values.acpi),
    tablet: values.tablet === undefined || isTrue(values.tablet),
    numa: isTrue(values.numa),
    localtime: isTrue(values.localtime),
    template: isTrue(values.template),
    values,
    ...(values.name !== undefined && { name: values.name }),
    ...(values.balloon !== undefined && { balloon: Number(values.balloon) }),
    ...(values.efidisk0 !== undefined && { efidisk: read('efidisk0', (v) => parseDrive('efidisk0', v)) }),
    ...(values.tpmstate0 !== undefined && { tpmstate: read('tpmstate0', (v) => parseDrive('tpmstate0', v)) }),
    ...(values.smbios1 !== undefined && { smbios1: values.smbios1 }),
    ...(values.vmgenid !== undefined && { vmgenid: values.vmgenid }),
    ...(values.args !== undefined && { args: values.args }),
  };
};
