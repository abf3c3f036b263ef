import { describe, expect, it } from 'vitest';
import {
  ctConfirmLines,
  emptyCtWizard,
  toCtCreateParams,
  validateCtStep,
  validateCtWizard,
  type CtWizardValues,
} from './ct-form';
import { isIPv6, netSpec, netValues, newNet, validateNet } from './ct-net-form';

const TEMPLATE = 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst';
const base = (): CtWizardValues => ({
  ...emptyCtWizard('lab/n1', 120),
  hostname: 'web1',
  password: 'secret1',
  confirmPassword: 'secret1',
  templateStorage: 'local',
  ostemplate: TEMPLATE,
  diskStorage: 'local-lvm',
});

describe('create-CT wizard values → ct.create params', () => {
  it("makes PVE's flat config from the defaults: unprivileged with nesting, rootfs STORAGE:SIZE, eth0 on vmbr0 by DHCP", () => {
    expect(toCtCreateParams(base())).toEqual({
      vmid: 120,
      ostemplate: TEMPLATE,
      password: 'secret1',
      start: false,
      config: {
        hostname: 'web1',
        unprivileged: 1,
        features: 'nesting=1',
        cores: 1,
        memory: 512,
        swap: 512,
        rootfs: 'local-lvm:8',
        net0: 'name=eth0,bridge=vmbr0,firewall=1,ip=dhcp',
      },
    });
  });

  it('writes static IPv4 and IPv6 with gateways, VLAN, rate, CPU limit, DNS; keys without a password', () => {
    const v = {
      ...base(),
      password: '',
      confirmPassword: '',
      sshKeys: ' ssh-ed25519 AAAAC3Nz admin@desk \n\nssh-rsa AAAAB3 x\n',
      unprivileged: false,
      nesting: false,
      cpulimit: '1.5',
      searchdomain: 'lab.example',
      nameserver: '198.18.0.1, 2001:db8::1',
      start: true,
    };
    v.network = {
      ...newNet(),
      ipv4Mode: 'static',
      ip4: '198.18.0.70/24',
      gw4: '198.18.0.1',
      ipv6Mode: 'static',
      ip6: '2001:db8::70/64',
      gw6: '2001:db8::1',
      vlan: '20',
      rate: '12.5',
      firewall: false,
    };
    const p = toCtCreateParams(v);
    expect(p.password).toBeUndefined();
    expect(p.sshPublicKeys).toBe('ssh-ed25519 AAAAC3Nz admin@desk\nssh-rsa AAAAB3 x\n');
    expect(p.start).toBe(true);
    expect(p.config).toEqual({
      hostname: 'web1',
      cores: 1,
      cpulimit: 1.5,
      memory: 512,
      swap: 512,
      rootfs: 'local-lvm:8',
      net0: 'name=eth0,bridge=vmbr0,gw=198.18.0.1,gw6=2001:db8::1,ip=198.18.0.70/24,ip6=2001:db8::70/64,rate=12.5,tag=20',
      searchdomain: 'lab.example',
      nameserver: '198.18.0.1 2001:db8::1',
    });
    const lines = ctConfirmLines(p);
    expect(lines.slice(0, 2)).toEqual([
      { key: 'vmid', value: '120' },
      { key: 'ostemplate', value: TEMPLATE },
    ]);
    expect(lines.find((l) => l.key === 'ssh-public-keys')?.value).toBe('2');
    expect(ctConfirmLines(toCtCreateParams(base())).find((l) => l.key === 'password')?.value).toBe('••••••');
  });

  it('writes IPv6 SLAAC and DHCP as PVE does, and a cpulimit of 0 as no key', () => {
    const v = { ...base(), cpulimit: '0' };
    v.network = { ...newNet(), ipv6Mode: 'auto' };
    expect(toCtCreateParams(v).config.net0).toBe('name=eth0,bridge=vmbr0,firewall=1,ip=dhcp,ip6=auto');
    expect(toCtCreateParams(v).config.cpulimit).toBeUndefined();
    v.network = { ...newNet(), ipv4Mode: 'static', ipv6Mode: 'dhcp' };
    expect(toCtCreateParams(v).config.net0).toBe('name=eth0,bridge=vmbr0,firewall=1,ip6=dhcp');
  });
});

