// What PVE::LXC::Setup writes into a container's rootfs after create and before each start, compiled into a list of
// steps (compile, then apply: applySetup in apply.ts writes them). Hostname, /etc/hosts, network, DNS, root's
// password and SSH keys; per distribution as PVE's Debian, Ubuntu and Alpine classes, and the same for busybox.
import { AppError } from '../../api/errors';
import { runChecked } from '../../exec/run';
import type { Distribution } from './detect';
import { networkInterfacesFile, primaryAddress, systemdNetworkFile, type AddressStyle, type CtNet } from './network-files';

export type SetupStep =
  | { kind: 'mkdir'; path: string; mode: number }
  /** The whole file; `mode` always applied. `replaceSymlink`: a symlink there is replaced (never followed). */
  | { kind: 'write'; path: string; content: string; mode: number; replaceSymlink?: true }
  /** PVE's `# --- BEGIN PVE ---` section (ct_modify_file): replaced if present, else appended or the file replaced. */
  | { kind: 'section'; path: string; content: string; mode: number; placement: 'append' | 'replace'; replaceSymlink?: true }
  /** /etc/hosts: a section with the host's line, plus localhost lines if the file has none (update_etc_hosts). */
  | { kind: 'hosts'; path: '/etc/hosts'; line: string }
  /** root's hash in /etc/shadow (or /etc/passwd without a shadow file); only root's line changes. */
  | { kind: 'root-password'; hash: string }
  | { kind: 'remove'; path: string };

export interface SetupOptions {
  hostname?: string;
  nets?: CtNet[];
  /** Space- or comma-separated, as PVE's nameserver/searchdomain; with neither, /etc/resolv.conf is left alone. */
  nameserver?: string;
  searchdomain?: string;
  /** A crypt(3) hash (starts with `$`) is used as is; anything else is hashed with SHA-512 crypt. */
  rootPassword?: string;
  /** authorized_keys lines for root. */
  sshKeys?: string;
}

const splitList = (value: string | undefined): string[] => (value ?? '').split(/[\s,;]+/).filter(Boolean);

