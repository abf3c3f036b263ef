// The container config keys as data (PVE's pct.conf schema): for each key how to check a value, its canonical
// text and how a change reaches a running container (hotplug class) or waits in the pending section.
import {
  bool,
  canonicalBool,
  canonicalInt,
  canonicalProps,
  int,
  message,
  oneOf,
  pattern,
  props,
  startupProblem,
  text,
  type CheckContext,
  type GuestKeyDef,
} from '../../vm/config/key-checks';
import { ctNetIndexOf, formatCtNet, parseCtNet } from './ct-net';
import { formatMountPoint, mountPointIndexOf, parseMountPoint } from './mount-point';
import { absolutePathProblem } from './paths';
import { lxcKeyProblem } from './raw-lxc';

export type { CheckContext };

/**
 * How a change reaches a running container: 'immediate' for keys LXC never sees (hostname is written into the guest
 * at the next start), 'cgroup' written live into the container's cgroups, 'network' a veth replugged, 'mount' a new
 * mount point mounted into the running container; false: at the next start (pending).
 */
export type CtHotplugClass = 'immediate' | 'cgroup' | 'network' | 'mount' | false;

export type CtKeyDef = GuestKeyDef<CtHotplugClass>;

const list = (value: string) => value.split(/[;,\s]+/).filter((item) => item !== '');

export const CT_OS_TYPES = [
  'debian',
  'devuan',
  'ubuntu',
  'centos',
  'fedora',
  'opensuse',
  'archlinux',
  'alpine',
  'gentoo',
  'nixos',
  'unmanaged',
] as const;
export const CT_ARCHES = ['amd64', 'i386', 'arm64', 'armhf', 'riscv32', 'riscv64'] as const;
export const CT_LOCKS = [
  'backup',
  'create',
  'destroyed',
  'disk',
  'fstrim',
  'migrate',
  'mounted',
  'rollback',
  'snapshot',
  'snapshot-delete',
] as const;
export const CT_CONSOLE_MODES = ['shell', 'console', 'tty'] as const;

