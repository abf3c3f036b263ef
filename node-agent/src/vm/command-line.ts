// Compiles a VM's typed config into QEMU's argv, the way qemu-server's config_to_command does: pure (no files
// read, no processes), so it is snapshot-tested and shown by --dry-run; the caller resolves volids, creates taps,
// starts swtpm and applies what QEMU's command line cannot hold (netPlumbing: bridge, VLAN, firewall, rate, link).
import { join } from 'node:path';
import { AppError } from '../api/errors';
import { hostNicSettings } from '../guests/nic-plumbing';
import type { Net } from './config/net';
import { compileDrives, compileOvmf, qemuValue, type ResolvedVolume } from './config/qemu-drives';
import type { VmConfig } from './config/typed';
import { tapName, type VmRunPaths } from './run-paths';

export interface CompileEnv {
  readonly vmid: number;
  readonly node: string;
  readonly accel: 'kvm' | 'tcg';
  readonly runPaths: VmRunPaths;
  /** Drive key → its volume as a path and format (volids resolved by the caller). */
  readonly drives: Readonly<Record<string, ResolvedVolume>>;
  /** netN → tap device; tapName(vmid, N) when absent. */
  readonly taps?: Readonly<Record<string, string>>;
  /** The generated cloud-init ISO, for a `vm-<vmid>-cloudinit` drive. */
  readonly cloudinitIso?: string;
  readonly qemuBinary?: string;
  /** vhost-net for virtio NICs (the caller checks /dev/vhost-net); default: under KVM. */
  readonly vhost?: boolean;
  /** Where OVMF_CODE*.fd live (Debian's ovmf package). */
  readonly firmwareDir?: string;
  /** The QEMU binary's version ("7.2"): a machine pinned to a newer version is refused instead of failing at start. */
  readonly qemuVersion?: string;
}

const refuse = (key: string, why: string): never => {
  throw new AppError('not-supported', `${key}: ${why}`, { key });
};

// PVE's x86-64 micro-architecture levels, built on qemu64/kvm64 (QEMU 7.2 has no such models).
const V2 = ['+cx16', '+lahf_lm', '+popcnt', '+pni', '+sse4.1', '+sse4.2', '+ssse3'];
const V3 = [...V2, '+aes', '+avx', '+avx2', '+bmi1', '+bmi2', '+f16c', '+fma', '+abm', '+movbe', '+xsave'];
const LEVELS: Record<string, readonly string[]> = {
  'x86-64-v2': V2,
  'x86-64-v2-AES': [...V2, '+aes'],
  'x86-64-v3': V3,
  'x86-64-v4': [...V3, '+avx512f', '+avx512bw', '+avx512cd', '+avx512dq', '+avx512vl'],
};
const WINDOWS = /^(win|w2k|wxp|wvista)/;
const HYPERV = [
  'hv_relaxed',
  'hv_vapic',
  'hv_spinlocks=0x1fff',
  'hv_vpindex',
  'hv_synic',
  'hv_stimer',
  'hv_time',
  'hv_reset',
  'hv_frequencies',
  'hv_runtime',
  'hv_tlbflush',
  'hv_ipi',
];

const cpuArg = (vm: VmConfig, accel: 'kvm' | 'tcg'): string => {
  const { model, flags, hidden, physBits } = vm.cpu;
  if (model.startsWith('custom-')) refuse('cpu', `custom CPU model ${model} is not supported yet`);
  const level = LEVELS[model];
  const base = level ? (accel === 'kvm' ? 'kvm64' : 'qemu64') : model === 'host' && accel === 'tcg' ? 'max' : model;
  const parts = [base];
  if (level && accel === 'kvm') parts.push('enforce');
  parts.push(...(level ?? []));
  if (accel === 'kvm' && base !== 'host' && base !== 'max') parts.push('+kvm_pv_eoi', '+kvm_pv_unhalt');
  if (accel === 'kvm' && WINDOWS.test(vm.ostype)) parts.push(...HYPERV);
  if (hidden) parts.push('kvm=off');
  if (physBits === 'host') parts.push('host-phys-bits=true');
  else if (physBits !== undefined) parts.push(`phys-bits=${physBits}`);
  parts.push(...flags);
  return parts.join(',');
};

