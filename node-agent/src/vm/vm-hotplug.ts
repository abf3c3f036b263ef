// Disks and NICs changed while the VM runs (PVE's `hotplug: network,disk,usb`): a pure planner turns one key's change
// into QMP commands (and host commands for a tap), built from the same per-drive/per-NIC pieces as the cold command
// line; the executor runs them, waits for asynchronous unplugs and rolls back what it added when a step fails.
import { access } from 'node:fs/promises';
import { AppError } from '../api/errors';
import type { TaskContext } from '../tasks/task-context';
import { detectAccelerator } from './accel';
import { netArgs, netPlumbing, type CompileEnv } from './command-line';
import { parseDrive, type Drive } from './config/drive';
import { hotplugClassOf } from './config/keys';
import { parseNet, type Net } from './config/net';
import { driveParts, isCloudinit, type DriveContext, type ResolvedVolume } from './config/qemu-drives';
import { typedConfig, type VmConfig } from './config/typed';
import type { QmpClient } from './qmp-client';
import { pollFor } from './qemu-process';
import { checkVlanAware, plugCommands, replugCommands, runHostCommands, type HostCommand, type NicPlumbing } from './vm-nic-plumbing';
import type { VmService } from './vm-service';
import { isVolid } from './vm-volumes';

export interface QmpStep {
  readonly execute: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Skipped when this QOM path exists: a controller or iothread other drives may have made already. */
  readonly unlessExists?: string;
}
export type HotplugStep = QmpStep | HostCommand;

export interface HotplugPlan {
  readonly key: string;
  readonly steps: readonly HotplugStep[];
  /** A NIC plugged or re-plumbed: its bridge is checked for VLAN awareness first. */
  readonly nic?: NicPlumbing;
}

export type HotplugEnv = Pick<CompileEnv, 'vmid' | 'accel' | 'vhost' | 'taps' | 'drives'>;

/** PVE's `hotplug` key: unset or 1 = network,disk,usb; 0 = none. */
const hotplugFeatures = (value: string | undefined): Set<string> =>
  new Set(value === undefined || value === '1' ? ['network', 'disk', 'usb'] : value === '0' ? [] : value.split(','));

/** A QEMU option string (`driver,key=value,…`, commas doubled inside values) as QMP arguments, values as text. */
export const optionArguments = (text: string, first: string): Record<string, string> => {
  const parts = text.split(/(?<!,),(?!,)/).map((part) => part.replaceAll(',,', ','));
  const args: Record<string, string> = {};
  parts.forEach((part, i) => {
    const eq = part.indexOf('=');
    if (i === 0 && eq === -1) args[first] = part;
    else args[part.slice(0, eq)] = part.slice(eq + 1);
  });
  return args;
};

/** netdev_add is typed (QAPI Netdev): on/off are booleans and counts numbers, as PVE converts them. */
const typedNetdev = (text: string): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(optionArguments(text, 'type')).map(([k, v]) => [k, v === 'on' ? true : v === 'off' ? false : /^\d+$/.test(v) ? Number(v) : v]),
  );

const hmp = (line: string): QmpStep => ({ execute: 'human-monitor-command', arguments: { 'command-line': line } });
const deviceDel = (id: string): QmpStep => ({ execute: 'device_del', arguments: { id } });
/** HMP reads a quoted string with backslash escapes. */
const hmpString = (text: string): string => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

const driveContext = (vm: VmConfig, env: HotplugEnv): DriveContext => ({
  vmid: env.vmid,
  q35: /q35/.test(vm.machine.type),
  scsihw: vm.scsihw,
  volumes: env.drives,
  bootindex: new Map(vm.bootOrder.map((key, i) => [key, 100 + i])),
});

/** Options QEMU never sees: a change of only these is written at once. */
const BOOKKEEPING = new Set(['backup', 'replicate', 'size', 'shared', 'snapshot']);
const sameExcept = (a: Drive, b: Drive, ignore: (name: string) => boolean): boolean => {
  const names = new Set([...Object.keys(a.options), ...Object.keys(b.options)]);
  return [...names].every((name) => ignore(name) || a.options[name] === b.options[name]);
};

