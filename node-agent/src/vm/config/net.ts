// netN (`virtio=BC:24:11:2E:6F:3A,bridge=vmbr0,tag=10,firewall=1`), ipconfigN and the MAC helpers: PVE gives new
// NICs a random locally-administered MAC under its BC:24:11 prefix, unique among the configs it knows.
import { randomBytes } from 'node:crypto';
import { BOOL, formatPropertyString, intProblem, isTrue, parsePropertyString } from './property-string';

export const NET_MODELS = [
  'virtio',
  'e1000',
  'e1000e',
  'rtl8139',
  'vmxnet3',
  'e1000-82540em',
  'e1000-82544gc',
  'e1000-82545em',
  'i82551',
  'i82557b',
  'i82559er',
  'ne2k_isa',
  'ne2k_pci',
  'pcnet',
] as const;
export type NetModel = (typeof NET_MODELS)[number];
export const MAX_NETS = 32;

export interface Net {
  readonly key: string;
  readonly index: number;
  readonly model: NetModel;
  /** Upper-case, colon-separated; absent when the caller wants one generated. */
  readonly macaddr?: string;
  readonly bridge?: string;
  readonly tag?: number;
  readonly trunks?: string;
  readonly firewall: boolean;
  readonly linkDown: boolean;
  /** MB/s. */
  readonly rate?: number;
  readonly queues?: number;
  readonly mtu?: number;
  /** Every option as written, model and macaddr excluded. */
  readonly options: Readonly<Record<string, string>>;
}

export const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
const IFACE = /^[A-Za-z][A-Za-z0-9._-]{0,14}$/;
const OPTIONS = ['bridge', 'tag', 'trunks', 'firewall', 'link_down', 'rate', 'queues', 'mtu', 'macaddr', 'model'];

export const netIndexOf = (key: string): number | undefined => {
  const match = /^net(0|[1-9]\d?)$/.exec(key);
  return match && Number(match[1]) < MAX_NETS ? Number(match[1]) : undefined;
};

const problem = (text: string | undefined): void => {
  if (text !== undefined) throw new Error(text);
};

/** Parses a netN value; throws a message naming the option (not the key). */
export const parseNet = (key: string, value: string): Net => {
  const index = netIndexOf(key);
  if (index === undefined) throw new Error('is not a network key');
  const pairs = parsePropertyString(value, 'model');
  let model: string | undefined;
  let macaddr: string | undefined;
  const options: Record<string, string> = {};
  for (const [name, v] of pairs) {
    if ((NET_MODELS as readonly string[]).includes(name)) {
      if (model !== undefined) throw new Error(`has two models ("${model}" and "${name}")`);
      model = name;
      if (v !== '') macaddr = v;
      continue;
    }
    if (!OPTIONS.includes(name)) throw new Error(`unknown option "${name}"`);
    if (name === 'model') model = v;
    else if (name === 'macaddr') macaddr = v;
    else Object.defineProperty(options, name, { value: v, enumerable: true });
  }
  if (model === undefined) throw new Error('needs a model (virtio, e1000, e1000e, rtl8139 or vmxnet3)');
  if (!(NET_MODELS as readonly string[]).includes(model)) throw new Error(`"${model}" is not a NIC model`);
  if (macaddr !== undefined && !MAC.test(macaddr)) throw new Error(`"${macaddr}" is not a MAC address`);
  if (macaddr !== undefined && (parseInt(macaddr.slice(0, 2), 16) & 1) === 1)
    throw new Error(`"${macaddr}" is a multicast MAC address`);
  if (options.bridge === undefined) throw new Error('"bridge" is required');
  if (!IFACE.test(options.bridge)) throw new Error('"bridge" must be an interface name');
  if (options.tag !== undefined) problem(intProblem(options.tag, 1, 4094) && '"tag" must be 1..4094');
  if (options.trunks !== undefined && !/^\d+(-\d+)?(;\d+(-\d+)?)*$/.test(options.trunks))
    throw new Error('"trunks" must be VLAN ids such as 10;20-30');
  for (const flag of ['firewall', 'link_down'] as const)
    if (options[flag] !== undefined && !BOOL.test(options[flag])) throw new Error(`"${flag}" must be 0 or 1`);
  if (options.rate !== undefined && !/^\d+(\.\d+)?$/.test(options.rate))
    throw new Error('"rate" must be MB/s (a number)');
  if (options.queues !== undefined) problem(intProblem(options.queues, 0, 64) && '"queues" must be 0..64');
  if (options.mtu !== undefined) problem(intProblem(options.mtu, 1, 65520) && '"mtu" must be 1..65520');
  return {
    key,
    index,
    model: model as NetModel,
    firewall: isTrue(options.firewall),
    linkDown: isTrue(options.link_down),
    options,
    ...(macaddr !== undefined && { macaddr: macaddr.toUpperCase() }),
    ...(options.bridge !== undefined && { bridge: options.bridge }),
    ...(options.tag !== undefined && { tag: Number(options.tag) }),
    ...(options.trunks !== undefined && { trunks: options.trunks }),
    ...(options.rate !== undefined && { rate: Number(options.rate) }),
    ...(options.queues !== undefined && { queues: Number(options.queues) }),
    ...(options.mtu !== undefined && { mtu: Number(options.mtu) }),
  };
};