describe('create-CT wizard validation per step', () => {
  it('accepts the filled-in defaults on every step', () => {
    expect(validateCtWizard(base())).toEqual({});
  });

  it('needs a password or an SSH key, a matching confirmation and well-formed keys', () => {
    const none = { ...base(), password: '', confirmPassword: '' };
    expect(validateCtStep('general', none)).toEqual({ password: 'ctForm.invalid.passwordOrKey' });
    expect(validateCtStep('general', { ...none, sshKeys: 'ssh-ed25519 AAAA me' })).toEqual({});
    expect(validateCtStep('general', { ...base(), password: 'abc', confirmPassword: 'abd', sshKeys: 'nope' })).toEqual({
      password: 'ctForm.invalid.password',
      confirmPassword: 'ctForm.invalid.confirm',
      sshKeys: 'vmForm.invalid.sshkey',
    });
    expect(validateCtStep('general', { ...base(), vmid: '99', hostname: 'bad_name' })).toEqual({
      vmid: 'vmForm.invalid.vmid',
      hostname: 'vmForm.invalid.name',
    });
  });

  it('checks template, root disk, CPU, memory and DNS', () => {
    expect(validateCtStep('template', { ...base(), ostemplate: '' })).toEqual({
      ostemplate: 'vmForm.invalid.required',
    });
    expect(validateCtStep('rootdisk', { ...base(), diskStorage: '', diskSizeGiB: '0' })).toEqual({
      diskStorage: 'vmForm.invalid.required',
      diskSizeGiB: 'vmForm.invalid.diskSize',
    });
    expect(validateCtStep('cpu', { ...base(), cores: '0', cpulimit: 'x' })).toEqual({
      cores: 'ctForm.invalid.cores',
      cpulimit: 'ctForm.invalid.cpulimit',
    });
    expect(validateCtStep('memory', { ...base(), memory: '8', swap: '-1' })).toEqual({
      memory: 'vmForm.invalid.memory',
      swap: 'ctForm.invalid.swap',
    });
    expect(validateCtStep('dns', { ...base(), searchdomain: '-x-', nameserver: '198.18.0.1 dns' })).toEqual({
      searchdomain: 'ctForm.invalid.domain',
      nameserver: 'ctForm.invalid.nameserver',
    });
  });

  it('checks the network device; addresses only where the mode is static', () => {
    const bad = {
      ...newNet('eth 0', '0bad'),
      vlan: '5000',
      rate: '0',
      ipv4Mode: 'static' as const,
      ip4: '198.18.0.70',
      gw4: '198.18.0',
      ipv6Mode: 'static' as const,
      ip6: '2001:db8::70',
      gw6: '',
    };
    expect(validateCtStep('network', { ...base(), network: bad })).toEqual({
      'network.name': 'ctForm.invalid.ifname',
      'network.bridge': 'vmForm.invalid.bridge',
      'network.vlan': 'vmForm.invalid.vlan',
      'network.rate': 'ctForm.invalid.rate',
      'network.ip4': 'vmForm.invalid.cidr',
      'network.gw4': 'vmForm.invalid.ipv4',
      'network.ip6': 'ctForm.invalid.cidr6',
    });
    expect(validateNet({ ...newNet(), ipv4Mode: 'static', gw4: '198.18.0.1' })).toEqual({
      gw4: 'ctForm.invalid.gwNeedsIp',
    });
    expect(validateNet({ ...newNet(), ipv4Mode: 'dhcp', ip4: 'junk', ipv6Mode: 'auto', ip6: 'junk' })).toEqual({});
  });
});

describe('netN property strings', () => {
  it('reads a netN into form values and writes it back unchanged, keeping options the form does not edit', () => {
    const spec =
      'name=eth1,bridge=vmbr1,firewall=1,gw=10.0.0.1,hwaddr=BC:24:11:7E:21:0B,ip=10.0.0.5/24,ip6=auto,mtu=1400,rate=12.5,tag=40,type=veth';
    const v = netValues(spec);
    expect(v).toMatchObject({
      name: 'eth1',
      bridge: 'vmbr1',
      vlan: '40',
      firewall: true,
      ipv4Mode: 'static',
      ip4: '10.0.0.5/24',
      gw4: '10.0.0.1',
      ipv6Mode: 'auto',
      rate: '12.5',
    });
    expect(v.other).toEqual({ hwaddr: 'BC:24:11:7E:21:0B', mtu: '1400', type: 'veth' });
    expect(netSpec(v)).toBe(spec);
    expect(netSpec({ ...v, ipv4Mode: 'dhcp', vlan: '', firewall: false })).toBe(
      'name=eth1,bridge=vmbr1,hwaddr=BC:24:11:7E:21:0B,ip=dhcp,ip6=auto,mtu=1400,rate=12.5,type=veth',
    );
  });

  it('tells IPv6 addresses from other text', () => {
    for (const ok of ['::1', '2001:db8::70', 'fe80::1:2:3:4', '1:2:3:4:5:6:7:8', '::'])
      expect(isIPv6(ok), ok).toBe(true);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '2001:db8:::1', '1::2::3', 'g::1', '198.18.0.1', ''])
      expect(isIPv6(bad), bad).toBe(false);
  });
});