/** The controller a drive of the running VM sits on (only the controller is read: its volume need not be resolved). */
const controllerOf = (drive: Drive, context: DriveContext): string | undefined => {
  try {
    return driveParts(drive, { ...context, volumes: { [drive.key]: { path: 'unused', format: 'raw' } }, cloudinitIso: 'unused' })?.controller?.id;
  } catch {
    return undefined;
  }
};

const addDrive = (drive: Drive, vm: VmConfig, env: HotplugEnv): QmpStep[] | undefined => {
  const context = driveContext(vm, env);
  const parts = driveParts(drive, context);
  if (!parts || isCloudinit(drive.file)) return undefined;
  const steps: QmpStep[] = [];
  const { controller } = parts;
  if (controller) {
    // A controller is a PCI device: q35's root bus takes no hotplug, so there it must exist from the start.
    const shared = vm.drives.some((other) => other.key !== drive.key && controllerOf(other, context) === controller.id);
    if (context.q35 && !shared) return undefined;
    const iothread = controller.iothread === undefined ? undefined : optionArguments(controller.iothread, 'qom-type');
    if (iothread?.id !== undefined) steps.push({ execute: 'object-add', arguments: iothread, unlessExists: `/objects/${iothread.id}` });
    steps.push({ execute: 'device_add', arguments: optionArguments(controller.device, 'driver'), unlessExists: `/machine/peripheral/${controller.id}` });
  }
  for (const object of parts.objects) steps.push({ execute: 'object-add', arguments: optionArguments(object, 'qom-type') });
  steps.push(hmp(`drive_add auto ${hmpString(parts.drive)}`), { execute: 'device_add', arguments: optionArguments(parts.device, 'driver') });
  return steps;
};

/** The guest device first (the executor waits for DEVICE_DELETED), then its drive and iothread; controllers stay. */
const removeDrive = (drive: Drive): QmpStep[] => [
  deviceDel(drive.key),
  hmp(`drive_del drive-${drive.key}`),
  ...(drive.kind === 'virtio' && drive.iothread ? [{ execute: 'object-del', arguments: { id: `iothread-${drive.key}` } }] : []),
];

const diskPlan = (key: string, before: string | undefined, after: string | undefined, vm: VmConfig, env: HotplugEnv): HotplugPlan | undefined => {
  const old = before === undefined ? undefined : parseDrive(key, before);
  const next = after === undefined ? undefined : parseDrive(key, after);
  // A CD drive stays; only its medium changes (no hotplug needed, on any bus).
  if (old?.media === 'cdrom' && next?.media === 'cdrom' && sameExcept(old, next, (name) => name === 'media')) {
    if (isCloudinit(old.file) || isCloudinit(next.file)) return undefined;
    if (next.file === 'none') return { key, steps: [{ execute: 'eject', arguments: { id: key, force: true } }] };
    const volume = next.file === 'cdrom' ? { path: '/dev/cdrom', format: 'raw' } : env.drives[key];
    if (!volume) throw new AppError('invalid-params', `${key}: volume ${next.file} was not resolved to a path`, { key });
    return {
      key,
      steps: [{ execute: 'blockdev-change-medium', arguments: { id: key, filename: volume.path, format: volume.format, 'read-only-mode': 'read-only' } }],
    };
  }
  // The same volume with other options: only what QEMU never sees is live (PVE's rule; I/O limits wait too, for now).
  if (old && next && old.file === next.file && old.media === next.media)
    return sameExcept(old, next, (name) => BOOKKEEPING.has(name)) ? { key, steps: [] } : undefined;
  if (!hotplugFeatures(vm.values.hotplug).has('disk')) return undefined;
  const q35 = /q35/.test(vm.machine.type);
  const pluggable = (drive: Drive) =>
    (drive.kind === 'scsi' && (vm.scsihw === 'virtio-scsi-pci' || vm.scsihw === 'virtio-scsi-single')) || (drive.kind === 'virtio' && !q35);
  if ((old && !pluggable(old)) || (next && !pluggable(next))) return undefined;
  const add = next ? addDrive(next, vm, env) : [];
  if (!add) return undefined;
  return { key, steps: [...(old ? removeDrive(old) : []), ...add] };
};

const plumbingOf = (net: Net, vm: VmConfig, env: HotplugEnv): NicPlumbing => {
  const [nic] = netPlumbing({ ...vm, nets: [net] }, env);
  if (!nic) throw new AppError('internal-error', `${net.key}: no plumbing`);
  return nic;
};

