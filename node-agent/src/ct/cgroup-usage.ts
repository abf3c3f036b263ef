// Where a running container's cgroup is and what its counters say: CPU time, memory and swap as PVE counts them
// (usage minus page cache), bytes read and written. cgroup v1 (one hierarchy per controller) and v2 (one tree);
// on a hybrid node the v1 controllers win, as the v2 tree then carries none of them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CgroupMount {
  /** The path inside the hierarchy this mount shows (/ unless a subtree was bind-mounted). */
  root: string;
  mountPoint: string;
}

export interface CgroupMounts {
  /** v1 hierarchies by controller (cpu, cpuacct, memory, blkio…). */
  v1: Map<string, CgroupMount>;
  v2?: CgroupMount;
}

/** /proc/self/mountinfo's mountinfo escapes spaces and the like as octal (\040). */
const unescapeMountPath = (path: string): string => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** The cgroup file systems in /proc/self/mountinfo; a later mount on the same point hides an earlier one. */
export const parseCgroupMounts = (mountinfo: string): CgroupMounts => {
  const mounts: CgroupMounts = { v1: new Map() };
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (before === undefined || after === undefined) continue;
    const fields = before.split(' ');
    const [type, , superOptions] = after.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    const mount = { root: unescapeMountPath(root), mountPoint: unescapeMountPath(mountPoint) };
    if (type === 'cgroup2') mounts.v2 = mount;
    else if (type === 'cgroup') for (const option of (superOptions ?? '').split(',')) if (/^[a-z_]+$/.test(option) && option !== 'rw' && option !== 'ro') mounts.v1.set(option, mount);
  }
  return mounts;
};

export interface ProcCgroup {
  /** v1 controller → path in its hierarchy. */
  v1: Map<string, string>;
  /** The v2 path (the `0::` line). */
  v2?: string;
}

/** /proc/<pid>/cgroup: `N:controller,controller:path` for v1, `0::path` for v2. */
export const parseProcCgroup = (text: string): ProcCgroup => {
  const result: ProcCgroup = { v1: new Map() };
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers = '', path = '/'] = match;
    if (id === '0' && controllers === '') result.v2 = path;
    else for (const controller of controllers.split(',')) if (controller !== '') result.v1.set(controller, path);
  }
  return result;
};

/**
 * The container's own cgroup from the path its init is in: LXC makes `lxc/<ctid>` (or `lxc/<ctid>-N` when that was
 * taken) or `lxc.payload.<ctid>`, and an init such as systemd moves itself further down (init.scope), whose counters
 * would miss the rest of the container. The outermost match is ours (a nested container may be called the same).
 */
export const containerCgroupPath = (path: string, ctid: number): string => {
  const words = path.split('/');
  const own = new RegExp(`^${ctid}(-\\d+)?$`);
  const at = words.findIndex((word, i) => word === `lxc.payload.${ctid}` || (own.test(word) && words[i - 1] === 'lxc'));
  return at === -1 ? path : words.slice(0, at + 1).join('/') || '/';
};

/** Where the container's counters are read: a folder per v1 controller, or its one v2 folder. */
export type CgroupLayout = { version: 1; cpuacct?: string; memory?: string; blkio?: string } | { version: 2; dir: string };

const folderOf = (mount: CgroupMount | undefined, path: string): string | undefined => {
  if (mount === undefined) return undefined;
  const root = mount.root.replace(/\/+$/, '');
  if (root !== '' && path !== root && !path.startsWith(`${root}/`)) return undefined;
  return join(mount.mountPoint, path.slice(root.length));
};

/** The container's cgroup folders, from the node's mounts and its init's /proc/<pid>/cgroup; undefined if unreachable. */
export const cgroupLayout = (mounts: CgroupMounts, init: ProcCgroup, ctid: number): CgroupLayout | undefined => {
  const v1 = (controller: string): string | undefined => {
    const path = init.v1.get(controller);
    return path === undefined ? undefined : folderOf(mounts.v1.get(controller), containerCgroupPath(path, ctid));
  };
  const cpuacct = v1('cpuacct');
  const memory = v1('memory');
  const blkio = v1('blkio');
  if (cpuacct !== undefined || memory !== undefined)
    return { version: 1, ...(cpuacct === undefined ? {} : { cpuacct }), ...(memory === undefined ? {} : { memory }), ...(blkio === undefined ? {} : { blkio }) };
  if (init.v2 === undefined) return undefined;
  const dir = folderOf(mounts.v2, containerCgroupPath(init.v2, ctid));
  return dir === undefined ? undefined : { version: 2, dir };
};

