// Compiles a container's typed config into the LXC 5 config that lxc-start reads (/var/lib/lxc/<ctid>/config), the
// way pve-container's update_lxc_config does: pure (no files read, no processes), so it is snapshot-tested and
// shown by --dry-run. The caller resolves volumes and bind sources, picks the cpuset, writes the seccomp rules and
// applies what the config cannot hold after start (netPlumbing: VLAN tag, firewall bridge, rate).
//
// Raw volumes (an ext4 image or block device) are mounted as PVE's lxc-pve-prestart-hook does, by a pre-start hook
// in the monitor's own mount namespace (lxc.monitor.unshare, made a slave of the host's by LXC): the hook runs as
// real root before the container's user namespace exists, so an unprivileged container's ext4 mounts too (LXC's own
// loop: backend and block-device mount entries mount inside that namespace, where ext4 is refused). The rootfs is
// mounted on <lxcDir>/rootfs, each mount point on <lxcDir>/mounts/<mpN> and bind-mounted from there. Nothing reaches
// the host: when the monitor exits (stop, poweroff inside, a failed start) its namespace goes, the file systems are
// unmounted and `mount -o loop`'s autoclear loop devices detach. A reboot runs the hooks again, so a post-stop hook
// unmounts first. Hooks are one shell line each for LXC: words are quoted (shellQuote), hook version 1 appends no
// arguments, and the node's `mount`/`umount` do the work (no agent code runs inside LXC's start).
import { AppError } from '../api/errors';
import { shellQuote } from '../daemon/install';
import { hostNicSettings } from '../guests/nic-plumbing';
import { checkBindSource } from './config/paths';
import { hasLxcEntry } from './config/raw-lxc';
import type { CtMountPoint } from './config/mount-point';
import type { CtConfig } from './config/typed';

export type CgroupVersion = 1 | 2;

/**
 * What a volume resolved to: a directory is bind-mounted; with `fstype` it is a raw volume holding that file system,
 * an image file (`loop`) or a block device, mounted by a pre-start hook.
 */
export interface LxcMountSource {
  readonly path: string;
  readonly fstype?: string;
  readonly loop?: boolean;
}

export interface IdRange {
  readonly base: number;
  readonly count: number;
}

export interface LxcCompileEnv {
  readonly ctid: number;
  /** The node's cgroup layout for controllers: 1 (v1 or hybrid) writes lxc.cgroup.*, 2 writes lxc.cgroup2.*. */
  readonly cgroupVersion: CgroupVersion;
  /** The container's LXC folder (<lxcpath>/<ctid>): raw volumes are mounted below it. */
  readonly lxcDir: string;
  /** The rootfs volume resolved: a directory is the rootfs itself, a raw volume is mounted on <lxcDir>/rootfs. */
  readonly rootfs: LxcMountSource;
  /** mpN → its resolved source. Storage volumes need one; a bind mount defaults to its own (checked) path. */
  readonly mounts?: Readonly<Record<string, LxcMountSource>>;
  /** devN → the device node's type and numbers (stat at start). */
  readonly devices?: Readonly<
    Record<string, { readonly type: 'c' | 'b'; readonly major: number; readonly minor: number }>
  >;
  /** root's subordinate ids for unprivileged containers; default 100000 + 65536 for both. */
  readonly idmap?: { readonly uid: IdRange; readonly gid: IdRange };
  /** The distro's common conf, or common.conf where the node has none; undefined: no include. */
  readonly commonConf?: string;
  /** userns.conf (or the distro's), included for unprivileged containers when given. */
  readonly usernsConf?: string;
  /** 'unconfined' (default) where the node has no AppArmor; 'generated' as PVE does. */
  readonly apparmor?: 'unconfined' | 'generated';
  /** Where the executor wrote the rules of seccompRules(ct); required for unprivileged containers. */
  readonly seccompProfile?: string;
  /** The CPUs chosen for `cores` ("0-1,4"): written as the cpuset unless a raw lxc entry sets one. */
  readonly cpuset?: string;
}

/** The cgroup the container's processes run in below each controller (lxc.cgroup.dir.container). */
export const lxcCgroupDir = (ctid: number): string => `lxc/${ctid}`;

/** The host side of netN. */
export const vethName = (ctid: number, index: number): string => `veth${ctid}i${index}`;

