// Which accelerator QEMU gets on this node: KVM when /dev/kvm is usable and QEMU can initialise it, TCG (full
// emulation, slower) otherwise, always with the reason so the UI can say why a VM runs slowly. HYPERDESK_QEMU_ACCEL
// overrides the probe (a host where KVM is present but misbehaves can be pinned to TCG).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { AppError } from '../api/errors';
import { run } from '../exec/run';

export type AcceleratorName = 'kvm' | 'tcg';

export interface AcceleratorChoice {
  accel: AcceleratorName;
  /** Why: the override, or what the probe found ("/dev/kvm: permission denied", "KVM works"). */
  reason: string;
}

export interface DetectOptions {
  env?: NodeJS.ProcessEnv;
  /** The KVM device to open (tests point it elsewhere). */
  kvmDevice?: string;
  /** The QEMU binary to probe. */
  qemu?: string;
}

export const ACCEL_ENV = 'HYPERDESK_QEMU_ACCEL';
const PROBE_MS = 15_000;

const deviceProblem = (device: string, error: NodeJS.ErrnoException): string => {
  if (error.code === 'ENOENT')
    return `${device} does not exist (no KVM module loaded, or no hardware/nested virtualization)`;
  if (error.code === 'EACCES' || error.code === 'EPERM') return `${device}: permission denied`;
  return `${device}: ${error.message}`;
};

/** QMP lines the probe feeds QEMU on stdin: it answers query-kvm, then quits. */
const PROBE_INPUT = ['{"execute":"qmp_capabilities"}', '{"execute":"query-kvm"}', '{"execute":"quit"}', ''].join('\n');

/** Whether QEMU's answer to query-kvm (among the probe's QMP output lines) says KVM is enabled. */
export const probeSaysKvmEnabled = (stdout: string): boolean =>
  stdout.split('\n').some((line) => {
    try {
      const message = JSON.parse(line) as { return?: { enabled?: unknown; present?: unknown } };
      return message.return?.enabled === true && message.return.present === true;
    } catch {
      return false;
    }
  });

const probe = async (kvmDevice: string, qemu: string): Promise<AcceleratorChoice> => {
  try {
    const handle = await open(kvmDevice, constants.O_RDWR);
    await handle.close();
  } catch (error) {
    return { accel: 'tcg', reason: deviceProblem(kvmDevice, error as NodeJS.ErrnoException) };
  }
  const args = ['-accel', 'kvm', '-machine', 'none', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio'];
  try {
    const result = await run(qemu, args, { input: PROBE_INPUT, timeoutMs: PROBE_MS });
    if (result.code === 0 && probeSaysKvmEnabled(result.stdout))
      return { accel: 'kvm', reason: `${kvmDevice} is usable and QEMU initialised KVM` };
    const why = result.stderr.trim().split('\n').at(-1) ?? `exit code ${result.code}`;
    return { accel: 'tcg', reason: `QEMU could not initialise KVM: ${why || `exit code ${result.code}`}` };
  } catch (error) {
    return { accel: 'tcg', reason: `the KVM probe failed: ${AppError.from(error).message}` };
  }
};

/** One probe per device and binary for the life of the process: the answer does not change while we run. */
const cache = new Map<string, Promise<AcceleratorChoice>>();

export const detectAccelerator = async (options: DetectOptions = {}): Promise<AcceleratorChoice> => {
  const { env = process.env, kvmDevice = '/dev/kvm', qemu = 'qemu-system-x86_64' } = options;
  const wanted = (env[ACCEL_ENV] ?? '').trim().toLowerCase();
  if (wanted === 'kvm' || wanted === 'tcg') return { accel: wanted, reason: `${ACCEL_ENV}=${wanted}` };
  if (wanted !== '' && wanted !== 'auto')
    throw new AppError('invalid-params', `${ACCEL_ENV} must be kvm, tcg or auto, not "${wanted}"`);
  const key = `${kvmDevice}\0${qemu}`;
  let choice = cache.get(key);
  if (choice === undefined) {
    choice = probe(kvmDevice, qemu);
    cache.set(key, choice);
  }
  return choice;
};