const machineArg = (vm: VmConfig, env: CompileEnv, secure: boolean): string => {
  if (vm.machine.viommu !== undefined) refuse('machine', 'viommu is not supported yet');
  // PVE pins `+pveN` machine revisions of its patched QEMU; upstream QEMU knows the version without it.
  const type = vm.machine.type.replace(/\+pve\d+$/, '');
  const pinned = /-(\d+)\.(\d+)$/.exec(type);
  const installed = env.qemuVersion === undefined ? undefined : /^(\d+)\.(\d+)/.exec(env.qemuVersion);
  if (
    pinned &&
    installed &&
    Number(pinned[1]) * 1000 + Number(pinned[2]) > Number(installed[1]) * 1000 + Number(installed[2])
  )
    refuse('machine', `${type} needs QEMU ${pinned[1]}.${pinned[2]} or newer; this node has ${env.qemuVersion ?? ''}`);
  const parts = [`type=${type}`, `accel=${env.accel}`];
  if (!vm.acpi) parts.push('acpi=off');
  if (secure) parts.push('smm=on');
  return parts.join(',');
};

const smbiosArg = (smbios1: string): string => {
  const pairs = smbios1.split(',').map((pair) => pair.split('=') as [string, string]);
  const base64 = pairs.some(([k, v]) => k === 'base64' && v === '1');
  const fields = pairs
    .filter(([k]) => k !== 'base64')
    .map(([k, v]) => `${k}=${qemuValue(base64 && k !== 'uuid' ? Buffer.from(v, 'base64').toString('utf8') : v)}`);
  return ['type=1', ...fields].join(',');
};

const VGA_DEVICES: Record<string, string> = {
  std: 'VGA',
  cirrus: 'cirrus-vga',
  vmware: 'vmware-svga',
  qxl: 'qxl-vga',
  virtio: 'virtio-vga',
};

const displayArgs = (vm: VmConfig, env: CompileEnv): string[] => {
  const { type, memory, clipboard } = vm.vga;
  if (/^serial[0-3]$/.test(type)) return ['-display', 'none']; // -nographic, minus the stdio it cannot have when daemonized
  const vnc = ['-vnc', `unix:${qemuValue(env.runPaths.vnc)}`];
  if (type === 'none') return vnc;
  if (type === 'virtio-gl') return refuse('vga', 'virtio-gl needs a host GPU render node, which is not supported yet');
  const qxl = /^qxl([2-4])?$/.exec(type);
  const device = qxl ? 'qxl-vga' : VGA_DEVICES[type];
  if (device === undefined) return refuse('vga', `${type} is not a display type`);
  const args = [
    ...vnc,
    '-device',
    [device, 'id=vga', ...(memory !== undefined ? [`vgamem_mb=${memory}`] : [])].join(','),
  ];
  for (let extra = 1; extra < Number(qxl?.[1] ?? 1); extra += 1) args.push('-device', `qxl,id=vga${extra}`);
  if (clipboard === 'vnc')
    args.push(
      '-device',
      'virtio-serial-pci,id=spice',
      '-chardev',
      'qemu-vdagent,id=vdagent,name=vdagent,clipboard=on',
      '-device',
      'virtserialport,chardev=vdagent,name=com.redhat.spice.0',
    );
  return args;
};

const NIC_DEVICES: Record<string, string> = {
  virtio: 'virtio-net-pci',
  e1000: 'e1000',
  e1000e: 'e1000e',
  rtl8139: 'rtl8139',
  vmxnet3: 'vmxnet3',
};