const MIB = 1024 * 1024;
const CFS_PERIOD = 100_000;

const refuse = (key: string, why: string): never => {
  throw new AppError('not-supported', `${key}: ${why}`, { key });
};

/** The seccomp rules PVE adds to common.seccomp for an unprivileged container; undefined for a privileged one. */
export const seccompRules = (ct: CtConfig): string | undefined => {
  if (!ct.unprivileged) return undefined;
  const rules = [
    'ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]', // btrfs ioctls misbehave in user namespaces
    ...(ct.features.keyctl ? [] : ['keyctl errno 38']), // systemd-networkd treats a denied keyctl() as fatal
    'socket errno 97 [0,38,SCMP_CMP_EQ]', // no AF_ALG sockets
  ];
  return `${rules.join('\n')}\n`;
};

/**
 * The includes PVE picks: `<ostype>.common.conf` (and `<ostype>.userns.conf` for unprivileged) where the node has
 * them, else LXC's generic ones; `exists` is the caller's file check, so this stays pure.
 */
export const distroConfs = (
  ct: Pick<CtConfig, 'ostype' | 'unprivileged' | 'lxc'>,
  exists: (path: string) => boolean,
  dir = '/usr/share/lxc/config',
): Pick<LxcCompileEnv, 'commonConf' | 'usernsConf'> => {
  const pick = (kind: 'common' | 'userns'): string | undefined =>
    [`${dir}/${ct.ostype}.${kind}.conf`, `${dir}/${kind}.conf`].find(exists);
  const commonConf = pick('common');
  const usernsConf = ct.unprivileged || hasLxcEntry(ct.lxc, 'lxc.idmap') ? pick('userns') : undefined;
  return {
    ...(commonConf !== undefined && { commonConf }),
    ...(usernsConf !== undefined && { usernsConf }),
  };
};

/** Controllers on cgroup v1 (or hybrid) mean v1; only cgroup2 means v2. `mounts` is /proc/self/mounts. */
export const cgroupVersionOf = (mounts: string): CgroupVersion =>
  mounts.split('\n').some((line) => line.split(' ')[2] === 'cgroup' && /\b(memory|cpu)\b/.test(line)) ? 1 : 2;

/** PVE's calculate_memory_constraints: `high` at ~99.2 % of `max`, or 128 MiB below it from 16 GiB up. */
const memoryHigh = (memory: number): number =>
  memory >= 16 * 1024 ? Math.trunc((memory - 128) * MIB) : Math.trunc(memory * 1024 * 1016);

const cgroupLines = (ct: CtConfig, v: CgroupVersion): string[] => {
  const lines: string[] = [];
  const quota = Math.trunc(CFS_PERIOD * ct.cpulimit);
  if (v === 1) {
    lines.push(`lxc.cgroup.memory.limit_in_bytes = ${ct.memory * MIB}`);
    lines.push(`lxc.cgroup.memory.memsw.limit_in_bytes = ${(ct.memory + ct.swap) * MIB}`);
    if (ct.cpulimit > 0)
      lines.push(`lxc.cgroup.cpu.cfs_period_us = ${CFS_PERIOD}`, `lxc.cgroup.cpu.cfs_quota_us = ${quota}`);
    lines.push(`lxc.cgroup.cpu.shares = ${Math.min(262_144, Math.max(2, ct.cpuunits ?? 1024))}`);
  } else {
    lines.push(`lxc.cgroup2.memory.max = ${ct.memory * MIB}`, `lxc.cgroup2.memory.high = ${memoryHigh(ct.memory)}`);
    lines.push(`lxc.cgroup2.memory.swap.max = ${ct.swap * MIB}`);
    if (ct.cpulimit > 0) lines.push(`lxc.cgroup2.cpu.max = ${quota} ${CFS_PERIOD}`);
    if (ct.cpuunits !== undefined) lines.push(`lxc.cgroup2.cpu.weight = ${Math.min(10_000, Math.max(1, ct.cpuunits))}`);
  }
  return lines;
};

