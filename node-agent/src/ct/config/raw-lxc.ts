// Raw `lxc.*` lines in a container config: the keys PVE passes through to LXC (its valid_lxc_conf_keys), the ones
// it refuses because it generates them itself, and the entries' list form (a key may repeat, order matters).

/** One raw line: `lxc.cgroup2.devices.allow: c 10:200 rwm`. Repeats are allowed and kept in written order. */
export type LxcEntry = readonly [key: string, value: string];

const PASSED = new Set([
  'lxc.apparmor.profile',
  'lxc.apparmor.allow_incomplete',
  'lxc.apparmor.allow_nesting',
  'lxc.apparmor.raw',
  'lxc.selinux.context',
  'lxc.include',
  'lxc.arch',
  'lxc.uts.name',
  'lxc.signal.halt',
  'lxc.signal.reboot',
  'lxc.signal.stop',
  'lxc.init.cmd',
  'lxc.init.cwd',
  'lxc.init.uid',
  'lxc.init.gid',
  'lxc.init.groups',
  'lxc.pty.max',
  'lxc.console.logfile',
  'lxc.console.path',
  'lxc.tty.max',
  'lxc.devtty.dir',
  'lxc.hook.autodev',
  'lxc.autodev',
  'lxc.kmsg',
  'lxc.mount.fstab',
  'lxc.mount.entry',
  'lxc.mount.auto',
  'lxc.rootfs.mount',
  'lxc.cap.drop',
  'lxc.cap.keep',
  'lxc.seccomp.profile',
  'lxc.seccomp.notify.proxy',
  'lxc.seccomp.notify.cookie',
  'lxc.idmap',
  'lxc.hook.pre-start',
  'lxc.hook.pre-mount',
  'lxc.hook.mount',
  'lxc.hook.start',
  'lxc.hook.stop',
  'lxc.hook.post-stop',
  'lxc.hook.clone',
  'lxc.hook.destroy',
  'lxc.hook.version',
  'lxc.log.level',
  'lxc.log.file',
  'lxc.start.auto',
  'lxc.start.delay',
  'lxc.start.order',
  'lxc.group',
  'lxc.environment',
  'lxc.environment.runtime',
  'lxc.environment.hooks',
  // IPC-namespaced sysctls only (namespaces(7)).
  'lxc.sysctl.fs.mqueue',
  'lxc.sysctl.kernel.msgmax',
  'lxc.sysctl.kernel.msgmnb',
  'lxc.sysctl.kernel.msgmni',
  'lxc.sysctl.kernel.sem',
  'lxc.sysctl.kernel.shmall',
  'lxc.sysctl.kernel.shmmax',
  'lxc.sysctl.kernel.shmmni',
  'lxc.sysctl.kernel.shm_rmid_forced',
]);

const REFUSED: Record<string, string> = {
  'lxc.rootfs.path': 'is generated from rootfs',
  'lxc.rootfs.options': 'is not supported — use mount options in the "rootfs" key',
};

/**
 * undefined for a key LXC gets as written; a message for one PVE refuses; 'unknown' for anything else.
 * lxc.cgroup.* (cgroup v1) is kept: PVE only warns, and v1 nodes still need it.
 */
export const lxcKeyProblem = (key: string): string | undefined => {
  const refused = REFUSED[key];
  if (refused !== undefined) return refused;
  if (PASSED.has(key) || /^lxc\.(cgroup2?|prlimit|net)\.[a-z0-9_.-]+$/.test(key)) return undefined;
  return 'unknown';
};

/** The raw entries of a section's values (`lxc.*` keys set once), followed by the repeated entries given apart. */
export const lxcEntriesOf = (
  values: Readonly<Record<string, string>>,
  repeated: readonly LxcEntry[] = [],
): LxcEntry[] => [...Object.entries(values).filter(([key]) => key.startsWith('lxc.')), ...repeated];

/** Whether a raw entry sets `key` (a user's own lxc.idmap or lxc.apparmor.profile replaces the generated one). */
export const hasLxcEntry = (entries: readonly LxcEntry[], key: string): boolean => entries.some(([k]) => k === key);