/** One NIC's -netdev and -device (a NIC hotplug builds the same). */
export const netArgs = (
  net: Net,
  env: Pick<CompileEnv, 'vmid' | 'accel' | 'vhost' | 'taps'>,
  bootindex: number | undefined,
): string[] => {
  const device = NIC_DEVICES[net.model];
  if (device === undefined) return refuse(net.key, `NIC model ${net.model} is not supported`);
  if (net.macaddr === undefined) return refuse(net.key, 'has no MAC address');
  const tap = env.taps?.[net.key] ?? tapName(env.vmid, net.index);
  const queues = net.model === 'virtio' && net.queues !== undefined && net.queues > 1 ? net.queues : undefined;
  const netdev = [`tap`, `id=${net.key}`, `ifname=${tap}`, 'script=no', 'downscript=no'];
  if ((env.vhost ?? env.accel === 'kvm') && net.model === 'virtio') netdev.push('vhost=on');
  if (queues) netdev.push(`queues=${queues}`);
  const props = [device, `mac=${net.macaddr}`, `netdev=${net.key}`, `id=${net.key}`];
  if (queues) props.push('mq=on', `vectors=${2 * queues + 2}`);
  if (net.mtu !== undefined && net.model === 'virtio') props.push(`host_mtu=${net.mtu}`);
  if (bootindex !== undefined) props.push(`bootindex=${bootindex}`);
  return ['-netdev', netdev.join(','), '-device', props.join(',')];
};

/** What the executor does around QEMU for each NIC: the tap into its bridge, VLAN, firewall, rate, link state. */
export const netPlumbing = (vm: VmConfig, env: Pick<CompileEnv, 'vmid' | 'taps'>) =>
  vm.nets.map((net) => ({
    key: net.key,
    tap: env.taps?.[net.key] ?? tapName(env.vmid, net.index),
    ...hostNicSettings(net),
  }));

