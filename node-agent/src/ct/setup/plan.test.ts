import { describe, expect, it } from 'vitest';
import { runChecked } from '../../exec/run';
import { modifySection, setRootHash, updateEtcHosts } from './file-edits';
import { ipInCidr, networkInterfacesFile, systemdNetworkFile } from './network-files';
import { hashPassword, setupPlan, type SetupStep } from './plan';

const HASH = '$6$salt$abcdefghijklmnopqrstuv';
const eth0 = { name: 'eth0', hwaddr: 'BC:24:11:00:00:01', ip: '198.18.0.10/24', gw: '198.18.0.1', ip6: 'fd00::10/64', gw6: 'fd00::1' };
const byPath = (steps: SetupStep[], path: string) => steps.find((step) => 'path' in step && step.path === path);

describe('setupPlan', () => {
  it('plan: Debian 12 with a static address, DNS, password and keys — the files PVE writes', async () => {
    const steps = await setupPlan(
      { ostype: 'debian', version: '12.5' },
      { hostname: 'ct101.example.com', nets: [eth0], nameserver: '198.18.0.53 198.18.0.54', searchdomain: 'example.com', rootPassword: HASH, sshKeys: 'ssh-ed25519 AAAA a@b' },
    );
    expect(steps).toEqual([
      { kind: 'root-password', hash: HASH },
      { kind: 'mkdir', path: '/root/.ssh', mode: 0o700 },
      { kind: 'section', path: '/root/.ssh/authorized_keys', content: 'ssh-ed25519 AAAA a@b', mode: 0o600, placement: 'append' },
      {
        kind: 'write',
        path: '/etc/network/interfaces',
        mode: 0o644,
        content:
          'auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n' +
          'auto eth0\niface eth0 inet static\n\taddress 198.18.0.10/24\n\tgateway 198.18.0.1\n\n' +
          'iface eth0 inet6 static\n\taddress fd00::10/64\n\tgateway fd00::1\n\n',
      },
      { kind: 'hosts', path: '/etc/hosts', line: '198.18.0.10 ct101.example.com ct101' },
      { kind: 'write', path: '/etc/hostname', content: 'ct101\n', mode: 0o644 },
      {
        kind: 'section',
        path: '/etc/resolv.conf',
        content: 'search example.com\nnameserver 198.18.0.53\nnameserver 198.18.0.54\n',
        mode: 0o644,
        placement: 'replace',
        replaceSymlink: true,
      },
    ]);
  });

  it('plan: busybox gets address + netmask (its ifup cannot take a prefix), DHCP stanzas, no inet6 auto (it has no such method) and 127.0.1.1 without a static address', async () => {
    const steps = await setupPlan(
      { ostype: 'busybox', version: '' },
      { hostname: 'ct102', nets: [{ name: 'eth1', ip: 'dhcp', ip6: 'auto' }, { name: 'eth0', ip: '10.1.2.3/20', gw: '10.1.0.1' }] },
    );
    expect(byPath(steps, '/etc/network/interfaces')).toMatchObject({
      content:
        'auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n' +
        'auto eth0\niface eth0 inet static\n\taddress 10.1.2.3\n\tnetmask 255.255.240.0\n\tgateway 10.1.0.1\n\n' +
        'auto eth1\niface eth1 inet dhcp\n\n',
    });
    expect(byPath(steps, '/etc/hosts')).toEqual({ kind: 'hosts', path: '/etc/hosts', line: '127.0.1.1 ct102' });
    expect(byPath(steps, '/etc/resolv.conf')).toBeUndefined();
  });

  it('plan: a gateway outside the subnet gets the route scripts in PVE markers', () => {
    expect(networkInterfacesFile([{ name: 'eth0', ip: '198.18.0.10/32', gw: '198.18.0.1' }], 'cidr')).toBe(
      'auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n' +
        'auto eth0\niface eth0 inet static\n\taddress 198.18.0.10/32\n' +
        '# --- BEGIN PVE ---\n\tpost-up ip route add 198.18.0.1 dev eth0\n\tpost-up ip route add default via 198.18.0.1 dev eth0\n' +
        '\tpre-down ip route del default via 198.18.0.1 dev eth0\n\tpre-down ip route del 198.18.0.1 dev eth0\n# --- END PVE ---\n\n',
    );
  });

  it('plan: Ubuntu 22.04 gets systemd-networkd files and loses the image netplan file; 16.04 keeps ifupdown', async () => {
    const steps = await setupPlan({ ostype: 'ubuntu', version: '22.04' }, { hostname: 'u', nets: [eth0] });
    expect(byPath(steps, '/etc/systemd/network/eth0.network')).toMatchObject({
      content:
        '[Match]\nName = eth0\n\n[Network]\nDescription = Interface eth0 autoconfigured by Hyperdesk\n' +
        'Address = 198.18.0.10/24\nGateway = 198.18.0.1\nAddress = fd00::10/64\nGateway = fd00::1\nDHCP = no\n',
    });
    expect(byPath(steps, '/etc/netplan/10-lxc.yaml')).toEqual({ kind: 'remove', path: '/etc/netplan/10-lxc.yaml' });
    expect(byPath(steps, '/etc/network/interfaces')).toBeUndefined();
    const old = await setupPlan({ ostype: 'ubuntu', version: '16.04' }, { hostname: 'u', nets: [eth0] });
    expect(byPath(old, '/etc/network/interfaces')).toMatchObject({ content: expect.stringContaining('\taddress 198.18.0.10\n\tnetmask 255.255.255.0\n') as unknown });
  });

  it('plan: systemd-networkd DHCP and an off-link gateway route', () => {
    expect(systemdNetworkFile({ name: 'eth0', ip: 'dhcp', ip6: '2001:db8::5/128', gw6: '2001:db8:1::1' })).toBe(
      '[Match]\nName = eth0\n\n[Network]\nDescription = Interface eth0 autoconfigured by Hyperdesk\n' +
        'Address = 2001:db8::5/128\nGateway = 2001:db8:1::1\nDHCP = ipv4\n\n[Route]\nDestination = 2001:db8:1::1/128\nScope = link\n',
    );
  });

  it('plan: Alpine 3.19 uses CIDR addresses, 3.12 address + netmask; unmanaged gets nothing', async () => {
    const net = { name: 'eth0', ip: '198.18.0.10/24' };
    expect(byPath(await setupPlan({ ostype: 'alpine', version: '3.19.1' }, { nets: [net] }), '/etc/network/interfaces')).toMatchObject({
      content: expect.stringContaining('\taddress 198.18.0.10/24\n') as unknown,
    });
    expect(byPath(await setupPlan({ ostype: 'alpine', version: '3.12.0' }, { nets: [net] }), '/etc/network/interfaces')).toMatchObject({
      content: expect.stringContaining('\taddress 198.18.0.10\n\tnetmask 255.255.255.0\n') as unknown,
    });
    expect(await setupPlan({ ostype: 'unmanaged', version: '' }, { hostname: 'x', nets: [net] })).toEqual([]);
  });

  it('rejects a bad address, hostname or interface name before anything is written', async () => {
    const debian = { ostype: 'debian', version: '12' } as const;
    await expect(setupPlan(debian, { nets: [{ name: 'eth0', ip: '198.18.0.300/24' }] })).rejects.toMatchObject({ code: 'invalid-params' });
    await expect(setupPlan(debian, { hostname: 'bad_name' })).rejects.toMatchObject({ code: 'invalid-params' });
    await expect(setupPlan(debian, { nets: [{ name: 'eth0/../x', ip: 'dhcp' }] })).rejects.toMatchObject({ code: 'invalid-params' });
  });

  it('hashes a plain password with SHA-512 crypt that openssl reproduces from the same salt', async () => {
    const steps = await setupPlan({ ostype: 'debian', version: '12' }, { rootPassword: 'correct horse' });
    const step = steps[0];
    if (step?.kind !== 'root-password') throw new Error('no root-password step');
    const salt = step.hash.split('$')[2] ?? '';
    expect(step.hash).toMatch(/^\$6\$[^$]+\$[./0-9A-Za-z]{86}$/);
    expect(await hashPassword('correct horse', salt)).toBe(step.hash);
    const { stdout } = await runChecked('openssl', ['passwd', '-6', '-salt', salt, 'wrong horse']);
    expect(stdout.trim()).not.toBe(step.hash);
  });
});