const apparmorLines = (ct: CtConfig, env: LxcCompileEnv): string[] => {
  if (hasLxcEntry(ct.lxc, 'lxc.apparmor.profile')) return [];
  const { nesting, fuse, mount } = ct.features;
  if ((env.apparmor ?? 'unconfined') === 'unconfined')
    // Nesting still needs LXC's unmasked /dev/.lxc/{proc,sys} for the containers inside.
    return ['lxc.apparmor.profile = unconfined', ...(nesting ? ['lxc.apparmor.allow_nesting = 1'] : [])];
  return [
    'lxc.apparmor.profile = generated',
    'lxc.apparmor.raw = allow mqueue,',
    ...(nesting
      ? ['lxc.apparmor.allow_nesting = 1', 'lxc.apparmor.raw = allow userns,']
      : ['lxc.apparmor.raw = deny mount -> /proc/,', 'lxc.apparmor.raw = deny mount -> /sys/,']),
    ...mount.map((fs) => `lxc.apparmor.raw = mount fstype=${fs},`),
    ...(fuse ? ['lxc.apparmor.raw = mount fstype=fuse,'] : []),
  ];
};

/** Mount options for a raw volume (the file system does the ro/acl/quota work; ext4 has no `noacl` since Linux 6.1). */
const fileSystemOptions = (mount: CtMountPoint, fstype: string): string[] => [
  mount.ro ? 'ro' : 'rw',
  ...(mount.acl === true ? ['acl'] : mount.acl === false && fstype !== 'ext4' ? ['noacl'] : []),
  ...(mount.quota ? ['usrjquota=aquota.user', 'grpjquota=aquota.group', 'jqfmt=vfsv0'] : []),
  ...mount.mountoptions,
];

/** Where a raw volume is mounted before LXC sees it. */
export const stagedPath = (lxcDir: string, key: string): string =>
  key === 'rootfs' ? `${lxcDir}/rootfs` : `${lxcDir}/mounts/${key}`;

/** One hook line: words LXC's `sh -c` must not split or expand are single-quoted. */
const hookLine = (words: readonly string[]): string =>
  words.map((word) => (/^[A-Za-z0-9_./,=:+-]+$/.test(word) ? word : shellQuote(word))).join(' ');

/** The pre-start hook that mounts a raw volume on its staging folder. */
const stageHook = (mount: CtMountPoint, source: LxcMountSource, fstype: string, lxcDir: string): string =>
  `lxc.hook.pre-start = ${hookLine([
    'mount',
    '-t',
    fstype,
    '-o',
    [...(source.loop === true ? ['loop'] : []), ...fileSystemOptions(mount, fstype)].join(','),
    '--',
    source.path,
    stagedPath(lxcDir, mount.key),
  ])}`;

const mountSource = (mount: CtMountPoint, env: LxcCompileEnv): LxcMountSource => {
  const resolved = env.mounts?.[mount.key];
  if (mount.kind === 'volume' && resolved === undefined)
    throw new AppError('internal-error', `${mount.key}: volume ${mount.volume} was not resolved to a path`, {
      key: mount.key,
    });
  const source = resolved ?? { path: mount.volume };
  if (mount.kind === 'bind') checkBindSource(source.path, mount.key);
  // lxc.mount.entry splits on white space; a raw volume's path only goes into its (quoted) hook.
  if (source.fstype === undefined && /\s/.test(source.path)) refuse(mount.key, `source path "${source.path}" contains white space`);
  return source;
};

const mountEntry = (mount: CtMountPoint, source: LxcMountSource, env: LxcCompileEnv): string => {
  const target = mount.mp.slice(1);
  const options = ['bind', 'create=dir', ...(mount.ro ? ['ro'] : []), ...(source.fstype === undefined ? mount.mountoptions : [])];
  const from = source.fstype === undefined ? source.path : stagedPath(env.lxcDir, mount.key);
  return `lxc.mount.entry = ${from} ${target} none ${options.join(',')} 0 0`;
};

