// A container's rootfs and mpN as form values and back (PVE's mount point property string: `local:subvol-101-
// disk-1,mp=/srv,backup=1,size=8G` for a storage volume, `/srv/share,mp=/share,ro=1` for a bind mount), the resize
// dialog's size (grow only), and per-field checks. Pure: the Resources tab's dialogs use it; the agent checks again.
import type { MessageKey } from '../../i18n/translate';
import { parseDrive } from '../vms/hardware-rows';

export type MountSource = 'volume' | 'bind';

/** PVE's mountoptions, in its order. */
export const mountOptionNames = ['noatime', 'nodev', 'noexec', 'nosuid', 'discard', 'lazytime'] as const;
export type MountOption = (typeof mountOptionNames)[number];

export interface MountValues {
  source: MountSource;
  /** The volume an existing mount point has (kept as it is); '' for a new one. */
  volume: string;
  /** A new volume: where it is allocated and its size (STORAGE:SIZE_GiB). */
  storage: string;
  sizeGiB: string;
  /** A bind mount's host directory. */
  hostPath: string;
  /** Where it appears inside the container (mp=); `/` for rootfs. */
  path: string;
  ro: boolean;
  /** Include the volume in backups (mpN of a storage volume only; rootfs always is). */
  backup: boolean;
  /** '' = the file system's default. */
  acl: '' | '1' | '0';
  quota: boolean;
  /** Replicate the volume (PVE's default: yes). */
  replicate: boolean;
  /** The bind source or volume is on storage every node sees (migration leaves it in place). */
  shared: boolean;
  mountoptions: readonly MountOption[];
  /** Options the form does not edit (size, idmap, keepattrs…), kept as they were. */
  other: Readonly<Record<string, string>>;
}

export type MountErrors = Partial<Record<'storage' | 'sizeGiB' | 'hostPath' | 'path', MessageKey>>;

export const newMount = (storage = ''): MountValues => ({
  source: 'volume',
  volume: '',
  storage,
  sizeGiB: '8',
  hostPath: '',
  path: '',
  ro: false,
  backup: true,
  acl: '',
  quota: false,
  replicate: true,
  shared: false,
  mountoptions: [],
  other: {},
});

const EDITED = new Set(['volume', 'mp', 'ro', 'backup', 'acl', 'quota', 'replicate', 'shared', 'mountoptions']);
const on = (value: string | undefined) => value === '1' || value === 'on' || value === 'yes' || value === 'true';

/** The volume (or host path) of a rootfs/mpN value and its options. */
export function splitMount(spec: string): { volume: string; options: Record<string, string> } {
  const { volume, options } = parseDrive(spec);
  return { volume: options.volume ?? volume, options };
}

export const isBindMount = (spec: string): boolean => splitMount(spec).volume.startsWith('/');

/** An existing rootfs or mpN as form values. */
export function mountValues(spec: string): MountValues {
  const { volume, options: o } = splitMount(spec);
  const other: Record<string, string> = {};
  for (const [key, value] of Object.entries(o)) if (!EDITED.has(key)) other[key] = value;
  const bind = volume.startsWith('/');
  return {
    ...newMount(),
    source: bind ? 'bind' : 'volume',
    volume,
    ...(bind ? { hostPath: volume } : {}),
    path: o.mp ?? '/',
    ro: on(o.ro),
    backup: on(o.backup),
    acl: o.acl === undefined ? '' : on(o.acl) ? '1' : '0',
    quota: on(o.quota),
    replicate: o.replicate === undefined || on(o.replicate),
    shared: on(o.shared),
    mountoptions: mountOptionNames.filter((name) => (o.mountoptions ?? '').split(';').includes(name)),
    other,
  };
}

/** What the container runtime owns: nothing is mounted over it, and the host's own is never bound in. */
const FORBIDDEN = ['/proc', '/sys', '/dev'];
/** Absolute and normalized, no spaces, and nothing that would break the property string (`,` `=` `;`). */
const pathProblem = (path: string): boolean =>
  !/^\/[^\s,=;]*$/.test(path) ||
  path === '/' ||
  path.endsWith('/') ||
  path.includes('//') ||
  path.split('/').some((part) => part === '.' || part === '..') ||
  FORBIDDEN.some((tree) => path === tree || path.startsWith(`${tree}/`));

