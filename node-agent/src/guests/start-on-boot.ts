// PVE's startall at node boot (pve-guests.service): once per boot, the guests of this node with `onboot: 1` are
// started in their `startup` order — ascending `order`, guests without one last, then by VMID — each start awaited,
// then `up` seconds given before the next. The boot is told by the kernel's boot id, remembered under the data dir,
// so restarting the agent does not start guests a person stopped on purpose.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../api/errors';
import type { TaskInfo } from '../api/task';
import { writeFileAtomic } from '../fs/atomic-file';
import { currentOf, parseVmConf } from '../vm/config/conf-document';
import { guestConfigPath, listGuests, type GuestRef } from './guest-configs';

export interface BootGuest {
  readonly ref: GuestRef;
  readonly order?: number;
  /** Seconds to wait after this guest started before the next one. */
  readonly up?: number;
}

/** A pve-startup-order: `order=N,up=N,down=N`, or `N,…` with the order first. */
export const parseStartup = (text: string | undefined): { order?: number; up?: number; down?: number } => {
  const parsed: { order?: number; up?: number; down?: number } = {};
  for (const [index, part] of (text ?? '').split(',').entries()) {
    const [name, value] = part.includes('=') ? part.split('=', 2) : [index === 0 ? 'order' : '', part];
    if ((name === 'order' || name === 'up' || name === 'down') && /^\d+$/.test(value ?? '')) parsed[name] = Number(value);
  }
  return parsed;
};

/** The start sequence: onboot guests by order (none last), then VMID. */
export const bootSequence = (guests: readonly (BootGuest & { onboot: boolean })[]): BootGuest[] =>
  guests
    .filter((guest) => guest.onboot)
    .sort((a, b) => (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER) || a.ref.vmid - b.ref.vmid)
    .map(({ ref, order, up }) => ({ ref, ...(order === undefined ? {} : { order }), ...(up === undefined ? {} : { up }) }));

export interface StartOnBootOptions {
  readonly configDir: string;
  readonly dataDir: string;
  readonly node: string;
  readonly start: (ref: GuestRef) => Promise<{ upid: string }>;
  readonly whenStopped: (upid: string) => Promise<TaskInfo>;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** The kernel's boot id; a test passes its own. */
  readonly bootIdFile?: string;
}

const delay = (seconds: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** This node's guests as the boot sequence sees them. */
const nodeGuests = async (configDir: string, node: string) => {
  const guests = (await listGuests(configDir)).filter((ref) => ref.node === node);
  return Promise.all(
    guests.map(async (ref) => {
      const text = await readFile(guestConfigPath(configDir, node, ref.kind, ref.vmid), 'utf8').catch(() => '');
      const values = currentOf(parseVmConf(text)).values;
      const { order, up } = parseStartup(values.startup);
      return { ref, onboot: values.onboot === '1' && values.template !== '1', ...(order === undefined ? {} : { order }), ...(up === undefined ? {} : { up }) };
    }),
  );
};

/** Start the onboot guests if this is the first run since the node booted; returns the guests started. */
export const startOnBoot = async (options: StartOnBootOptions): Promise<GuestRef[]> => {
  const bootId = (await readFile(options.bootIdFile ?? '/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  const seenFile = join(options.dataDir, 'boot-id');
  if ((await readFile(seenFile, 'utf8').catch(() => '')).trim() === bootId) return [];
  await writeFileAtomic(seenFile, `${bootId}\n`, 0o644, 0o755);
  const started: GuestRef[] = [];
  for (const guest of bootSequence(await nodeGuests(options.configDir, options.node))) {
    if (options.signal.aborted) break;
    const name = `${guest.ref.kind === 'qemu' ? 'VM' : 'CT'} ${guest.ref.vmid}`;
    try {
      const task = await options.whenStopped((await options.start(guest.ref)).upid);
      if (task.exitstatus !== 'OK') throw new AppError('command-failed', `its start task ended ${task.exitstatus ?? 'unknown'}`);
      options.log(`start on boot: ${name} started`);
      started.push(guest.ref);
    } catch (error) {
      options.log(`start on boot: ${name} did not start: ${AppError.from(error).message}`);
    }
    if (guest.up !== undefined) await delay(guest.up, options.signal);
  }
  return started;
};