/** A DNS name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const TAG = /^[a-z0-9_][a-z0-9_+.-]*$/i;
const VOLID = /^[A-Za-z][A-Za-z0-9._-]*:[^,\s]+$/;
const TIMEZONE = /^(host|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*)$/;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const nameserverProblem = (value: string) =>
  list(value).every((ip) => /^[0-9A-Fa-f.:]+(%[A-Za-z0-9_.-]+)?$/.test(ip) && (ip.includes('.') || ip.includes(':')))
    ? undefined
    : 'must be IP addresses separated by spaces';
const searchdomainProblem = (value: string) =>
  list(value).every((d) => DNS_NAME.test(d)) ? undefined : 'must be domain names separated by spaces';
const tagsProblem = (value: string) =>
  list(value).every((t) => TAG.test(t)) ? undefined : 'must be tags of letters, digits, _ + . - separated by ;';
const devProblem = props(
  {
    path: (p) =>
      p.startsWith('/dev/') && absolutePathProblem(p) === undefined
        ? undefined
        : 'must be a normalized path under /dev/',
    mode: pattern(/^0[0-7]{3}$/, 'an octal mode such as 0660'),
    uid: int(0, 2 ** 32 - 2),
    gid: int(0, 2 ** 32 - 2),
    'deny-write': bool,
  },
  'path',
);
const featuresProblem = props({
  nesting: bool,
  fuse: bool,
  keyctl: bool,
  mknod: bool,
  force_rw_sys: bool,
  mount: (v) => (/^[a-zA-Z0-9_]+(;[a-zA-Z0-9_]+)*$/.test(v) ? undefined : 'must be file system types such as nfs;cifs'),
});

const FIXED: Record<string, CtKeyDef> = {
  hostname: { hotplug: 'immediate', check: pattern(DNS_NAME, 'a DNS name (letters, digits, inner - and .)') },
  ostype: { hotplug: false, check: oneOf(CT_OS_TYPES) },
  arch: { hotplug: false, check: oneOf(CT_ARCHES) },
  cores: { hotplug: 'cgroup', check: int(1, 8192), format: canonicalInt },
  cpulimit: {
    hotplug: 'cgroup',
    check: (v) => (/^\d+(\.\d+)?$/.test(v) && Number(v) <= 8192 ? undefined : 'must be a number of CPUs 0..8192'),
    format: (v) => String(Number(v)),
  },
  cpuunits: { hotplug: 'cgroup', check: int(0, 500_000), format: canonicalInt },
  memory: { hotplug: 'cgroup', check: int(16, 16 * 1024 * 1024), format: canonicalInt },
  swap: { hotplug: 'cgroup', check: int(0, 16 * 1024 * 1024), format: canonicalInt },
  rootfs: {
    hotplug: false,
    check: (value, context) => message(() => parseMountPoint('rootfs', value, context.forCreate)),
    format: (value, context) => formatMountPoint(parseMountPoint('rootfs', value, context.forCreate)),
  },
  nameserver: { hotplug: false, check: nameserverProblem, format: (v) => list(v).join(' ') },
  searchdomain: { hotplug: false, check: searchdomainProblem, format: (v) => list(v).join(' ') },
  unprivileged: { hotplug: false, check: bool, format: canonicalBool },
  features: { hotplug: false, check: featuresProblem, format: canonicalProps() },
  onboot: { hotplug: 'immediate', check: bool, format: canonicalBool },
  // Stored as given: PVE keeps the user's text of a pve-startup-order (`order=2,up=30` as well as `2,up=30`).
  startup: {
    hotplug: 'immediate',
    check: startupProblem,
  },
  tags: { hotplug: 'immediate', check: tagsProblem, format: (v) => list(v).join(';') },
  protection: { hotplug: 'immediate', check: bool, format: canonicalBool },
  description: { hotplug: 'immediate', check: text(8192) },
  template: { hotplug: false, check: bool, format: canonicalBool },
  lock: { hotplug: 'immediate', check: oneOf(CT_LOCKS), internal: true },
  hookscript: { hotplug: 'immediate', check: pattern(VOLID, 'a volume id (storage:snippets/file)') },
  timezone: {
    hotplug: false,
    check: (v) =>
      TIMEZONE.test(v) && !v.split('/').includes('..') ? undefined : 'must be host or a zone such as Europe/Vienna',
  },
  tty: { hotplug: false, check: int(0, 6), format: canonicalInt },
  console: { hotplug: false, check: bool, format: canonicalBool },
  cmode: { hotplug: false, check: oneOf(CT_CONSOLE_MODES) },
  entrypoint: {
    hotplug: false,
    check: (v) => (CONTROL_EXCEPT_TAB.test(v) ? 'must not contain control characters' : text(1024)(v)),
  },
  debug: { hotplug: false, check: bool, format: canonicalBool },
  parent: { hotplug: 'immediate', check: pattern(/^[a-zA-Z][a-zA-Z0-9_-]{1,39}$/, 'a snapshot name'), internal: true },
  snaptime: { hotplug: false, check: int(0, 2 ** 40), internal: true, snapshotOnly: true },
  snapstate: { hotplug: false, check: oneOf(['prepare', 'delete']), internal: true },
};

/** The definition of a key (families such as mp3, net1, dev0, unused2 and raw lxc.* keys included), or undefined. */
export const ctKeyDef = (key: string): CtKeyDef | undefined => {
  const fixed = Object.hasOwn(FIXED, key) ? FIXED[key] : undefined;
  if (fixed) return fixed;
  if (mountPointIndexOf(key) !== undefined)
    return {
      hotplug: 'mount',
      check: (value, context) => message(() => parseMountPoint(key, value, context.forCreate)),
      format: (value, context) => formatMountPoint(parseMountPoint(key, value, context.forCreate)),
    };
  if (ctNetIndexOf(key) !== undefined)
    return {
      hotplug: 'network',
      check: (value, context) =>
        message(() => {
          if (!parseCtNet(key, value).hwaddr && !context.forCreate) throw new Error('has no MAC address (hwaddr=)');
        }),
      format: (value) => formatCtNet(parseCtNet(key, value)),
    };
  const unused = /^unused(0|[1-9]\d{0,2})$/.exec(key);
  if (unused && Number(unused[1]) < 256)
    return { hotplug: 'immediate', check: pattern(VOLID, 'a volume id'), internal: true };
  const dev = /^dev(0|[1-9]\d{0,2})$/.exec(key);
  if (dev && Number(dev[1]) < 256) return { hotplug: false, check: devProblem, format: canonicalProps('path') };
  if (key.startsWith('lxc.') && lxcKeyProblem(key) !== 'unknown')
    return {
      hotplug: false,
      check: (value) => lxcKeyProblem(key) ?? (CONTROL_EXCEPT_TAB.test(value) ? 'must be one line' : undefined),
      unsafe: true,
    };
  return undefined;
};

/** PVE's canonical text for a valid value (unknown or free-text keys: as given). */
export const formatCtValue = (key: string, value: string, context: CheckContext = { forCreate: false }): string =>
  ctKeyDef(key)?.format?.(value, context) ?? value;

export const ctHotplugClassOf = (key: string): CtHotplugClass => ctKeyDef(key)?.hotplug ?? false;
