// A container section's flat values as one typed object: what the LXC compiler and the agent's logic read instead
// of re-parsing strings. Defaults are PVE's (amd64, 512 MiB memory and swap, tty 2, console on, cmode tty).
import { AppError } from '../../api/errors';
import { isTrue } from '../../vm/config/property-string';
import type { ConfigValues } from '../../vm/config/validate';
import { valueReader } from '../../vm/config/value-reader';
import { CT_CONSOLE_MODES } from './ct-keys';
import { ctNetIndexOf, parseCtNet, type CtNet } from './ct-net';
import { mountPointIndexOf, parseMountPoint, type CtMountPoint } from './mount-point';
import { lxcEntriesOf, type LxcEntry } from './raw-lxc';

export interface CtFeatures {
  readonly nesting: boolean;
  readonly fuse: boolean;
  readonly keyctl: boolean;
  readonly mknod: boolean;
  readonly forceRwSys: boolean;
  /** File system types the container may mount (nfs, cifs…). */
  readonly mount: readonly string[];
}

export interface CtDevice {
  readonly key: string;
  readonly path: string;
  readonly mode?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly denyWrite: boolean;
}

export interface CtConfig {
  readonly hostname?: string;
  readonly ostype: string;
  readonly arch: string;
  /** CPUs the container may use (a cpuset); undefined: all of the node's. */
  readonly cores?: number;
  /** CPU time limit in CPUs; 0 = none. */
  readonly cpulimit: number;
  readonly cpuunits?: number;
  /** MiB. */
  readonly memory: number;
  /** MiB. */
  readonly swap: number;
  readonly rootfs: CtMountPoint;
  /** mpN in key order. */
  readonly mountPoints: readonly CtMountPoint[];
  readonly nets: readonly CtNet[];
  readonly nameservers: readonly string[];
  readonly searchdomains: readonly string[];
  readonly unprivileged: boolean;
  readonly features: CtFeatures;
  readonly devices: readonly CtDevice[];
  readonly onboot: boolean;
  readonly startup: { readonly order?: number; readonly up?: number; readonly down?: number };
  readonly tags: readonly string[];
  readonly protection: boolean;
  readonly template: boolean;
  readonly lock?: string;
  readonly hookscript?: string;
  readonly timezone?: string;
  /** Number of /dev/ttyN (0-6). */
  readonly tty: number;
  /** Whether /dev/console is attached. */
  readonly console: boolean;
  readonly cmode: (typeof CT_CONSOLE_MODES)[number];
  readonly entrypoint?: string;
  readonly debug: boolean;
  /** Raw lxc.* lines in written order. */
  readonly lxc: readonly LxcEntry[];
  /** The values this was made from. */
  readonly values: Readonly<Record<string, string>>;
}

/** The typed view of validated values; throws AppError invalid-params naming the key for a value it cannot read. */
export const typedCtConfig = (input: ConfigValues, lxc: readonly LxcEntry[] = []): CtConfig => {
  const { values, read, options } = valueReader(input);
  const number = (key: string): number | undefined => (values[key] === undefined ? undefined : Number(values[key]));
  const words = (key: string) => (values[key] ?? '').split(/[;,\s]+/).filter((w) => w !== '');
  if (values.rootfs === undefined)
    throw new AppError('invalid-params', "rootfs: is required (the container's root file system)", { key: 'rootfs' });
  const mountPoints: CtMountPoint[] = [];
  const nets: CtNet[] = [];
  const devices: CtDevice[] = [];
  for (const key of Object.keys(values)) {
    if (mountPointIndexOf(key) !== undefined) mountPoints.push(read(key, (v) => parseMountPoint(key, v)));
    if (ctNetIndexOf(key) !== undefined) nets.push(read(key, (v) => parseCtNet(key, v)));
    if (/^dev\d+$/.test(key)) {
      const dev = options(key, 'path');
      devices.push({
        key,
        path: dev.path ?? '',
        denyWrite: isTrue(dev['deny-write']),
        ...(dev.mode !== undefined && { mode: dev.mode }),
        ...(dev.uid !== undefined && { uid: Number(dev.uid) }),
        ...(dev.gid !== undefined && { gid: Number(dev.gid) }),
      });
    }
  }
  mountPoints.sort((a, b) => a.index - b.index);
  nets.sort((a, b) => a.index - b.index);
  devices.sort((a, b) => Number(a.key.slice(3)) - Number(b.key.slice(3)));
  const features = options('features');
  const startup = options('startup', 'order');
  const cmode = (CT_CONSOLE_MODES as readonly string[]).includes(values.cmode ?? '') ? values.cmode : 'tty';
  return {
    ostype: values.ostype ?? 'unmanaged',
    arch: values.arch ?? 'amd64',
    cpulimit: number('cpulimit') ?? 0,
    memory: number('memory') ?? 512,
    swap: number('swap') ?? 512,
    rootfs: read('rootfs', (v) => parseMountPoint('rootfs', v)),
    mountPoints,
    nets,
    nameservers: words('nameserver'),
    searchdomains: words('searchdomain'),
    unprivileged: isTrue(values.unprivileged),
    features: {
      nesting: isTrue(features.nesting),
      fuse: isTrue(features.fuse),
      keyctl: isTrue(features.keyctl),
      mknod: isTrue(features.mknod),
      forceRwSys: isTrue(features.force_rw_sys),
      mount: (features.mount ?? '').split(';').filter((m) => m !== ''),
    },
    devices,
    onboot: isTrue(values.onboot),
    startup: {
      ...(startup.order !== undefined && { order: Number(startup.order) }),
      ...(startup.up !== undefined && { up: Number(startup.up) }),
      ...(startup.down !== undefined && { down: Number(startup.down) }),
    },
    tags: words('tags'),
    protection: isTrue(values.protection),
    template: isTrue(values.template),
    tty: number('tty') ?? 2,
    console: values.console === undefined || isTrue(values.console),
    cmode: cmode as CtConfig['cmode'],
    debug: isTrue(values.debug),
    lxc: lxcEntriesOf(values, lxc),
    values,
    ...(values.hostname !== undefined && { hostname: values.hostname }),
    ...(values.cores !== undefined && { cores: Number(values.cores) }),
    ...(values.cpuunits !== undefined && { cpuunits: Number(values.cpuunits) }),
    ...(values.lock !== undefined && { lock: values.lock }),
    ...(values.hookscript !== undefined && { hookscript: values.hookscript }),
    ...(values.timezone !== undefined && { timezone: values.timezone }),
    ...(values.entrypoint !== undefined && { entrypoint: values.entrypoint }),
  };
};
