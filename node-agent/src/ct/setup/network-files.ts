// The in-container network configuration PVE writes for a CT's netN entries: /etc/network/interfaces (Debian,
// Alpine, busybox, Ubuntu before 17.10; PVE::LXC::Setup::Debian::setup_network) or one systemd-networkd file per
// interface (Ubuntu 17.10 and later; Base::setup_systemd_networkd). Pure text; written from scratch, not merged.
import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '../../api/errors';

/** One CT NIC as PVE's netN describes it; ip `dhcp|manual|CIDR`, ip6 `auto|dhcp|manual|CIDR`. */
export interface CtNet {
  name: string;
  hwaddr?: string;
  ip?: string;
  gw?: string;
  ip6?: string;
  gw6?: string;
}

interface Cidr {
  address: string;
  prefix: number;
}

const parseCidr = (value: string, family: 4 | 6, what: string): Cidr => {
  const [address = '', prefixText = '', ...rest] = value.split('/');
  const prefix = Number(prefixText);
  const valid = rest.length === 0 && (family === 4 ? isIPv4(address) : isIPv6(address)) && /^\d+$/.test(prefixText);
  if (!valid || prefix > (family === 4 ? 32 : 128))
    throw new AppError('invalid-params', `${what} ${value} is not an IPv${family} address with a prefix (e.g. ${family === 4 ? '198.18.0.10/24' : 'fd00::10/64'})`);
  return { address, prefix };
};

const ipv4Bits = (address: string): bigint =>
  address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);

const ipv6Bits = (address: string): bigint => {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const bits = ipv4Bits(v4);
    text = `${text.slice(0, -v4.length)}${(bits >> 16n).toString(16)}:${(bits & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
};

/** Whether `ip` lies in the network of `cidr` (PVE::Network::is_ip_in_cidr). */
export const ipInCidr = (ip: string, cidr: string, family: 4 | 6): boolean => {
  const { address, prefix } = parseCidr(cidr, family, 'address');
  const width = family === 4 ? 32 : 128;
  const bits = family === 4 ? ipv4Bits : ipv6Bits;
  if (family === 4 ? !isIPv4(ip) : !isIPv6(ip)) return false;
  const shift = BigInt(width - prefix);
  return bits(ip) >> shift === bits(address) >> shift;
};

const netmask4 = (prefix: number): string => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
};

/** How `address` is written: `address CIDR` (Debian ≥ 10, Alpine ≥ 3.13) or `address IP` + `netmask …` (busybox's ifup, older). */
export type AddressStyle = 'cidr' | 'netmask';

// PVE's markers, so a later PVE-style rewrite can find and drop the routes it added.
const gatewayScripts = (ifname: string, gw: string): string =>
  `# --- BEGIN PVE ---\n\tpost-up ip route add ${gw} dev ${ifname}\n\tpost-up ip route add default via ${gw} dev ${ifname}\n` +
  `\tpre-down ip route del default via ${gw} dev ${ifname}\n\tpre-down ip route del ${gw} dev ${ifname}\n# --- END PVE ---\n`;

const ifaceStanza = (net: CtNet, family: 4 | 6, style: AddressStyle): string => {
  const ip = family === 4 ? net.ip : net.ip6;
  const gw = family === 4 ? net.gw : net.gw6;
  const inet = family === 4 ? 'inet' : 'inet6';
  if (ip === undefined) return '';
  const methods = family === 4 ? ['dhcp', 'manual'] : ['auto', 'dhcp', 'manual'];
  if (methods.includes(ip)) return `iface ${net.name} ${inet} ${ip}\n\n`;
  const cidr = parseCidr(ip, family, `${net.name} ${family === 4 ? 'ip' : 'ip6'}`);
  let text = `iface ${net.name} ${inet} static\n`;
  if (style === 'cidr') text += `\taddress ${ip}\n`;
  else text += `\taddress ${cidr.address}\n\tnetmask ${family === 4 ? netmask4(cidr.prefix) : String(cidr.prefix)}\n`;
  if (gw !== undefined) {
    const reachable = ipInCidr(gw, ip, family) || (family === 6 && ipInCidr(gw, 'fe80::/10', 6));
    text += reachable ? `\tgateway ${gw}\n` : gatewayScripts(net.name, gw);
  }
  return `${text}\n`;
};

/** /etc/network/interfaces for the CT's NICs, as PVE writes it into an empty file (interfaces sorted by name). */
export const networkInterfacesFile = (nets: readonly CtNet[], style: AddressStyle): string => {
  let text = 'auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n';
  for (const net of [...nets].sort((a, b) => a.name.localeCompare(b.name))) {
    const v4 = ifaceStanza(net, 4, style);
    const v6 = ifaceStanza(net, 6, style);
    if (v4 || v6) text += `auto ${net.name}\n${v4}${v6}`;
  }
  return text;
};

/** /etc/systemd/network/<name>.network for one NIC (PVE's setup_systemd_networkd). */
export const systemdNetworkFile = (net: CtNet): string => {
  let text = `[Match]\nName = ${net.name}\n\n[Network]\nDescription = Interface ${net.name} autoconfigured by Hyperdesk\n`;
  let routes = '';
  let dhcp = 0;
  if (net.ip === 'dhcp') dhcp |= 1;
  else if (net.ip !== undefined && net.ip !== 'manual') {
    parseCidr(net.ip, 4, `${net.name} ip`);
    text += `Address = ${net.ip}\n`;
  }
  if (net.gw !== undefined) {
    text += `Gateway = ${net.gw}\n`;
    if (net.ip && !['dhcp', 'manual'].includes(net.ip) && !ipInCidr(net.gw, net.ip, 4))
      routes += `\n[Route]\nDestination = ${net.gw}/32\nScope = link\n`;
  }
  if (net.ip6 === 'dhcp') dhcp |= 2;
  else if (net.ip6 !== undefined && !['manual', 'auto'].includes(net.ip6)) {
    parseCidr(net.ip6, 6, `${net.name} ip6`);
    text += `Address = ${net.ip6}\n`;
  }
  if (net.gw6 !== undefined) {
    text += `Gateway = ${net.gw6}\n`;
    const static6 = net.ip6 !== undefined && !['dhcp', 'manual', 'auto'].includes(net.ip6);
    if (static6 && !ipInCidr(net.gw6, net.ip6 ?? '', 6) && !ipInCidr(net.gw6, 'fe80::/10', 6))
      routes += `\n[Route]\nDestination = ${net.gw6}/128\nScope = link\n`;
  }
  // PVE writes none/v4/v6/both, which systemd-networkd has deprecated; these are the current spellings.
  text += `DHCP = ${['no', 'ipv4', 'ipv6', 'yes'][dhcp] ?? 'no'}\n`;
  return text + routes;
};

/** The primary address for /etc/hosts: the first NIC's static IPv4, else its static IPv6 (PVE::LXC::get_primary_ips). */
export const primaryAddress = (nets: readonly CtNet[]): string | undefined => {
  const first = nets[0];
  if (!first) return undefined;
  const static4 = first.ip && !['dhcp', 'manual'].includes(first.ip) ? first.ip.split('/')[0] : undefined;
  const static6 = first.ip6 && !['dhcp', 'manual', 'auto'].includes(first.ip6) ? first.ip6.split('/')[0] : undefined;
  return static4 ?? static6;
};