/** Hash a plain password as crypt(3) SHA-512 (`$6$…`); the password goes over stdin, never on a command line. */
export const hashPassword = async (password: string, salt?: string): Promise<string> => {
  const args = ['passwd', '-6', ...(salt === undefined ? [] : ['-salt', salt]), '-stdin'];
  const { stdout } = await runChecked('openssl', args, { input: `${password}\n`, timeoutMs: 10_000 });
  const hash = stdout.trim();
  if (!hash.startsWith('$6$')) throw new AppError('internal-error', 'openssl passwd -6 did not print a SHA-512 crypt hash');
  return hash;
};

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** The /etc/hosts line: `IP fqdn name` for a static primary address, else `127.0.1.1 name` (PVE's update_etc_hosts). */
export const hostsLine = (hostname: string, nets: readonly CtNet[], searchdomain: string | undefined): string => {
  const name = hostname.replace(/\..*$/, '');
  const ip = primaryAddress(nets);
  if (ip === undefined) return `127.0.1.1 ${name}`;
  const names = hostname.includes('.') ? [hostname, name] : [...splitList(searchdomain).map((domain) => `${hostname}.${domain}`), hostname];
  return `${ip} ${names.join(' ')}`;
};

/** resolv.conf as PVE's set_dns writes it. */
export const resolvConf = (nameserver: string | undefined, searchdomain: string | undefined): string => {
  const search = splitList(searchdomain);
  return (search.length > 0 ? `search ${search.join(' ')}\n` : '') + splitList(nameserver).map((ns) => `nameserver ${ns}\n`).join('');
};

const addressStyle = (distro: Distribution): AddressStyle => {
  const [major = 0, minor = 0] = distro.version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  if (distro.ostype === 'debian' && major >= 10) return 'cidr';
  if (distro.ostype === 'alpine' && (major > 3 || (major === 3 && minor >= 13))) return 'cidr';
  return 'netmask';
};

const ubuntuUsesNetworkd = (version: string): boolean => {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  return major > 17 || (major === 17 && minor >= 10);
};

const networkSteps = (distro: Distribution, nets: readonly CtNet[]): SetupStep[] => {
  if (nets.length === 0) return [];
  if (distro.ostype === 'ubuntu' && ubuntuUsesNetworkd(distro.version)) {
    // PVE configures systemd-networkd directly and drops the image's own netplan file, whose DHCP would win.
    return [
      ...nets.map((net): SetupStep => ({ kind: 'write', path: `/etc/systemd/network/${net.name}.network`, content: systemdNetworkFile(net), mode: 0o644 })),
      { kind: 'remove', path: '/etc/netplan/10-lxc.yaml' },
    ];
  }
  // busybox's ifup has no `inet6 auto` method (ifup -a would fail); the kernel does SLAAC on its own there.
  const usable = distro.ostype === 'busybox' ? nets.map((net): CtNet => {
    if (net.ip6 !== 'auto') return net;
    const { ip6: _auto, ...rest } = net;
    return rest;
  }) : nets;
  return [{ kind: 'write', path: '/etc/network/interfaces', content: networkInterfacesFile(usable, addressStyle(distro)), mode: 0o644 }];
};

/** The steps that set a container up; `unmanaged` gets none, as in PVE. Async only to hash a plain password. */
export const setupPlan = async (distro: Distribution, options: SetupOptions): Promise<SetupStep[]> => {
  if (distro.ostype === 'unmanaged') return [];
  const hostname = options.hostname ?? 'localhost';
  if (!HOSTNAME.test(hostname)) throw new AppError('invalid-params', `hostname ${hostname} is not a valid DNS name`);
  const nets = options.nets ?? [];
  for (const net of nets)
    if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(net.name)) throw new AppError('invalid-params', `interface name ${net.name} is not valid`);
  const steps: SetupStep[] = [];

  if (options.rootPassword !== undefined) {
    const hash = options.rootPassword.startsWith('$') ? options.rootPassword : await hashPassword(options.rootPassword);
    if (/[:\n]/.test(hash)) throw new AppError('invalid-params', 'the root password hash must not contain ":" or a newline');
    steps.push({ kind: 'root-password', hash });
  }
  if (options.sshKeys !== undefined && options.sshKeys.trim() !== '') {
    steps.push({ kind: 'mkdir', path: '/root/.ssh', mode: 0o700 });
    steps.push({ kind: 'section', path: '/root/.ssh/authorized_keys', content: options.sshKeys, mode: 0o600, placement: 'append' });
  }
  steps.push(...networkSteps(distro, nets));
  steps.push({ kind: 'hosts', path: '/etc/hosts', line: hostsLine(hostname, nets, options.searchdomain) });
  steps.push({ kind: 'write', path: '/etc/hostname', content: `${hostname.replace(/\..*$/, '')}\n`, mode: 0o644 });
  if (options.nameserver !== undefined || options.searchdomain !== undefined) {
    // Ubuntu's resolv.conf is a symlink to systemd-resolved's stub; PVE replaces it with a file, so does this.
    steps.push({
      kind: 'section',
      path: '/etc/resolv.conf',
      content: resolvConf(options.nameserver, options.searchdomain),
      mode: 0o644,
      placement: 'replace',
      replaceSymlink: true,
    });
  }
  return steps;
};

/** One line per step, for task logs and --dry-run. */
export const describeSetupStep = (step: SetupStep): string => {
  switch (step.kind) {
    case 'mkdir':
      return `mkdir ${step.path} (${step.mode.toString(8)})`;
    case 'write':
      return `write ${step.path} (${step.mode.toString(8)}, ${step.content.length} bytes)`;
    case 'section':
      return `update the Hyperdesk section of ${step.path}`;
    case 'hosts':
      return `update /etc/hosts: ${step.line}`;
    case 'root-password':
      return "set root's password";
    case 'remove':
      return `remove ${step.path}`;
  }
};
