// A VM's power: start (pending applied, volumes resolved, cloud-init seed written, QEMU compiled and launched,
// taps plugged into their bridges), stop, ACPI shutdown with a deadline, reboot, reset/pause/resume, keys, and
// destroy with every volume the VM owns. Each is a task holding the VM's config lock.
import { access, rm } from 'node:fs/promises';
import { AppError } from '../api/errors';
import type { TaskContext } from '../tasks/task-context';
import { PENDING, applyPending, currentOf, sectionOf } from './config/conf-document';
import { typedConfig } from './config/typed';
import type { ResolvedVolume } from './config/qemu-drives';
import { detectAccelerator } from './accel';
import { compileQemuCommand, netPlumbing } from './command-line';
import { cleanupRunFiles, killQemu, launchQemu, runningPid } from './qemu-process';
import { vmRunPaths } from './run-paths';
import { writeCloudInitDrive } from './vm-cloudinit';
import { checkVlanAware, plugNics } from './vm-nic-plumbing';
import { isVolid, ownedVolumes } from './vm-volumes';
import { VmService } from './vm-service';
import { storageCall } from './task-run';
import { guestHistoryFile } from './vm-usage';

/** How long a stop waits for QEMU to quit through QMP before it is killed. */
const QUIT_MS = 5_000;

/** The start itself (the caller holds the config lock): QEMU runs and is watched when this resolves. */
export const startBody = async (vms: VmService, vmid: number, ctx: TaskContext, options: { loadvm?: string } = {}): Promise<void> => {
  const runPaths = vmRunPaths(vms.options.paths, vmid);
  if ((await runningPid(runPaths)) !== undefined) throw new AppError('already-exists', `VM ${vmid} is already running`, { vmid });
  let { conf } = await vms.store.read(vmid);
  VmService.checkNotTemplate(vmid, conf, 'be started');
  if (sectionOf(conf, PENDING)) {
    conf = applyPending(conf);
    await vms.store.write(vmid, conf);
    ctx.log('applied the pending changes');
  }
  const vm = typedConfig(currentOf(conf).values);
  const call = storageCall(ctx);
  const drives: Record<string, ResolvedVolume> = {};
  let cloudinitIso: string | undefined;
  for (const drive of [...vm.drives, ...(vm.efidisk ? [vm.efidisk] : []), ...(vm.tpmstate ? [vm.tpmstate] : [])]) {
    if (drive.file === 'none' || drive.file === 'cdrom') continue;
    if (!isVolid(drive.file)) {
      drives[drive.key] = { path: drive.file, format: drive.options.format ?? 'raw' };
      continue;
    }
    const { path, format } = await vms.options.storage.volumePath(drive.file, call);
    if (/(^|\/)vm-\d+-cloudinit(\.|$)/.test(drive.file)) {
      await writeCloudInitDrive(vmid, currentOf(conf).values, path, ctx);
      cloudinitIso = path;
    }
    drives[drive.key] = { path, format: drive.media === 'cdrom' ? 'raw' : (format ?? drive.options.format ?? 'raw') };
  }
  const { accel, reason } = await detectAccelerator();
  ctx.log(`accelerator: ${accel} (${reason})`);
  const vhost = accel === 'kvm' && (await access('/dev/vhost-net').then(() => true, () => false));
  const env = { vmid, node: vms.node, accel, vhost, runPaths, drives, ...(cloudinitIso === undefined ? {} : { cloudinitIso }) };
  const argv = compileQemuCommand(vm, env);
  if (options.loadvm !== undefined) argv.push('-loadvm', options.loadvm);
  const plumbing = netPlumbing(vm, env);
  await checkVlanAware(vmid, plumbing);
  ctx.log(`# ${argv.join(' ')}`);
  await cleanupRunFiles(runPaths);
  const { pid } = await launchQemu(argv, { vmid, runPaths, signal: ctx.signal, log: (line) => ctx.log(line.trimEnd()) });
  try {
    await plugNics(vmid, ctx, plumbing);
    await vms.monitor.attach(vmid, { accel, taps: plumbing.map((nic) => nic.tap) });
    for (const nic of plumbing) if (nic.linkDown) await vms.monitor.client(vmid).execute('set_link', { name: nic.key, up: false });
  } catch (error) {
    await killQemu(pid, { graceMs: 1_000 });
    vms.monitor.detach(vmid);
    throw error;
  }
  ctx.log(`VM ${vmid} started (pid ${pid}, ${accel})`);
};

