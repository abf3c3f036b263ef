// A VM's cloud-init keys (PVE names) → the NoCloud seed documents, text for text as PVE writes them
// (qemu-server Cloudinit.pm: cloudinit_userdata, nocloud_network, nocloud_gen_metadata), and the seed ISO.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { dirname, join } from 'node:path';
import { AppError } from '../api/errors';
import { runChecked, type RunOptions, type RunResult } from '../exec/run';

/** The VM config's cloud-init keys as strings: ciuser, cipassword, sshkeys, ipconfigN, nameserver, searchdomain, citype, ciupgrade. */
export type CloudInitKeys = Readonly<Record<string, string | undefined>>;

/** The host's resolv.conf, which PVE falls back to when the VM sets no nameserver or searchdomain. */
export interface HostDns {
  search: readonly string[];
  nameservers: readonly string[];
}

export interface CloudInitVm {
  vmid: number;
  /** The config's `name`; PVE uses `VM<vmid>` without one. */
  name?: string | undefined;
  keys: CloudInitKeys;
  /** netN → MAC address, for every NIC of the VM. */
  macs: Readonly<Record<string, string>>;
  hostDns?: HostDns | undefined;
}

export interface NoCloudDocuments {
  userData: string;
  networkConfig: string;
  metaData: string;
  /** PVE always writes an empty vendor-data (unless cicustom names one). */
  vendorData: string;
}

/** One ipconfigN value: `ip=CIDR|dhcp,gw=IP,ip6=CIDR|auto|dhcp,gw6=IP`. */
export interface IpConfig {
  ip?: string;
  gw?: string;
  ip6?: string;
  gw6?: string;
}

/** The seed's volume label cloud-init's NoCloud source looks for. */
export const SEED_LABEL = 'cidata';
/** PVE allocates a 4 MiB cloud-init drive and keeps the documents under 3 MiB to leave room for the ISO's overhead. */
const MAX_DOCUMENTS_BYTES = 3 * 1024 * 1024;

const invalid = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('invalid-params', message, details);

const isCidr4 = (value: string): boolean => {
  const [addr, prefix, ...rest] = value.split('/');
  return (
    rest.length === 0 &&
    addr !== undefined &&
    isIPv4(addr) &&
    prefix !== undefined &&
    /^\d{1,2}$/.test(prefix) &&
    Number(prefix) <= 32
  );
};

const isCidr6 = (value: string): boolean => {
  const [addr, prefix, ...rest] = value.split('/');
  return (
    rest.length === 0 &&
    addr !== undefined &&
    isIPv6(addr) &&
    prefix !== undefined &&
    /^\d{1,3}$/.test(prefix) &&
    Number(prefix) <= 128
  );
};

/** Parse and check an ipconfigN value; `key` names it in errors. */
export const parseIpConfig = (value: string, key: string): IpConfig => {
  const config: IpConfig = {};
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    const bad = () =>
      invalid(`${key}: '${part}' is not valid — use ip=CIDR|dhcp,gw=IP,ip6=CIDR|auto|dhcp,gw6=IP`, { key, value });
    switch (name) {
      case 'ip':
        if (v !== 'dhcp' && !isCidr4(v)) throw bad();
        config.ip = v;
        break;
      case 'gw':
        if (!isIPv4(v)) throw bad();
        config.gw = v;
        break;
      case 'ip6':
        if (v !== 'dhcp' && v !== 'auto' && !isCidr6(v)) throw bad();
        config.ip6 = v;
        break;
      case 'gw6':
        if (!isIPv6(v)) throw bad();
        config.gw6 = v;
        break;
      default:
        throw bad();
    }
  }
  return config;
};

/** The dotted netmask of an IPv4 prefix length (PVE's ipv4_reverse_mask). */
const netmask = (prefix: number): string => {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => String((bits >>> shift) & 0xff)).join('.');
};