const netPlan = (key: string, before: string | undefined, after: string | undefined, vm: VmConfig, env: HotplugEnv): HotplugPlan | undefined => {
  const old = before === undefined ? undefined : parseNet(key, before);
  const next = after === undefined ? undefined : parseNet(key, after);
  if (old && next && old.model === next.model && old.macaddr === next.macaddr && old.queues === next.queues && old.mtu === next.mtu) {
    // Same device: the host side and the link state change in place, as PVE does whatever `hotplug` says.
    const nic = plumbingOf(next, vm, env);
    const steps: HotplugStep[] = [...replugCommands(plumbingOf(old, vm, env), nic)];
    if (old.linkDown !== next.linkDown) steps.push({ execute: 'set_link', arguments: { name: key, up: !next.linkDown } });
    return { key, steps, nic };
  }
  // A NIC is a PCI device: q35's root bus takes no hotplug.
  if (!hotplugFeatures(vm.values.hotplug).has('network') || /q35/.test(vm.machine.type)) return undefined;
  const steps: HotplugStep[] = old ? [deviceDel(key), { execute: 'netdev_del', arguments: { id: key } }] : [];
  if (!next) return { key, steps };
  const bootindex = vm.bootOrder.indexOf(key);
  const [, netdev = '', , device = ''] = netArgs(next, env, bootindex === -1 ? undefined : 100 + bootindex);
  const nic = plumbingOf(next, vm, env);
  steps.push({ execute: 'netdev_add', arguments: typedNetdev(netdev) }, { execute: 'device_add', arguments: optionArguments(device, 'driver') });
  steps.push(...plugCommands(nic));
  if (next.linkDown) steps.push({ execute: 'set_link', arguments: { name: key, up: false } });
  return { key, steps, nic };
};

/**
 * What reaches running VM `vm` when `key` goes from `before` to `after` (undefined: absent), or undefined when the
 * change must wait for the next start. `env.drives` holds the new drive's resolved volume.
 */
export const hotplugPlan = (key: string, before: string | undefined, after: string | undefined, vm: VmConfig, env: HotplugEnv): HotplugPlan | undefined => {
  if (before === after) return { key, steps: [] };
  const kind = hotplugClassOf(key);
  if (kind === 'disk') return diskPlan(key, before, after, vm, env);
  if (kind === 'network') return netPlan(key, before, after, vm, env);
  return undefined;
};

export interface HotplugRunOptions {
  /** How long a device_del may take to be confirmed (DEVICE_DELETED): a PCI unplug needs the guest's consent. */
  unplugTimeoutMs?: number;
}

const isQmp = (step: HotplugStep): step is QmpStep => 'execute' in step;

/** device_del is asynchronous: the device is gone once QEMU says DEVICE_DELETED for it. */
const unplug = async (client: QmpClient, id: string, timeoutMs: number, signal: AbortSignal): Promise<void> => {
  let deleted = false;
  const off = client.on('event', (name, data) => {
    if (name === 'DEVICE_DELETED' && data?.device === id) deleted = true;
  });
  try {
    await client.execute('device_del', { id }, { signal });
    const done = await pollFor(() => Promise.resolve(deleted || undefined), timeoutMs, signal);
    if (!done) throw new AppError('timeout', `${id}: the guest did not release the device within ${timeoutMs} ms (a PCI unplug needs the guest's cooperation) — try again, or shut the VM down`, { id });
  } finally {
    off();
  }
};

const runQmp = async (client: QmpClient, step: QmpStep, timeoutMs: number, signal: AbortSignal): Promise<void> => {
  if (step.execute === 'device_del') return unplug(client, String(step.arguments?.id), timeoutMs, signal);
  const result = await client.execute(step.execute, step.arguments, { signal });
  if (step.execute !== 'human-monitor-command') return;
  // HMP answers in text: drive_add says OK; drive_del says nothing, or that QEMU already dropped the drive with its device.
  const line = String(step.arguments?.['command-line']);
  const text = typeof result === 'string' ? result.trim() : '';
  const fine = line.startsWith('drive_add') ? text.startsWith('OK') : text === '' || /Device '.*' not found/.test(text);
  if (!fine) throw new AppError('command-failed', `QMP ${line.split(' ')[0] ?? ''}: ${text}`, { command: line });
};

