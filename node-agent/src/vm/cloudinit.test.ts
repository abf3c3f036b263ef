import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { runChecked } from '../exec/run';
import { tempDirForTest } from '../fs/temp-dir';
import { buildSeedIso, noCloudDocuments, parseIpConfig, seedIsoPlan, type CloudInitVm } from './cloudinit';

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

const keys = (sshkeys: string[]): string => sshkeys.map((key) => encodeURIComponent(`${key}\n`)).join('');

const staticVm: CloudInitVm = {
  vmid: 101,
  name: 'web1',
  macs: { net0: 'BC:24:11:AA:BB:01', net1: 'bc:24:11:aa:bb:02' },
  keys: {
    ciuser: 'admin',
    cipassword: '$6$salt$hash',
    sshkeys: keys(['ssh-ed25519 AAAAC3Nza admin@desk', '', 'ssh-rsa AAAAB3Nza other@desk']),
    ipconfig0: 'ip=198.18.0.50/24,gw=198.18.0.1,ip6=2001:db8::50/64,gw6=2001:db8::1',
    nameserver: '198.18.0.1 9.9.9.9',
    searchdomain: 'lab.test',
    ciupgrade: '0',
  },
};

const dhcpVm: CloudInitVm = {
  vmid: 102,
  macs: { net0: 'bc:24:11:aa:bb:03' },
  keys: { ciuser: 'root', ipconfig0: 'ip=dhcp,ip6=auto' },
  hostDns: { search: ['example.org'], nameservers: ['10.0.0.53'] },
};

describe('noCloudDocuments', () => {
  it('writes a static configuration as PVE does', () => {
    const docs = noCloudDocuments(staticVm);
    const userData = [
      '#cloud-config',
      'hostname: web1',
      'manage_etc_hosts: true',
      'fqdn: web1.lab.test',
      'user: admin',
      'password: $6$salt$hash',
      'ssh_authorized_keys:',
      '  - ssh-ed25519 AAAAC3Nza admin@desk',
      '  - ssh-rsa AAAAB3Nza other@desk',
      'chpasswd:',
      '  expire: False',
      'users:',
      '  - default',
      '',
    ].join('\n');
    // net1 has no ipconfig1, so it is not configured at all.
    const networkConfig = [
      'version: 1',
      'config:',
      '    - type: physical',
      '      name: eth0',
      "      mac_address: 'bc:24:11:aa:bb:01'",
      '      subnets:',
      '        - type: static',
      "          address: '198.18.0.50'",
      "          netmask: '255.255.255.0'",
      "          gateway: '198.18.0.1'",
      '        - type: static6',
      "          address: '2001:db8::50/64'",
      "          gateway: '2001:db8::1'",
      '    - type: nameserver',
      '      address:',
      "      - '198.18.0.1'",
      "      - '9.9.9.9'",
      '      search:',
      "      - 'lab.test'",
      '',
    ].join('\n');
    expect(docs).toEqual({
      userData,
      networkConfig,
      metaData: `instance-id: ${sha1(userData + networkConfig)}\nlocal-hostname: web1\n`,
      vendorData: '',
    });
  });

  it('writes a dhcp configuration for root, with the host DNS and package_upgrade by default', () => {
    const docs = noCloudDocuments(dhcpVm);
    expect(docs.userData).toBe(
      [
        '#cloud-config',
        'hostname: VM102',
        'manage_etc_hosts: true',
        'fqdn: VM102',
        'user: root',
        'disable_root: False',
        'chpasswd:',
        '  expire: False',
        'package_upgrade: true',
        '',
      ].join('\n'),
    );
    expect(docs.networkConfig).toBe(
      [
        'version: 1',
        'config:',
        '    - type: physical',
        '      name: eth0',
        "      mac_address: 'bc:24:11:aa:bb:03'",
        '      subnets:',
        '        - type: dhcp4',
        '        - type: ipv6_slaac',
        '    - type: nameserver',
        '      address:',
        "      - '10.0.0.53'",
        '      search:',
        "      - 'example.org'",
        '',
      ].join('\n'),
    );
    expect(docs.metaData).toBe(`instance-id: ${sha1(docs.userData + docs.networkConfig)}\nlocal-hostname: VM102\n`);
  });

  it('orders NICs as PVE (string order) and takes the short hostname from a dotted name', () => {
    const docs = noCloudDocuments({
      vmid: 7,
      name: 'db.example.com',
      macs: { net2: 'bc:24:11:00:00:02', net10: 'bc:24:11:00:00:10' },
      keys: { ipconfig2: 'ip=dhcp', ipconfig10: 'ip=10.1.2.3/8' },
    });
    expect(docs.userData).toContain('hostname: db\nmanage_etc_hosts: true\nfqdn: db.example.com\n');
    expect(docs.networkConfig.indexOf('name: eth10')).toBeLessThan(docs.networkConfig.indexOf('name: eth2'));
    expect(docs.networkConfig).toContain("netmask: '255.0.0.0'");
    expect(docs.networkConfig).not.toContain('type: nameserver');
  });

  it('refuses bad ipconfig values, bad MACs and other citypes', () => {
    expect(() => parseIpConfig('ip=198.18.0.300/24', 'ipconfig0')).toThrow(/ipconfig0/);
    expect(() => parseIpConfig('ip=198.18.0.5', 'ipconfig0')).toThrow(AppError);
    expect(() => parseIpConfig('ip6=2001:db8::1/64,gw=2001:db8::2', 'ipconfig1')).toThrow(/gw=/);
    expect(() => parseIpConfig('mtu=1500', 'ipconfig0')).toThrow(AppError);
    expect(parseIpConfig('ip=dhcp,ip6=dhcp', 'ipconfig0')).toEqual({ ip: 'dhcp', ip6: 'dhcp' });
    expect(() => noCloudDocuments({ vmid: 1, macs: { net0: 'nope' }, keys: { ipconfig0: 'ip=dhcp' } })).toThrow(/net0/);
    expect(() => noCloudDocuments({ vmid: 1, macs: {}, keys: { citype: 'configdrive2' } })).toThrow(
      expect.objectContaining({ code: 'not-supported' }),
    );
    expect(() => noCloudDocuments({ vmid: 1, macs: {}, keys: { sshkeys: '%E0%A4%A' } })).toThrow(
      expect.objectContaining({ code: 'invalid-params' }),
    );
  });
});