/** Hostname and FQDN the way PVE derives them from `name` and `searchdomain`. */
export const hostnameAndFqdn = (
  vm: Pick<CloudInitVm, 'vmid' | 'name' | 'keys'>,
): { hostname: string; fqdn: string } => {
  const name = vm.name ?? `VM${vm.vmid}`;
  if (name.includes('.')) return { hostname: name.replace(/\..*$/, ''), fqdn: name };
  const search = vm.keys.searchdomain;
  return { hostname: name, fqdn: search ? `${name}.${search}` : name };
};

/** sshkeys is URL-encoded, one key per line; blank lines are dropped. */
export const decodeSshKeys = (encoded: string): string[] => {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    throw invalid(`sshkeys is not URL-encoded text — encode each key with encodeURIComponent, one per line`);
  }
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => /\S/.test(line));
};

export const cloudInitUserData = (vm: CloudInitVm): string => {
  const { hostname, fqdn } = hostnameAndFqdn(vm);
  const { ciuser, cipassword, sshkeys, ciupgrade } = vm.keys;
  const lines = ['#cloud-config', `hostname: ${hostname}`, 'manage_etc_hosts: true', `fqdn: ${fqdn}`];
  if (ciuser !== undefined) lines.push(`user: ${ciuser}`);
  if (ciuser === 'root') lines.push('disable_root: False');
  // PVE stores cipassword already hashed (it hashes on `qm set`); whatever the config holds goes in as is.
  if (cipassword !== undefined) lines.push(`password: ${cipassword}`);
  if (sshkeys !== undefined) {
    lines.push('ssh_authorized_keys:');
    for (const key of decodeSshKeys(sshkeys)) lines.push(`  - ${key}`);
  }
  lines.push('chpasswd:', '  expire: False');
  if (ciuser !== 'root') lines.push('users:', '  - default');
  if (ciupgrade === undefined || (ciupgrade !== '0' && ciupgrade !== '')) lines.push('package_upgrade: true');
  return `${lines.join('\n')}\n`;
};

/** netN keys in PVE's order: Perl's string sort, so net10 comes before net2. */
const nicsInPveOrder = (macs: CloudInitVm['macs']): string[] =>
  Object.keys(macs)
    .filter((key) => /^net\d+$/.test(key))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

const splitWords = (value: string): string[] => value.split(/\s+/).filter((word) => word !== '');

export const cloudInitNetworkConfig = (vm: CloudInitVm): string => {
  const lines = ['version: 1', 'config:'];
  for (const nic of nicsInPveOrder(vm.macs)) {
    const id = nic.slice('net'.length);
    const ipconfig = vm.keys[`ipconfig${id}`];
    if (!ipconfig) continue;
    const config = parseIpConfig(ipconfig, `ipconfig${id}`);
    const mac = (vm.macs[nic] ?? '').toLowerCase();
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac))
      throw invalid(`${nic} of VM ${vm.vmid} has no valid MAC address`, { nic });
    lines.push('    - type: physical', `      name: eth${id}`, `      mac_address: '${mac}'`, '      subnets:');
    const i = '        ';
    if (config.ip === 'dhcp') lines.push(`${i}- type: dhcp4`);
    else if (config.ip !== undefined) {
      const [addr = '', prefix = '32'] = config.ip.split('/');
      lines.push(`${i}- type: static`, `${i}  address: '${addr}'`, `${i}  netmask: '${netmask(Number(prefix))}'`);
      if (config.gw !== undefined) lines.push(`${i}  gateway: '${config.gw}'`);
    }
    if (config.ip6 === 'dhcp') lines.push(`${i}- type: dhcp6`);
    else if (config.ip6 === 'auto') lines.push(`${i}- type: ipv6_slaac`);
    else if (config.ip6 !== undefined) {
      lines.push(`${i}- type: static6`, `${i}  address: '${config.ip6}'`);
      if (config.gw6 !== undefined) lines.push(`${i}  gateway: '${config.gw6}'`);
    }
  }
  const search =
    vm.keys.searchdomain !== undefined ? splitWords(vm.keys.searchdomain) : [...(vm.hostDns?.search ?? [])];
  const nameservers =
    vm.keys.nameserver !== undefined ? splitWords(vm.keys.nameserver) : [...(vm.hostDns?.nameservers ?? [])];
  // PVE writes an empty nameserver entry when there is nothing to say; we leave it out.
  if (search.length > 0 || nameservers.length > 0) {
    lines.push('    - type: nameserver');
    if (nameservers.length > 0) lines.push('      address:', ...nameservers.map((ns) => `      - '${ns}'`));
    if (search.length > 0) lines.push('      search:', ...search.map((domain) => `      - '${domain}'`));
  }
  return `${lines.join('\n')}\n`;
};