/** The step that takes back what `step` made, if it made something. */
const undoOf = (step: QmpStep): QmpStep | undefined => {
  const id = step.arguments?.id;
  if (step.execute === 'device_add' && typeof id === 'string') return deviceDel(id);
  if (step.execute === 'netdev_add' && typeof id === 'string') return { execute: 'netdev_del', arguments: { id } };
  if (step.execute === 'object-add' && typeof id === 'string') return { execute: 'object-del', arguments: { id } };
  const drive = /^drive_add auto .*\bid=(drive-[a-z]+\d+)/.exec(String(step.arguments?.['command-line']));
  return step.execute === 'human-monitor-command' && drive ? hmp(`drive_del ${drive[1] ?? ''}`) : undefined;
};

const exists = (client: QmpClient, path: string, signal: AbortSignal): Promise<boolean> =>
  client.execute('qom-list', { path }, { signal }).then(() => true, () => false);

/** Run a plan on VM vmid; on a failure, what this run added is taken back (newest first) and the error rethrown. */
export const runHotplug = async (client: QmpClient, vmid: number, plan: HotplugPlan, ctx: TaskContext, options: HotplugRunOptions = {}): Promise<void> => {
  const timeoutMs = options.unplugTimeoutMs ?? 10_000;
  if (plan.nic) await checkVlanAware(vmid, [plan.nic]);
  const undo: QmpStep[] = [];
  try {
    for (const step of plan.steps) {
      if (!isQmp(step)) {
        await runHostCommands(vmid, plan.key, ctx, [step]);
        continue;
      }
      if (step.unlessExists !== undefined && (await exists(client, step.unlessExists, ctx.signal))) continue;
      ctx.log(`VM ${vmid} ${plan.key}: QMP ${step.execute} ${JSON.stringify(step.arguments ?? {})}`);
      await runQmp(client, step, timeoutMs, ctx.signal);
      const back = undoOf(step);
      if (back) undo.unshift(back);
    }
  } catch (error) {
    for (const step of undo)
      await runQmp(client, step, timeoutMs, ctx.signal).catch((undoError: unknown) => ctx.warn(`VM ${vmid} ${plan.key}: could not take back ${step.execute}: ${AppError.from(undoError).message}`));
    throw error;
  }
};

/** A drive's volume as QEMU opens it (what a start resolves): undefined for an empty or host CD drive. */
const resolveDrive = async (vms: VmService, drive: Drive, signal: AbortSignal): Promise<ResolvedVolume | undefined> => {
  if (drive.file === 'none' || drive.file === 'cdrom') return undefined;
  if (!isVolid(drive.file)) return { path: drive.file, format: drive.options.format ?? 'raw' };
  const { path, format } = await vms.options.storage.volumePath(drive.file, { signal });
  return { path, format: drive.media === 'cdrom' ? 'raw' : (format ?? drive.options.format ?? 'raw') };
};

/**
 * Apply one key's change to running VM vmid (`running`: its current config) when QEMU allows it. False when it must
 * wait in [PENDING]: not hot-pluggable, or the hotplug failed (logged; what it added was taken back).
 */
export const hotplugChange = async (
  vms: VmService,
  vmid: number,
  running: Readonly<Record<string, string>>,
  key: string,
  value: string | undefined,
  ctx: TaskContext,
): Promise<boolean> => {
  const kind = hotplugClassOf(key);
  if (kind !== 'disk' && kind !== 'network') return false;
  try {
    const drives: Record<string, ResolvedVolume> = {};
    if (kind === 'disk' && value !== undefined) {
      const volume = await resolveDrive(vms, parseDrive(key, value), ctx.signal);
      if (volume) drives[key] = volume;
    }
    const accel = vms.monitor.runtime(vmid)?.accel ?? (await detectAccelerator()).accel;
    const vhost = accel === 'kvm' && (await access('/dev/vhost-net').then(() => true, () => false));
    const plan = hotplugPlan(key, running[key], value, typedConfig(running), { vmid, accel, vhost, drives });
    if (!plan) return false;
    await runHotplug(vms.monitor.client(vmid), vmid, plan, ctx);
    return true;
  } catch (error) {
    vms.options.log(`VM ${vmid} ${key}: hotplug failed, the change waits for the next start: ${AppError.from(error).message}`);
    return false;
  }
};