/** The hooks that mount the raw volumes (rootfs first) and unmount them after a stop (for a reboot's new start). */
const rawVolumeHooks = (ct: CtConfig, env: LxcCompileEnv, mounts: readonly [CtMountPoint, LxcMountSource][]): string[] => {
  const raw = [[ct.rootfs, env.rootfs] as const, ...mounts].filter(([, source]) => source.fstype !== undefined);
  if (raw.length === 0) return [];
  if (hasLxcEntry(ct.lxc, 'lxc.hook.version'))
    refuse('lxc.hook.version', "raw volumes are mounted by the agent's hooks, which need hook version 1");
  if (/\s/.test(env.lxcDir)) refuse('rootfs', `the container's LXC folder "${env.lxcDir}" contains white space`);
  return [
    'lxc.hook.version = 1',
    ...raw.map(([mount, source]) => stageHook(mount, source, source.fstype ?? '', env.lxcDir)),
    `lxc.hook.post-stop = ${hookLine(['umount', '-R', '-q', '--', ...raw.map(([mount]) => stagedPath(env.lxcDir, mount.key)).reverse()])}`,
  ];
};

/** Whether LXC itself puts netN's veth into its bridge (lxc.net.N.link); otherwise the executor does, after start. */
const lxcAttaches = (net: CtConfig['nets'][number]): boolean =>
  net.bridge !== undefined && net.tag === undefined && net.trunks === undefined && !net.firewall && !net.linkDown;

const netLines = (ct: CtConfig, env: LxcCompileEnv): string[] =>
  ct.nets.flatMap((net) => {
    const p = `lxc.net.${net.index}`;
    if (net.hwaddr === undefined) return refuse(net.key, 'has no MAC address (hwaddr=)');
    const lines = [
      `${p}.type = veth`,
      `${p}.veth.pair = ${vethName(env.ctid, net.index)}`,
      `${p}.hwaddr = ${net.hwaddr}`,
    ];
    lines.push(`${p}.name = ${net.name}`);
    if (lxcAttaches(net) && net.bridge !== undefined) lines.push(`${p}.link = ${net.bridge}`);
    if (net.mtu !== undefined) lines.push(`${p}.mtu = ${net.mtu}`);
    if (net.hostManaged && !net.linkDown) {
      if (net.ip6 === 'auto') refuse(net.key, 'SLAAC (ip6=auto) cannot be host-managed');
      if (net.ip !== undefined && !/^(dhcp|manual)$/.test(net.ip)) lines.push(`${p}.ipv4.address = ${net.ip}`);
      if (net.gw !== undefined) lines.push(`${p}.ipv4.gateway = ${net.gw}`);
      if (net.ip6 !== undefined && !/^(dhcp|manual)$/.test(net.ip6)) lines.push(`${p}.ipv6.address = ${net.ip6}`);
      if (net.gw6 !== undefined) lines.push(`${p}.ipv6.gateway = ${net.gw6}`);
    }
    lines.push(`${p}.flags = up`);
    return lines;
  });

/** What the executor does for each veth after start: bridge it (tagged or through a firewall bridge), rate, link. */
export const netPlumbing = (ct: CtConfig, env: Pick<LxcCompileEnv, 'ctid'>) =>
  ct.nets.map((net) => ({
    key: net.key,
    veth: vethName(env.ctid, net.index),
    /** true: lxc.net.N.link already put the veth in its bridge; false: the executor attaches it (VLAN, firewall). */
    attachedByLxc: lxcAttaches(net),
    ...hostNicSettings(net),
  }));

