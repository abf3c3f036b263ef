// A container's netN as form values and back (PVE's pve-lxc-network property string: `name=eth0,bridge=vmbr0,
// ip=198.18.0.70/24,gw=198.18.0.1,…`), with per-field checks. Pure: the wizard's Network step and the CT page's
// Network tab share it; the agent checks again.
import type { MessageKey } from '../../i18n/translate';

export type Ipv4Mode = 'static' | 'dhcp';
export type Ipv6Mode = 'static' | 'dhcp' | 'auto';

export interface NetValues {
  name: string;
  bridge: string;
  vlan: string;
  firewall: boolean;
  ipv4Mode: Ipv4Mode;
  /** IPv4/CIDR when static; '' = no address. */
  ip4: string;
  gw4: string;
  ipv6Mode: Ipv6Mode;
  /** IPv6/CIDR when static; '' = no address. */
  ip6: string;
  gw6: string;
  /** MB/s; '' = unlimited. */
  rate: string;
  /** Options the form does not edit (hwaddr, mtu, trunks, type…), kept as they were. */
  other: Readonly<Record<string, string>>;
}

export type NetErrors = Partial<
  Record<'name' | 'bridge' | 'vlan' | 'ip4' | 'gw4' | 'ip6' | 'gw6' | 'rate', MessageKey>
>;

export const newNet = (name = 'eth0', bridge = 'vmbr0'): NetValues => ({
  name,
  bridge,
  vlan: '',
  firewall: true,
  ipv4Mode: 'dhcp',
  ip4: '',
  gw4: '',
  ipv6Mode: 'static',
  ip6: '',
  gw6: '',
  rate: '',
  other: {},
});

const INT = /^\d+$/;
const IFACE = /^[A-Za-z0-9_.-]{1,15}$/;
const BRIDGE = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/;
const RATE = /^\d+(\.\d+)?$/;
const OCTET = '(25[0-5]|2[0-4]\\d|1?\\d?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const HEX = /^[0-9a-fA-F]{1,4}$/;

export const isIPv4 = (text: string): boolean => IPV4.test(text);

/** Eight hex groups, or fewer with one `::` (no embedded IPv4: PVE's forms do not take them either). */
export function isIPv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((list) => list.every((g) => HEX.test(g)))) return false;
  const count = groups.reduce((n, list) => n + list.length, 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}

const isCidr = (text: string, isIp: (a: string) => boolean, max: number): boolean => {
  const [ip = '', bits, extra] = text.split('/');
  return (
    extra === undefined && bits !== undefined && isIp(ip) && INT.test(bits) && Number(bits) >= 1 && Number(bits) <= max
  );
};

export function validateNet(n: NetValues): NetErrors {
  const e: NetErrors = {};
  if (!IFACE.test(n.name) || n.name === '.' || n.name === '..') e.name = 'ctForm.invalid.ifname';
  if (!BRIDGE.test(n.bridge)) e.bridge = 'vmForm.invalid.bridge';
  if (n.vlan !== '' && !(INT.test(n.vlan) && Number(n.vlan) >= 1 && Number(n.vlan) <= 4094))
    e.vlan = 'vmForm.invalid.vlan';
  if (n.ipv4Mode === 'static') {
    if (n.ip4 !== '' && !isCidr(n.ip4, isIPv4, 32)) e.ip4 = 'vmForm.invalid.cidr';
    if (n.gw4 !== '' && !isIPv4(n.gw4)) e.gw4 = 'vmForm.invalid.ipv4';
    else if (n.gw4 !== '' && n.ip4 === '') e.gw4 = 'ctForm.invalid.gwNeedsIp';
  }
  if (n.ipv6Mode === 'static') {
    if (n.ip6 !== '' && !isCidr(n.ip6, isIPv6, 128)) e.ip6 = 'ctForm.invalid.cidr6';
    if (n.gw6 !== '' && !isIPv6(n.gw6)) e.gw6 = 'ctForm.invalid.ipv6';
    else if (n.gw6 !== '' && n.ip6 === '') e.gw6 = 'ctForm.invalid.gwNeedsIp';
  }
  if (n.rate !== '' && !(RATE.test(n.rate) && Number(n.rate) > 0)) e.rate = 'ctForm.invalid.rate';
  return e;
}

/** `a=1,b=2` → {a: '1', b: '2'}; a part without `=` is kept under its own text with an empty value. */
export function parseOptions(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
    else out[part] = '';
  }
  return out;
}

const EDITED = new Set(['name', 'bridge', 'tag', 'firewall', 'ip', 'gw', 'ip6', 'gw6', 'rate']);

/** A netN value as form values. */
export function netValues(spec: string): NetValues {
  const o = parseOptions(spec);
  const ip = o.ip ?? '';
  const ip6 = o.ip6 ?? '';
  const other: Record<string, string> = {};
  for (const [key, value] of Object.entries(o)) if (!EDITED.has(key)) other[key] = value;
  return {
    name: o.name ?? '',
    bridge: o.bridge ?? '',
    vlan: o.tag ?? '',
    firewall: o.firewall === '1',
    ipv4Mode: ip === 'dhcp' ? 'dhcp' : 'static',
    ip4: ip === 'dhcp' || ip === 'manual' ? '' : ip,
    gw4: o.gw ?? '',
    ipv6Mode: ip6 === 'dhcp' ? 'dhcp' : ip6 === 'auto' ? 'auto' : 'static',
    ip6: ip6 === 'dhcp' || ip6 === 'auto' || ip6 === 'manual' ? '' : ip6,
    gw6: o.gw6 ?? '',
    rate: o.rate ?? '',
    other,
  };
}

/** Form values as PVE's canonical netN text: `name=` first, then the other options sorted. */
export function netSpec(n: NetValues): string {
  const o: Record<string, string> = { ...n.other, bridge: n.bridge };
  if (n.firewall) o.firewall = '1';
  if (n.vlan !== '') o.tag = String(Number(n.vlan));
  if (n.ipv4Mode === 'dhcp') o.ip = 'dhcp';
  else if (n.ip4 !== '') {
    o.ip = n.ip4;
    if (n.gw4 !== '') o.gw = n.gw4;
  }
  if (n.ipv6Mode !== 'static') o.ip6 = n.ipv6Mode;
  else if (n.ip6 !== '') {
    o.ip6 = n.ip6;
    if (n.gw6 !== '') o.gw6 = n.gw6;
  }
  if (n.rate !== '') o.rate = n.rate;
  const tail = Object.keys(o)
    .sort()
    .map((key) => (o[key] === '' ? key : `${key}=${o[key]}`));
  return [`name=${n.name}`, ...tail].join(',');
}