/** Stop at once (QMP quit, then SIGTERM/SIGKILL); resolves when QEMU is gone. */
export const stopBody = async (vms: VmService, vmid: number, ctx: TaskContext): Promise<void> => {
  const runPaths = vmRunPaths(vms.options.paths, vmid);
  const pid = await runningPid(runPaths);
  if (pid === undefined) {
    ctx.log(`VM ${vmid} is not running`);
    vms.monitor.detach(vmid);
    return;
  }
  if (vms.monitor.isRunning(vmid)) await vms.monitor.client(vmid).execute('quit', undefined, { timeoutMs: QUIT_MS }).catch(() => undefined);
  await killQemu(pid, { graceMs: QUIT_MS });
  vms.monitor.detach(vmid);
  await cleanupRunFiles(runPaths);
  ctx.log(`VM ${vmid} stopped`);
};

/** ACPI power button, then wait up to `timeout` s for the guest to power off; then stop (forceStop) or fail. */
export const shutdownBody = async (vms: VmService, vmid: number, ctx: TaskContext, timeout: number, forceStop: boolean): Promise<void> => {
  const runPaths = vmRunPaths(vms.options.paths, vmid);
  if ((await runningPid(runPaths)) === undefined) {
    ctx.log(`VM ${vmid} is not running`);
    return;
  }
  await vms.monitor.client(vmid).execute('system_powerdown');
  ctx.log(`sent the ACPI power button to VM ${vmid}; waiting up to ${timeout} s`);
  const deadline = Date.now() + timeout * 1000;
  while (Date.now() < deadline && !ctx.signal.aborted) {
    if ((await runningPid(runPaths)) === undefined) {
      vms.monitor.detach(vmid);
      await cleanupRunFiles(runPaths);
      ctx.log(`VM ${vmid} powered off`);
      return;
    }
    await waitTurn(200, ctx.signal);
  }
  if (!forceStop) throw new AppError('timeout', `VM ${vmid} did not power off within ${timeout} s — stop it, or shut it down again with a longer timeout`, { vmid });
  ctx.warn(`VM ${vmid} did not power off within ${timeout} s: stopping it`);
  await stopBody(vms, vmid, ctx);
};

/** A pause between polls of a process that has no event for "gone" we can wait on (it is not our child). */
const waitTurn = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

export const startVm = async (vms: VmService, vmid: number): Promise<{ upid: string }> => {
  const { conf } = await vms.store.read(vmid);
  VmService.checkNotTemplate(vmid, conf, 'be started');
  VmService.checkUnlocked(vmid, conf, 'start');
  if (vms.monitor.isRunning(vmid)) throw new AppError('already-exists', `VM ${vmid} is already running`, { vmid });
  return vms.runTask(vmid, 'qmstart', (ctx) => startBody(vms, vmid, ctx));
};

export const stopVm = async (vms: VmService, vmid: number): Promise<{ upid: string }> => {
  await vms.store.read(vmid);
  return vms.runTask(vmid, 'qmstop', (ctx) => stopBody(vms, vmid, ctx));
};

export const shutdownVm = async (vms: VmService, vmid: number, timeout: number, forceStop: boolean): Promise<{ upid: string }> => {
  await vms.store.read(vmid);
  if (!vms.monitor.isRunning(vmid)) throw new AppError('not-supported', `VM ${vmid} is not running`, { vmid });
  return vms.runTask(vmid, 'qmshutdown', (ctx) => shutdownBody(vms, vmid, ctx, timeout, forceStop));
};

