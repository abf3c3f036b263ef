// A container's netN (`name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:0A:01,ip=10.0.0.5/24,gw=10.0.0.1,type=veth`):
// PVE's pve-lxc-network property string typed. The container side is a veth named `name`; the host side is
// `veth<ctid>i<N>`. IP settings are written into the guest by the distro setup (or by LXC when host-managed).
import { isIPv4, isIPv6 } from 'node:net';
import { MAC } from '../../vm/config/net';
import { BOOL, formatPropertyString, intProblem, isTrue, parsePropertyString } from '../../vm/config/property-string';

export const MAX_CT_NETS = 32;

export interface CtNet {
  readonly key: string;
  readonly index: number;
  /** The interface name inside the container. */
  readonly name: string;
  readonly bridge?: string;
  /** Upper-case, colon-separated; absent when the caller wants one generated. */
  readonly hwaddr?: string;
  /** IPv4/CIDR, dhcp or manual. */
  readonly ip?: string;
  readonly gw?: string;
  /** IPv6/CIDR, auto, dhcp or manual. */
  readonly ip6?: string;
  readonly gw6?: string;
  readonly tag?: number;
  /** VLAN ids separated by `;`. */
  readonly trunks?: string;
  readonly firewall: boolean;
  readonly linkDown: boolean;
  /** MB/s. */
  readonly rate?: number;
  readonly mtu?: number;
  readonly hostManaged: boolean;
  /** Every option as written: formatCtNet's source. */
  readonly options: Readonly<Record<string, string>>;
}

const IFACE = /^[A-Za-z0-9_.-]{1,15}$/;
const OPTIONS = [
  'name',
  'type',
  'bridge',
  'hwaddr',
  'ip',
  'gw',
  'ip6',
  'gw6',
  'tag',
  'trunks',
  'firewall',
  'rate',
  'mtu',
  'link_down',
  'host-managed',
];

export const ctNetIndexOf = (key: string): number | undefined => {
  const match = /^net(0|[1-9]\d?)$/.exec(key);
  return match && Number(match[1]) < MAX_CT_NETS ? Number(match[1]) : undefined;
};

const cidr = (text: string, isIp: (a: string) => boolean, max: number): boolean => {
  const [address = '', prefix, extra] = text.split('/');
  return (
    extra === undefined && prefix !== undefined && isIp(address) && /^\d{1,3}$/.test(prefix) && Number(prefix) <= max
  );
};

const CHECKS: Record<string, (v: string) => string | undefined> = {
  name: (v) =>
    IFACE.test(v) && v !== '.' && v !== '..' ? undefined : 'must be an interface name (1-15 of A-Z a-z 0-9 _ . -)',
  type: (v) => (v === 'veth' ? undefined : 'must be veth'),
  bridge: (v) => (IFACE.test(v) ? undefined : 'must be a bridge name'),
  hwaddr: (v) =>
    !MAC.test(v)
      ? `"${v}" is not a MAC address`
      : (parseInt(v.slice(0, 2), 16) & 1) === 1
        ? `"${v}" is a multicast MAC address`
        : undefined,
  ip: (v) =>
    v === 'dhcp' || v === 'manual' || cidr(v, isIPv4, 32) ? undefined : 'must be an IPv4 CIDR, dhcp or manual',
  gw: (v) => (isIPv4(v) ? undefined : 'must be an IPv4 address'),
  ip6: (v) =>
    v === 'auto' || v === 'dhcp' || v === 'manual' || cidr(v, isIPv6, 128)
      ? undefined
      : 'must be an IPv6 CIDR, auto, dhcp or manual',
  gw6: (v) => (isIPv6(v) ? undefined : 'must be an IPv6 address'),
  tag: (v) => intProblem(v, 1, 4094),
  trunks: (v) =>
    v.split(';').every((id) => intProblem(id, 1, 4094) === undefined) ? undefined : 'must be VLAN ids such as 10;20',
  firewall: (v) => (BOOL.test(v) ? undefined : 'must be 0 or 1'),
  link_down: (v) => (BOOL.test(v) ? undefined : 'must be 0 or 1'),
  'host-managed': (v) => (BOOL.test(v) ? undefined : 'must be 0 or 1'),
  rate: (v) => (/^\d+(\.\d+)?$/.test(v) ? undefined : 'must be MB/s (a number)'),
  mtu: (v) => intProblem(v, 64, 65535),
};

/** Parses a container's netN; throws a message naming the option (not the key). */
export const parseCtNet = (key: string, value: string): CtNet => {
  const index = ctNetIndexOf(key);
  if (index === undefined) throw new Error('is not a network key');
  const options: Record<string, string> = {};
  for (const [name, v] of parsePropertyString(value)) {
    const check = OPTIONS.includes(name) ? CHECKS[name] : undefined;
    if (!check) throw new Error(`unknown option "${name}"`);
    const problem = check(v);
    if (problem !== undefined) throw new Error(`"${name}" ${problem}`);
    Object.defineProperty(options, name, { value: v, enumerable: true });
  }
  if (options.name === undefined) throw new Error('"name" (the interface name inside the container) is required');
  if (options.gw !== undefined && !cidr(options.ip ?? '', isIPv4, 32)) throw new Error('"gw" needs a static "ip"');
  if (options.gw6 !== undefined && !cidr(options.ip6 ?? '', isIPv6, 128) && options.ip6 !== 'auto')
    throw new Error('"gw6" needs a static "ip6" or ip6=auto');
  const number = (name: string) => (options[name] === undefined ? undefined : Number(options[name]));
  const tag = number('tag');
  const rate = number('rate');
  const mtu = number('mtu');
  return {
    key,
    index,
    name: options.name,
    firewall: isTrue(options.firewall),
    linkDown: isTrue(options.link_down),
    hostManaged: isTrue(options['host-managed']),
    options,
    ...(options.bridge !== undefined && { bridge: options.bridge }),
    ...(options.hwaddr !== undefined && { hwaddr: options.hwaddr.toUpperCase() }),
    ...(options.ip !== undefined && { ip: options.ip }),
    ...(options.gw !== undefined && { gw: options.gw }),
    ...(options.ip6 !== undefined && { ip6: options.ip6 }),
    ...(options.gw6 !== undefined && { gw6: options.gw6 }),
    ...(tag !== undefined && { tag }),
    ...(options.trunks !== undefined && { trunks: options.trunks }),
    ...(rate !== undefined && { rate }),
    ...(mtu !== undefined && { mtu }),
  };
};

/** PVE's canonical text: `name=` first (the one required option), then the others sorted; hwaddr upper-case. */
export const formatCtNet = (net: Pick<CtNet, 'options'>): string => {
  const { name, hwaddr, ...rest } = net.options;
  const tail = formatPropertyString({ ...rest, ...(hwaddr !== undefined && { hwaddr: hwaddr.toUpperCase() }) });
  return [...(name === undefined ? [] : [`name=${name}`]), ...(tail === '' ? [] : [tail])].join(',');
};
