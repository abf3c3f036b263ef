// rootfs and mpN (`local-lvm:vm-100-disk-1,mp=/srv/data,backup=1,size=8G`, `/srv/share,mp=/share,ro=1`): PVE's
// mount point property string typed, with the three kinds PVE tells apart (storage volume, host bind path, /dev
// device) and the "new volume" shorthand STORAGE:SIZE_GiB that only create/set accept.
import { parseVolid } from '../../storage/volume-name';
import { BOOL, SIZE, formatPropertyString, isTrue, parsePropertyString } from '../../vm/config/property-string';
import { bindSourceProblem, mountTargetProblem } from './paths';

export const MAX_MOUNT_POINTS = 256;
export type MountKind = 'volume' | 'bind' | 'device';

export interface CtMountPoint {
  /** `rootfs` or `mpN`. */
  readonly key: string;
  /** N of mpN; -1 for rootfs. */
  readonly index: number;
  /** A volid, a host path (bind) or STORAGE:SIZE for a new volume. */
  readonly volume: string;
  readonly kind: MountKind;
  /** Where it is mounted inside the container: `/` for rootfs. */
  readonly mp: string;
  readonly size?: string;
  readonly ro: boolean;
  /** undefined: the file system's default. */
  readonly acl?: boolean;
  readonly quota: boolean;
  /** Only storage volumes are backed up, and mpN only with backup=1 (rootfs always). */
  readonly backup: boolean;
  readonly replicate: boolean;
  readonly shared: boolean;
  /** discard, lazytime, noatime, nodev, noexec, nosuid. */
  readonly mountoptions: readonly string[];
  /** A new volume to allocate (STORAGE:SIZE_GiB; 0 = a directory on a directory storage). */
  readonly alloc?: { readonly storage: string; readonly sizeGiB: number };
  /** Every option as written, volume excluded: formatMountPoint's source. */
  readonly options: Readonly<Record<string, string>>;
}

const NEW_VOLUME = /^([A-Za-z][A-Za-z0-9._-]*):(\d+(?:\.\d+)?)$/;
const MOUNT_OPTION = /^(discard|lazytime|noatime|nodev|noexec|nosuid)$/;
const IDMAP = /^(passthrough|[ug]:\d+:\d+:[1-9]\d*(;[ug]:\d+:\d+:[1-9]\d*)*)$/;
const FLAGS = ['acl', 'ro', 'quota', 'replicate', 'shared', 'backup', 'keepattrs'];
const ROOTFS_OPTIONS = ['volume', 'size', 'acl', 'mountoptions', 'idmap', 'ro', 'quota', 'replicate', 'shared'];
const MP_OPTIONS = [...ROOTFS_OPTIONS, 'backup', 'mp', 'keepattrs'];

/** N of `mpN` (0..255), or undefined. */
export const mountPointIndexOf = (key: string): number | undefined => {
  const match = /^mp(0|[1-9]\d{0,2})$/.exec(key);
  return match && Number(match[1]) < MAX_MOUNT_POINTS ? Number(match[1]) : undefined;
};

export const isMountKey = (key: string): boolean => key === 'rootfs' || mountPointIndexOf(key) !== undefined;

/** PVE's classify_mountpoint: a path under /dev is a device, another path a bind mount, anything else a volume. */
export const mountKindOf = (volume: string): MountKind =>
  volume.startsWith('/dev/') ? 'device' : volume.startsWith('/') ? 'bind' : 'volume';

const volumeProblem = (volume: string, key: string, forCreate: boolean): string | undefined => {
  const kind = mountKindOf(volume);
  if (kind === 'device') return `"${volume}": device mount points are not supported (use a storage volume)`;
  if (kind === 'bind') return key === 'rootfs' ? 'rootfs must be a storage volume' : bindSourceProblem(volume);
  if (NEW_VOLUME.test(volume))
    return forCreate ? undefined : `"${volume}" allocates a new volume, which only create and set accept`;
  if (/\s/.test(volume)) return `"${volume}" is not a volume id (storage:volname)`;
  try {
    parseVolid(volume);
    return undefined;
  } catch {
    return `"${volume}" is not a volume id (storage:volname) or STORAGE:SIZE_GiB`;
  }
};

const optionProblem = (name: string, value: string): string | undefined => {
  if (FLAGS.includes(name)) return BOOL.test(value) ? undefined : `"${name}" must be 0 or 1`;
  if (name === 'size') return SIZE.test(value) ? undefined : '"size" must be a size such as 8G';
  if (name === 'mountoptions')
    return value.split(';').every((o) => MOUNT_OPTION.test(o))
      ? undefined
      : '"mountoptions" must be discard, lazytime, noatime, nodev, noexec or nosuid, separated by ;';
  if (name === 'idmap') return IDMAP.test(value) ? undefined : '"idmap" must be passthrough or u|g:ct:disk:count;…';
  if (name === 'mp') return mountTargetProblem(value);
  return undefined;
};

/** Parses rootfs or mpN; throws a message naming the option (not the key). `forCreate` allows STORAGE:SIZE. */
export const parseMountPoint = (key: string, value: string, forCreate = false): CtMountPoint => {
  const index = key === 'rootfs' ? -1 : mountPointIndexOf(key);
  if (index === undefined) throw new Error('is not a mount point key');
  const allowed = key === 'rootfs' ? ROOTFS_OPTIONS : MP_OPTIONS;
  const options: Record<string, string> = {};
  let volume: string | undefined;
  for (const [name, v] of parsePropertyString(value, 'volume')) {
    if (!allowed.includes(name)) throw new Error(`unknown option "${name}"`);
    const problem = optionProblem(name, v);
    if (problem !== undefined) throw new Error(problem);
    if (name === 'volume') volume = v;
    else Object.defineProperty(options, name, { value: v, enumerable: true });
  }
  if (volume === undefined || volume === '') throw new Error('needs a volume');
  const problem = volumeProblem(volume, key, forCreate);
  if (problem !== undefined) throw new Error(problem);
  if (key !== 'rootfs' && options.mp === undefined) throw new Error('"mp" (the path inside the container) is required');
  const kind = mountKindOf(volume);
  const alloc = NEW_VOLUME.exec(volume);
  return {
    key,
    index,
    volume,
    kind,
    mp: key === 'rootfs' ? '/' : (options.mp ?? ''),
    ro: isTrue(options.ro),
    quota: isTrue(options.quota),
    backup: kind === 'volume' && (key === 'rootfs' || isTrue(options.backup)),
    replicate: options.replicate === undefined || isTrue(options.replicate),
    shared: isTrue(options.shared),
    mountoptions: options.mountoptions?.split(';') ?? [],
    options,
    ...(options.size !== undefined && { size: options.size }),
    ...(options.acl !== undefined && { acl: isTrue(options.acl) }),
    ...(alloc && { alloc: { storage: alloc[1] ?? '', sizeGiB: Number(alloc[2]) } }),
  };
};

/** PVE's canonical text: the volume, then `mp=` (required, so printed first), then the other options sorted. */
export const formatMountPoint = (mount: Pick<CtMountPoint, 'volume' | 'options'>): string => {
  const { mp, ...rest } = mount.options;
  const tail = formatPropertyString(rest);
  return [mount.volume, ...(mp === undefined ? [] : [`mp=${mp}`]), ...(tail === '' ? [] : [tail])].join(',');
};