export const rebootVm = async (vms: VmService, vmid: number, timeout: number): Promise<{ upid: string }> => {
  await vms.store.read(vmid);
  if (!vms.monitor.isRunning(vmid)) throw new AppError('not-supported', `VM ${vmid} is not running`, { vmid });
  return vms.runTask(vmid, 'qmreboot', async (ctx) => {
    await shutdownBody(vms, vmid, ctx, timeout, true);
    await startBody(vms, vmid, ctx);
  });
};

const QMP_ACTIONS = {
  reset: { type: 'qmreset', command: 'system_reset', needs: 'running', becomes: undefined },
  suspend: { type: 'qmsuspend', command: 'stop', needs: 'running', becomes: 'paused' },
  resume: { type: 'qmresume', command: 'cont', needs: 'paused', becomes: 'running' },
} as const;

/** How long a pause or resume waits for QEMU's event saying it happened. */
const STATE_EVENT_MS = 10_000;

export const qmpAction = async (vms: VmService, vmid: number, action: keyof typeof QMP_ACTIONS): Promise<{ upid: string }> => {
  await vms.store.read(vmid);
  const spec = QMP_ACTIONS[action];
  const state = vms.monitor.state(vmid);
  if (state === 'stopped') throw new AppError('not-supported', `VM ${vmid} is not running`, { vmid });
  if (spec.needs === 'paused' && state !== 'paused') throw new AppError('not-supported', `VM ${vmid} is not paused`, { vmid });
  return vms.runTask(vmid, spec.type, async (ctx) => {
    await vms.monitor.client(vmid).execute(spec.command);
    // The task ends when the VM is in its new state (QMP's STOP/RESUME event), so a status read after it agrees.
    const deadline = Date.now() + STATE_EVENT_MS;
    while (spec.becomes !== undefined && vms.monitor.state(vmid) !== spec.becomes) {
      if (Date.now() > deadline || ctx.signal.aborted) throw new AppError('timeout', `VM ${vmid} did not become ${spec.becomes} after ${spec.command}`, { vmid });
      await waitTurn(20, ctx.signal);
    }
    ctx.log(`VM ${vmid}: ${spec.command}`);
  });
};

/** QEMU's qcodes for the names a person types. */
const QCODE: Record<string, string> = { del: 'delete', esc: 'esc', enter: 'ret', return: 'ret', bksp: 'backspace', win: 'meta_l', super: 'meta_l' };

export const sendKey = async (vms: VmService, vmid: number, combo: string): Promise<void> => {
  await vms.store.read(vmid);
  const keys = combo.split('-').map((key) => ({ type: 'qcode', data: QCODE[key] ?? key }));
  await vms.monitor.client(vmid).execute('send-key', { keys });
};

export const destroyVm = async (vms: VmService, vmid: number, purge: boolean): Promise<{ upid: string }> => {
  const { conf } = await vms.store.read(vmid);
  const values = currentOf(conf).values;
  if (values.protection === '1') throw new AppError('access-denied', `VM ${vmid} is protected — remove its protection first`, { vmid });
  VmService.checkUnlocked(vmid, conf, 'be destroyed');
  if (vms.monitor.isRunning(vmid)) throw new AppError('not-supported', `VM ${vmid} is running — stop it first`, { vmid });
  return vms.runTask(vmid, 'qmdestroy', async (ctx) => {
    const { conf: now } = await vms.store.read(vmid);
    const call = storageCall(ctx);
    for (const volid of ownedVolumes(now, vmid)) {
      try {
        await vms.options.storage.free(volid, vmid, call);
        ctx.log(`removed ${volid}`);
      } catch (error) {
        const problem = AppError.from(error);
        if (problem.code === 'not-found') ctx.log(`${volid} was already gone`);
        else throw problem;
      }
    }
    await vms.store.remove(vmid);
    await cleanupRunFiles(vmRunPaths(vms.options.paths, vmid));
    if (purge) await rm(guestHistoryFile(vms.options.paths.data, vmid), { force: true });
    ctx.log(`VM ${vmid} destroyed`);
    await vms.publishStatus(vmid);
  });
};