/** PVE's canonical text: `model=MAC`, then the options sorted. */
export const formatNet = (net: Pick<Net, 'model' | 'macaddr' | 'options'>): string => {
  const head = net.macaddr === undefined ? net.model : `${net.model}=${net.macaddr}`;
  const rest = formatPropertyString(net.options);
  return rest === '' ? head : `${head},${rest}`;
};

/** PVE's prefix for generated MACs (Proxmox's OUI, with the locally-administered pattern PVE uses). */
export const MAC_PREFIX = 'BC:24:11';

/** A random MAC under BC:24:11 that is not in `taken` (compared case-insensitively). */
export const randomMac = (
  taken: ReadonlySet<string> = new Set(),
  random: (n: number) => Buffer = randomBytes,
): string => {
  const upper = new Set([...taken].map((mac) => mac.toUpperCase()));
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const tail = [...random(3)].map((byte) => byte.toString(16).toUpperCase().padStart(2, '0'));
    const mac = [MAC_PREFIX, ...tail].join(':');
    if (!upper.has(mac)) return mac;
  }
  throw new Error('no free MAC address found after 1000 tries');
};

/** Every MAC the given configs use (current, pending and snapshot values alike), upper-case. */
export const macsOf = (configs: Iterable<Readonly<Record<string, string | number>>>): Set<string> => {
  const macs = new Set<string>();
  for (const values of configs)
    for (const [key, value] of Object.entries(values))
      if (netIndexOf(key) !== undefined && typeof value === 'string')
        for (const match of value.matchAll(/[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}/g)) macs.add(match[0].toUpperCase());
  return macs;
};

/** The MACs that appear more than once across the configs (by vmid): each with the VMs using it. */
export const macCollisions = (
  configs: ReadonlyMap<number, Readonly<Record<string, string | number>>>,
): Map<string, number[]> => {
  const users = new Map<string, number[]>();
  for (const [vmid, values] of configs)
    for (const mac of macsOf([values])) users.set(mac, [...(users.get(mac) ?? []), vmid]);
  return new Map([...users].filter(([, vmids]) => vmids.length > 1));
};

export interface IpConfig {
  ip?: string;
  gw?: string;
  ip6?: string;
  gw6?: string;
}

const CIDR4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const isIpv4 = (text: string): boolean => CIDR4.test(text);
const isIpv6 = (text: string): boolean =>
  /^[0-9A-Fa-f:]+$/.test(text) && text.includes(':') && text.split('::').length <= 2;
const withPrefix = (text: string, ok: (a: string) => boolean, max: number): boolean => {
  const [address = '', prefix, extra] = text.split('/');
  return extra === undefined && prefix !== undefined && ok(address) && /^\d+$/.test(prefix) && Number(prefix) <= max;
};

/** ipconfigN: `ip=CIDR|dhcp,gw=IP,ip6=CIDR|dhcp|auto,gw6=IP`. */
export const parseIpConfig = (value: string): IpConfig => {
  const config: IpConfig = {};
  for (const [name, v] of parsePropertyString(value)) {
    if (name === 'ip') {
      if (v !== 'dhcp' && !withPrefix(v, isIpv4, 32))
        throw new Error('"ip" must be an IPv4 CIDR (10.0.0.5/24) or dhcp');
      config.ip = v;
    } else if (name === 'gw') {
      if (!isIpv4(v)) throw new Error('"gw" must be an IPv4 address');
      config.gw = v;
    } else if (name === 'ip6') {
      if (v !== 'dhcp' && v !== 'auto' && !withPrefix(v, isIpv6, 128))
        throw new Error('"ip6" must be an IPv6 CIDR, dhcp or auto');
      config.ip6 = v;
    } else if (name === 'gw6') {
      if (!isIpv6(v)) throw new Error('"gw6" must be an IPv6 address');
      config.gw6 = v;
    } else throw new Error(`unknown option "${name}"`);
  }
  if (config.gw !== undefined && (config.ip === undefined || config.ip === 'dhcp'))
    throw new Error('"gw" needs a static "ip"');
  return config;
};