const SIZE = /^\d+(\.\d+)?$/;
/** STORAGE:SIZE_GiB: a volume still to be allocated (create and set take it). */
const NEW_VOLUME = /^[A-Za-z][A-Za-z0-9._-]*:(\d+(?:\.\d+)?)$/;

/** `key`: rootfs or mpN — rootfs has no path of its own and is always a storage volume. */
export function validateMount(v: MountValues, key: string): MountErrors {
  const e: MountErrors = {};
  if (key !== 'rootfs' && pathProblem(v.path)) e.path = 'ct.mount.invalid.path';
  if (v.volume !== '') return e;
  if (v.source === 'bind') {
    if (pathProblem(v.hostPath)) e.hostPath = 'ct.mount.invalid.hostPath';
  } else {
    if (v.storage === '') e.storage = 'vmForm.invalid.required';
    if (!SIZE.test(v.sizeGiB) || Number(v.sizeGiB) <= 0 || Number(v.sizeGiB) > 131_072)
      e.sizeGiB = 'vmForm.invalid.diskSize';
  }
  return e;
}

/** Form values as the rootfs/mpN value: the volume (or STORAGE:SIZE_GiB, or the host path), mp=, then options sorted. */
export function mountSpec(v: MountValues, key: string): string {
  const head = v.volume !== '' ? v.volume : v.source === 'bind' ? v.hostPath : `${v.storage}:${Number(v.sizeGiB)}`;
  const bind = head.startsWith('/');
  const o: Record<string, string> = { ...v.other };
  if (v.ro) o.ro = '1';
  if (v.backup && !bind && key !== 'rootfs') o.backup = '1';
  if (v.acl !== '') o.acl = v.acl;
  if (v.quota) o.quota = '1';
  if (!v.replicate) o.replicate = '0';
  if (v.shared) o.shared = '1';
  if (v.mountoptions.length > 0) o.mountoptions = mountOptionNames.filter((m) => v.mountoptions.includes(m)).join(';');
  const tail = Object.keys(o)
    .sort()
    .map((name) => `${name}=${o[name]}`);
  return [head, ...(key === 'rootfs' ? [] : [`mp=${v.path}`]), ...tail].join(',');
}

const UNIT: Record<string, number> = { '': 1 / 1024 ** 3, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 };

/** A rootfs/mpN value whose volume is still to be allocated (STORAGE:SIZE_GiB, pending on a running container). */
export const isNewVolume = (spec: string): boolean => NEW_VOLUME.test(splitMount(spec).volume);

/** The size of a rootfs/mpN value in GiB (its size=, or N of a new volume's STORAGE:N), or undefined. */
export function mountSizeGiB(spec: string): number | undefined {
  const { volume, options } = splitMount(spec);
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(options.size ?? '');
  if (match !== null) return Number(match[1]) * (UNIT[match[2] ?? ''] ?? 1);
  const alloc = NEW_VOLUME.exec(volume);
  return alloc === null ? undefined : Number(alloc[1]);
}

export type ResizeMode = 'grow' | 'set';

/** The Resize dialog: grow by a number of GiB, or set the new size (never smaller than now). */
export interface ResizeValues {
  mode: ResizeMode;
  sizeGiB: string;
}

export function validateResize(v: ResizeValues, currentGiB: number | undefined): MessageKey | undefined {
  if (!SIZE.test(v.sizeGiB) || Number(v.sizeGiB) <= 0) return 'ct.resize.invalid.size';
  if (v.mode === 'set' && currentGiB !== undefined && Number(v.sizeGiB) <= currentGiB)
    return 'ct.resize.invalid.smaller';
  return undefined;
}

/** ct.resize's size: `+2G` to grow by, `16G` to grow to. */
export const resizeSize = (v: ResizeValues): string => `${v.mode === 'grow' ? '+' : ''}${Number(v.sizeGiB)}G`;