describe('file edits', () => {
  it('a section is replaced in place, appended, or replaces the file', () => {
    const old = 'keep 1\n# --- BEGIN PVE ---\nold\n# --- END PVE ---\nkeep 2\n';
    expect(modifySection(old, 'new', 'append')).toBe('keep 1\n# --- BEGIN PVE ---\nnew\n# --- END PVE ---\nkeep 2\n');
    expect(modifySection('mine\n\n', 'k1\n', 'append')).toBe('mine\n# --- BEGIN PVE ---\nk1\n# --- END PVE ---\n');
    expect(modifySection('nameserver 1.1.1.1\n', 'nameserver 9.9.9.9\n', 'replace')).toBe('# --- BEGIN PVE ---\nnameserver 9.9.9.9\n# --- END PVE ---\n');
    expect(modifySection(undefined, 'x', 'append')).toBe('# --- BEGIN PVE ---\nx\n# --- END PVE ---\n');
  });

  it('/etc/hosts gets localhost lines only when the guest has none of its own', () => {
    expect(updateEtcHosts(undefined, '127.0.1.1 ct')).toBe(
      '# --- BEGIN PVE ---\n127.0.0.1 localhost.localnet localhost\n::1 localhost.localnet localhost\n127.0.1.1 ct\n# --- END PVE ---\n',
    );
    expect(updateEtcHosts('127.0.0.1 localhost\n', '127.0.1.1 ct')).toBe(
      '127.0.0.1 localhost\n# --- BEGIN PVE ---\n::1 localhost.localnet localhost\n127.0.1.1 ct\n# --- END PVE ---\n',
    );
  });

  it("changes root's line only: shadow's hash and day, passwd's hash", () => {
    const now = new Date('2025-01-02T12:00:00Z');
    const shadow = 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n';
    expect(setRootHash(shadow, HASH, 'shadow', now, '/etc/shadow')).toBe(`root:${HASH}:20090:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n`);
    expect(setRootHash('root:x:0:0:root:/root:/bin/sh\n', HASH, 'passwd', now, '/etc/passwd')).toBe(`root:${HASH}:0:0:root:/root:/bin/sh\n`);
    expect(() => setRootHash('daemon:*:1::::::\n', HASH, 'shadow', now, '/etc/shadow')).toThrow(/no root entry/);
  });

  it('knows which addresses are on-link', () => {
    expect(ipInCidr('198.18.0.1', '198.18.0.10/24', 4)).toBe(true);
    expect(ipInCidr('198.18.1.1', '198.18.0.10/24', 4)).toBe(false);
    expect(ipInCidr('fe80::1', 'fe80::/10', 6)).toBe(true);
    expect(ipInCidr('2001:db8::ffff:1', '2001:db8::5/64', 6)).toBe(true);
    expect(ipInCidr('2001:db8:1::1', '2001:db8::5/64', 6)).toBe(false);
  });
});