/** `key value` lines (memory.stat, cpu.stat) as a map; lines that are not are skipped. */
export const parseFlatKeyed = (text: string): Map<string, number> => {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value, extra] = line.trim().split(/\s+/);
    if (key === undefined || value === undefined || extra !== undefined || key === '') continue;
    const number = Number(value);
    if (Number.isFinite(number)) values.set(key, number);
  }
  return values;
};

/** v1 blkio.throttle.io_service_bytes(_recursive): `MAJ:MIN Read N` … per device, and a Total line. */
export const parseBlkioServiceBytes = (text: string): { read: number; write: number } => {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const [device, op, value] = line.trim().split(/\s+/);
    if (device === undefined || !/^\d+:\d+$/.test(device)) continue;
    const bytes = Number(value);
    if (!Number.isFinite(bytes)) continue;
    if (op === 'Read') read += bytes;
    else if (op === 'Write') write += bytes;
  }
  return { read, write };
};

/** v2 io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N …` per device. */
export const parseIoStat = (text: string): { read: number; write: number } => {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    if (device === undefined || !/^\d+:\d+$/.test(device)) continue;
    for (const pair of pairs) {
      const [key, value] = pair.split('=');
      const bytes = Number(value);
      if (!Number.isFinite(bytes)) continue;
      if (key === 'rbytes') read += bytes;
      else if (key === 'wbytes') write += bytes;
    }
  }
  return { read, write };
};

/** A container's cumulative counters at one instant. */
export interface CgroupCounters {
  /** CPU time used, ns. */
  cpuNs: number;
  /** Memory in use without page cache (PVE's mem), bytes. */
  mem: number;
  swap: number;
  /** Bytes read from and written to block devices. */
  read: number;
  write: number;
}

/** A file's content; a file that is missing (controller absent, container gone) reads as undefined. */
const readText = (path: string | undefined): Promise<string | undefined> =>
  path === undefined ? Promise.resolve(undefined) : readFile(path, 'utf8').catch(() => undefined);

const numberIn = (text: string | undefined): number | undefined => {
  const value = Number(text?.trim());
  return text === undefined || !Number.isFinite(value) ? undefined : value;
};

const at = (dir: string | undefined, file: string): string | undefined => (dir === undefined ? undefined : join(dir, file));

/** Memory and swap only: what a status between samples needs. */
export const readCgroupMemory = async (layout: CgroupLayout): Promise<Pick<CgroupCounters, 'mem' | 'swap'>> => {
  if (layout.version === 1) {
    const [usage, memsw, stat] = await Promise.all(
      ['memory.usage_in_bytes', 'memory.memsw.usage_in_bytes', 'memory.stat'].map((file) => readText(at(layout.memory, file))),
    );
    const used = numberIn(usage) ?? 0;
    const cache = parseFlatKeyed(stat ?? '').get('total_cache') ?? 0;
    const withSwap = numberIn(memsw);
    return { mem: Math.max(0, used - cache), swap: withSwap === undefined ? 0 : Math.max(0, withSwap - used) };
  }
  const [current, swap, stat] = await Promise.all(['memory.current', 'memory.swap.current', 'memory.stat'].map((file) => readText(join(layout.dir, file))));
  const file = parseFlatKeyed(stat ?? '').get('file') ?? 0;
  return { mem: Math.max(0, (numberIn(current) ?? 0) - file), swap: numberIn(swap) ?? 0 };
};

/** Every counter; a controller the node lacks counts 0. */
export const readCgroupCounters = async (layout: CgroupLayout): Promise<CgroupCounters> => {
  if (layout.version === 1) {
    const [cpu, io, memory] = await Promise.all([
      readText(at(layout.cpuacct, 'cpuacct.usage')),
      readText(at(layout.blkio, 'blkio.throttle.io_service_bytes_recursive')),
      readCgroupMemory(layout),
    ]);
    return { cpuNs: numberIn(cpu) ?? 0, ...memory, ...parseBlkioServiceBytes(io ?? '') };
  }
  const [cpu, io, memory] = await Promise.all([readText(join(layout.dir, 'cpu.stat')), readText(join(layout.dir, 'io.stat')), readCgroupMemory(layout)]);
  return { cpuNs: (parseFlatKeyed(cpu ?? '').get('usage_usec') ?? 0) * 1000, ...memory, ...parseIoStat(io ?? '') };
};