/** The argv that starts this VM (argv[0] is the QEMU binary). Throws AppError naming the key it cannot compile. */
export const compileQemuCommand = (vm: VmConfig, env: CompileEnv): string[] => {
  if (vm.template) refuse('template', 'a template cannot be started — clone it');
  if (!vm.kvm && env.accel === 'kvm') refuse('kvm', 'kvm: 0 asks for emulation; compile with accel tcg');
  const paths = env.runPaths;
  const bootindex = new Map(vm.bootOrder.map((key, i) => [key, 100 + i]));
  const q35 = /q35/.test(vm.machine.type);
  const context = {
    vmid: env.vmid,
    q35,
    scsihw: vm.scsihw,
    volumes: env.drives,
    bootindex,
    ...(env.cloudinitIso !== undefined && { cloudinitIso: env.cloudinitIso }),
  };
  const secure =
    vm.bios === 'ovmf' && vm.efidisk?.options['pre-enrolled-keys'] === '1' && vm.efidisk.options.efitype === '4m';
  // PVE's `-id <vmid>` is an option of its patched QEMU; upstream 7.2 refuses it, so the vmid lives in the paths.
  const argv = [
    env.qemuBinary ?? 'qemu-system-x86_64',
    '-name',
    `${qemuValue(vm.name ?? `vm${env.vmid}`)},debug-threads=on`,
    '-no-shutdown',
  ];
  argv.push(
    '-chardev',
    `socket,id=qmp,path=${qemuValue(paths.qmp)},server=on,wait=off`,
    '-mon',
    'chardev=qmp,mode=control',
  );
  argv.push('-pidfile', paths.pid, '-daemonize');
  if (vm.smbios1 !== undefined) argv.push('-smbios', smbiosArg(vm.smbios1));
  if (vm.bios === 'ovmf') {
    argv.push(...compileOvmf(vm.efidisk, context, env.firmwareDir ?? '/usr/share/OVMF'));
    if (secure) argv.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
  }
  const maxcpus = vm.sockets * vm.cores;
  argv.push('-smp', `${vm.vcpus},sockets=${vm.sockets},cores=${vm.cores},maxcpus=${maxcpus}`);
  argv.push('-nodefaults', '-boot', 'menu=on,strict=on,reboot-timeout=1000');
  argv.push(...displayArgs(vm, env));
  argv.push('-cpu', cpuArg(vm, env.accel), '-m', String(vm.memory));
  if (vm.numa) {
    if (vm.memory % vm.sockets !== 0)
      refuse('numa', `memory ${vm.memory} MiB does not split evenly over ${vm.sockets} sockets`);
    for (let node = 0; node < vm.sockets; node += 1) {
      const first = node * vm.cores;
      argv.push('-object', `memory-backend-ram,id=ram-node${node},size=${vm.memory / vm.sockets}M`);
      argv.push('-numa', `node,nodeid=${node},cpus=${first}-${first + vm.cores - 1},memdev=ram-node${node}`);
    }
  }
  if (vm.vmgenid !== undefined && vm.vmgenid !== '0') {
    if (vm.vmgenid === '1') refuse('vmgenid', '1 must be replaced by a generated UUID when the config is written');
    argv.push('-device', `vmgenid,guid=${vm.vmgenid}`);
  }
  if (WINDOWS.test(vm.ostype) || vm.localtime) argv.push('-rtc', 'driftfix=slew,base=localtime');
  if (vm.tablet && !/^(serial[0-3]|none)$/.test(vm.vga.type))
    argv.push(
      '-device',
      q35 ? 'qemu-xhci,id=xhci' : 'piix3-usb-uhci,id=uhci',
      '-device',
      `usb-tablet,id=tablet,bus=${q35 ? 'xhci' : 'uhci'}.0`,
    );
  for (const [port, target] of vm.serials) {
    argv.push(
      '-chardev',
      target === 'socket'
        ? `socket,id=serial${port},path=${qemuValue(paths.serial(port))},server=on,wait=off,logfile=${qemuValue(paths.serialLog(port))}`
        : `serial,id=serial${port},path=${qemuValue(target)}`,
      '-device',
      `isa-serial,chardev=serial${port}`,
    );
  }
  if (vm.balloon !== 0) argv.push('-device', 'virtio-balloon-pci,id=balloon0,free-page-reporting=on');
  if (vm.agent.enabled) {
    argv.push('-chardev', `socket,id=qga0,path=${qemuValue(join(paths.dir, `${env.vmid}.qga`))},server=on,wait=off`);
    argv.push(
      ...(vm.agent.type === 'isa'
        ? ['-device', 'isa-serial,chardev=qga0']
        : [
            '-device',
            'virtio-serial-pci,id=qga0-serial',
            '-device',
            'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0',
          ]),
    );
  }
  if (vm.tpmstate) {
    // swtpm runs beside QEMU with the tpmstate0 volume as its state; the executor starts it on this socket.
    argv.push(
      '-chardev',
      `socket,id=tpmchar,path=${qemuValue(join(paths.dir, `${env.vmid}.swtpm`))}`,
      '-tpmdev',
      'emulator,id=tpmdev,chardev=tpmchar',
      '-device',
      `${vm.tpmstate.options.version === 'v1.2' ? 'tpm-tis' : 'tpm-crb'},tpmdev=tpmdev`,
    );
  }
  argv.push(...compileDrives(vm.drives, context));
  for (const net of vm.nets) argv.push(...netArgs(net, env, bootindex.get(net.key)));
  if (env.accel === 'kvm') argv.push('-global', 'kvm-pit.lost_tick_policy=discard');
  argv.push('-machine', machineArg(vm, env, secure));
  if (vm.args !== undefined) {
    if (/["'\\$`]/.test(vm.args)) refuse('args', 'quotes, backslashes and $ are not supported in args');
    argv.push(...vm.args.split(/\s+/).filter((word) => word !== ''));
  }
  return argv;
};