describe('seed ISO', () => {
  it('plan: the four documents, then genisoimage with the cidata label', () => {
    const docs = noCloudDocuments(dhcpVm);
    expect(seedIsoPlan(docs, '/var/lib/x/vm-102-cloudinit.iso', '/run/hd/ci/102')).toEqual({
      files: [
        { path: '/run/hd/ci/102/user-data', content: docs.userData },
        { path: '/run/hd/ci/102/network-config', content: docs.networkConfig },
        { path: '/run/hd/ci/102/meta-data', content: docs.metaData },
        { path: '/run/hd/ci/102/vendor-data', content: '' },
      ],
      command: 'genisoimage',
      args: [
        '-quiet',
        '-iso-level',
        '3',
        '-J',
        '-R',
        '-V',
        'cidata',
        '-o',
        '/var/lib/x/vm-102-cloudinit.iso',
        '/run/hd/ci/102',
      ],
    });
  });

  it('builds a real ISO labelled cidata holding the documents, and leaves no scratch behind', async () => {
    const dir = await tempDirForTest('hd-cloudinit-');
    const iso = join(dir, 'vm-101-cloudinit.iso');
    const docs = noCloudDocuments(staticVm);
    const commands: string[] = [];
    await buildSeedIso(docs, iso, {
      run: (command, args, options) => {
        commands.push(command);
        return runChecked(command, args, options);
      },
    });
    expect(commands).toEqual(['genisoimage']);
    expect(await readdir(dir)).toEqual(['vm-101-cloudinit.iso']);
    const info = await runChecked('isoinfo', ['-d', '-i', iso]);
    expect(info.stdout).toMatch(/^Volume id: cidata$/m);
    const listing = await runChecked('xorriso', ['-indev', iso, '-ls', '/']);
    expect(listing.stdout.split('\n').filter((line) => line.startsWith("'"))).toEqual([
      "'meta-data'",
      "'network-config'",
      "'user-data'",
      "'vendor-data'",
    ]);
    const userData = await runChecked('isoinfo', ['-R', '-i', iso, '-x', '/user-data']);
    expect(userData.stdout).toBe(docs.userData);
    const networkConfig = await runChecked('isoinfo', ['-R', '-i', iso, '-x', '/network-config']);
    expect(networkConfig.stdout).toBe(docs.networkConfig);
  });
});