/** instance-id is the SHA-1 of user-data + network-config (as PVE), so any change makes cloud-init run again. */
export const cloudInitMetaData = (userData: string, networkConfig: string, hostname: string): string =>
  `instance-id: ${createHash('sha1')
    .update(userData + networkConfig)
    .digest('hex')}\nlocal-hostname: ${hostname}\n`;

/** All NoCloud documents for a VM; throws invalid-params for a bad key or an unsupported citype. */
export const noCloudDocuments = (vm: CloudInitVm): NoCloudDocuments => {
  const citype = vm.keys.citype;
  if (citype !== undefined && citype !== 'nocloud') {
    throw new AppError('not-supported', `VM ${vm.vmid}: citype ${citype} is not supported yet — use citype nocloud`, {
      vmid: vm.vmid,
      citype,
    });
  }
  const userData = cloudInitUserData(vm);
  const networkConfig = cloudInitNetworkConfig(vm);
  const metaData = cloudInitMetaData(userData, networkConfig, hostnameAndFqdn(vm).hostname);
  const docs = { userData, networkConfig, metaData, vendorData: '' };
  const bytes = Object.values(docs).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  if (bytes > MAX_DOCUMENTS_BYTES)
    throw invalid(`VM ${vm.vmid}: the cloud-init documents are ${bytes} bytes — keep them under 3 MiB`);
  return docs;
};

/** The seed's file names, fixed by the NoCloud data source. */
const seedFileNames: Readonly<Record<keyof NoCloudDocuments, string>> = {
  userData: 'user-data',
  networkConfig: 'network-config',
  metaData: 'meta-data',
  vendorData: 'vendor-data',
};

export interface SeedIsoPlan {
  files: { path: string; content: string }[];
  command: string;
  args: string[];
}

/** What building the seed means: the files to write into workDir, then genisoimage with PVE's arguments. */
export const seedIsoPlan = (docs: NoCloudDocuments, outPath: string, workDir: string): SeedIsoPlan => ({
  files: (Object.keys(seedFileNames) as (keyof NoCloudDocuments)[]).map((key) => ({
    path: join(workDir, seedFileNames[key]),
    content: docs[key],
  })),
  command: 'genisoimage',
  args: ['-quiet', '-iso-level', '3', '-J', '-R', '-V', SEED_LABEL, '-o', outPath, workDir],
});

export type CommandRunner = (command: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

export interface BuildSeedIsoOptions {
  /** How to run genisoimage; runChecked unless the caller logs commands through its own runner (tasks). */
  run?: CommandRunner;
  signal?: AbortSignal;
}

/**
 * Write the documents into a private scratch folder beside outPath and build the ISO there, then rename it into
 * place, so a running VM never sees half a seed.
 */
export const buildSeedIso = async (
  docs: NoCloudDocuments,
  outPath: string,
  options: BuildSeedIsoOptions = {},
): Promise<void> => {
  const run = options.run ?? runChecked;
  const scratch = await mkdtemp(join(dirname(outPath), '.cloudinit-'));
  try {
    const workDir = join(scratch, 'seed');
    const tmpIso = join(scratch, 'seed.iso');
    const plan = seedIsoPlan(docs, tmpIso, workDir);
    await mkdir(workDir, { mode: 0o700 });
    for (const file of plan.files) await writeFile(file.path, file.content, { mode: 0o600 });
    await run(plan.command, plan.args, { timeoutMs: 60_000, ...(options.signal ? { signal: options.signal } : {}) });
    await rename(tmpIso, outPath);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
};