/** The text of /var/lib/lxc/<ctid>/config. Throws AppError naming the key it cannot compile. */
export const compileLxcConfig = (ct: CtConfig, env: LxcCompileEnv): string => {
  if (ct.template) refuse('template', 'a template cannot be started — clone it');
  if (ct.features.mknod) refuse('features', "mknod needs PVE's lxc-syscalld seccomp proxy, which is not supported");
  const v = env.cgroupVersion;
  const cg = v === 1 ? 'lxc.cgroup' : 'lxc.cgroup2';
  const unprivileged = ct.unprivileged || hasLxcEntry(ct.lxc, 'lxc.idmap');
  const lines = [
    // Fixed cgroup paths (not relative to the monitor) so the agent finds the container's cgroup for live changes.
    'lxc.cgroup.relative = 0',
    `lxc.cgroup.dir.monitor = lxc.monitor/${env.ctid}`,
    `lxc.cgroup.dir.container = ${lxcCgroupDir(env.ctid)}`,
    'lxc.cgroup.dir.container.inner = ns',
    `lxc.arch = ${ct.arch}`,
  ];
  if (env.commonConf !== undefined) lines.push(`lxc.include = ${env.commonConf}`);
  if (unprivileged && env.usernsConf !== undefined) lines.push(`lxc.include = ${env.usernsConf}`);
  if (ct.unprivileged && !hasLxcEntry(ct.lxc, 'lxc.seccomp.profile')) {
    if (env.seccompProfile === undefined)
      throw new AppError('internal-error', 'an unprivileged container needs env.seccompProfile (see seccompRules)');
    lines.push(`lxc.seccomp.profile = ${env.seccompProfile}`);
  }
  lines.push(...apparmorLines(ct, env));
  if (ct.features.fuse) lines.push('lxc.mount.entry = /dev/fuse dev/fuse none bind,create=file 0 0');
  // systemd in unprivileged containers wants /sys read-only-ish (systemd.io/CONTAINER_INTERFACE).
  if (unprivileged && !ct.features.forceRwSys) lines.push('lxc.mount.auto = sys:mixed');
  // Loop devices a mount leaves behind must not stay reachable from the monitor's namespace.
  lines.push('lxc.monitor.unshare = 1');
  if (ct.unprivileged && !hasLxcEntry(ct.lxc, 'lxc.idmap')) {
    const { uid, gid } = env.idmap ?? { uid: { base: 100_000, count: 65_536 }, gid: { base: 100_000, count: 65_536 } };
    lines.push(`lxc.idmap = u 0 ${uid.base} ${uid.count}`, `lxc.idmap = g 0 ${gid.base} ${gid.count}`);
  }
  if (!ct.console) lines.push('lxc.console.path = none', `${cg}.devices.deny = c 5:1 rwm`);
  lines.push(`lxc.tty.max = ${ct.tty}`, 'lxc.environment = TERM=linux');
  lines.push(`lxc.uts.name = ${ct.hostname ?? `CT${env.ctid}`}`);
  lines.push(...cgroupLines(ct, v));
  // Parents before children: /srv before /srv/data.
  const mounts = [...ct.mountPoints]
    .sort((a, b) => (a.mp < b.mp ? -1 : a.mp > b.mp ? 1 : 0))
    .map((mount) => [mount, mountSource(mount, env)] as [CtMountPoint, LxcMountSource]);
  const rawRoot = env.rootfs.fstype !== undefined;
  if (!rawRoot && /\s/.test(env.rootfs.path)) refuse('rootfs', `volume path "${env.rootfs.path}" contains white space`);
  lines.push(`lxc.rootfs.path = ${rawRoot ? stagedPath(env.lxcDir, 'rootfs') : env.rootfs.path}`);
  // A raw rootfs gets its options where it is mounted (the hook); a folder gets them on LXC's bind mount.
  const rootOptions = rawRoot ? [] : [...(ct.rootfs.ro ? ['ro'] : []), ...ct.rootfs.mountoptions];
  if (rootOptions.length > 0) lines.push(`lxc.rootfs.options = ${rootOptions.join(',')}`);
  lines.push(...rawVolumeHooks(ct, env, mounts));
  lines.push(`lxc.init.cmd = ${ct.entrypoint ?? '/sbin/init'}`, 'lxc.autodev = 1');
  for (const [mount, source] of mounts) lines.push(mountEntry(mount, source, env));
  for (const dev of ct.devices) {
    const node = env.devices?.[dev.key];
    if (node === undefined) refuse(dev.key, `device ${dev.path} was not found on the node`);
    else {
      lines.push(`${cg}.devices.allow = ${node.type} ${node.major}:${node.minor} ${dev.denyWrite ? 'r' : 'rw'}m`);
      lines.push(
        `lxc.mount.entry = ${dev.path} ${dev.path.slice(1)} none bind,create=file${dev.denyWrite ? ',ro' : ''} 0 0`,
      );
    }
  }
  lines.push(...netLines(ct, env));
  for (const [key, value] of ct.lxc) lines.push(`${key} = ${value}`);
  if (
    ct.cores !== undefined &&
    env.cpuset !== undefined &&
    !ct.lxc.some(([k]) => /^lxc\.cgroup2?\.cpuset\.cpus$/.test(k))
  )
    lines.push(`${cg}.cpuset.cpus = ${env.cpuset}`);
  return `${lines.join('\n')}\n`;
};
