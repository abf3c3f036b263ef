import { describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import { sectionsOf } from '../../vm/config/conf-document';
import { parseCtConf } from './ct-conf';
import { ctHotplugClassOf, formatCtValue } from './ct-keys';
import { formatCtNet, parseCtNet } from './ct-net';
import { CT_FIXTURE_NAMES, ctFixtureText } from './fixtures';
import { formatMountPoint, parseMountPoint } from './mount-point';
import { typedCtConfig } from './typed';
import { ctConfigErrors, unsafeCtKeys, validateCtConfig } from './validate';

const errorsOf = (values: Record<string, string | number>, forCreate = false): unknown => {
  try {
    validateCtConfig(values, { forCreate });
  } catch (error) {
    if (!isAppError(error, 'invalid-params')) throw error;
    return error.details?.errors;
  }
  return {};
};

const ROOTFS = 'local-lvm:vm-100-disk-0,size=8G';

describe('container config schema', () => {
  it.each(CT_FIXTURE_NAMES)('%s validates in every section and is written in canonical form', (name) => {
    const sections = sectionsOf(parseCtConf(ctFixtureText(name)));
    expect(
      sections.map((s) => ctConfigErrors(s.values, { section: s.kind === 'special' ? 'current' : s.kind })),
    ).toEqual(sections.map(() => ({})));
    for (const section of sections)
      for (const [key, value] of Object.entries(section.values)) expect(formatCtValue(key, value)).toBe(value);
  });

  it('collects every problem with the key in the message', () => {
    expect(
      errorsOf({
        foo: '1',
        cores: 0,
        cpulimit: '8193',
        memory: 8,
        ostype: 'windows',
        tty: 7,
        net0: 'name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=10.0.0.300/24',
        net1: 'bridge=vmbr0,hwaddr=BC:24:11:00:00:02',
        features: 'nesting=1,docker=1',
      }),
    ).toEqual({
      foo: 'foo: unknown config key',
      cores: 'cores: must be 1..8192',
      cpulimit: 'cpulimit: must be a number of CPUs 0..8192',
      memory: 'memory: must be 16..16777216',
      ostype:
        'ostype: must be one of debian, devuan, ubuntu, centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged',
      tty: 'tty: must be 0..6',
      net0: 'net0: "ip" must be an IPv4 CIDR, dhcp or manual',
      net1: 'net1: "name" (the interface name inside the container) is required',
      features: 'features: unknown option "docker"',
      rootfs: "rootfs: is required (the container's root file system)",
    });
    expect(
      errorsOf({
        rootfs: ROOTFS,
        unprivileged: 1,
        mp0: 'local-lvm:vm-100-disk-1,mp=/data,quota=1',
        mp1: '/srv/a,mp=/data',
        net0: 'name=eth0,hwaddr=BC:24:11:00:00:01',
        net1: 'name=eth0,hwaddr=BC:24:11:00:00:02',
      }),
    ).toEqual({
      mp0: 'mp0: quota is not supported in unprivileged containers',
      mp1: 'mp1: mounts on /data, which mp0 already uses',
      net1: 'net1: interface name eth0 is already used by net0',
    });
  });

  it.each(['../x', 'a b', '-x', 'x-', 'a..b', 'a_b', '', 'x'.repeat(64), `${'a.'.repeat(127)}ab`])(
    'refuses hostname %j',
    (hostname) => {
      expect(ctConfigErrors({ rootfs: ROOTFS, hostname })).toHaveProperty('hostname');
    },
  );

  it('accepts DNS host names', () => {
    for (const hostname of ['web', 'db-01', 'a.b.example', 'x'.repeat(63), '4chan'])
      expect(ctConfigErrors({ rootfs: ROOTFS, hostname })).toEqual({});
  });

  it.each([
    ['mp=data', 'must be an absolute path'],
    ['mp=/srv/../etc', 'must not contain . or ..'],
    ['mp=/srv/./x', 'must not contain . or ..'],
    ['mp=/srv//x', 'must be normalized'],
    ['mp=/srv/x/', 'must be normalized'],
    ['mp=/', 'is the root file system'],
    ['mp=/proc', 'is under /proc'],
    ['mp=/sys/fs/cgroup', 'is under /sys'],
    ['mp=/dev/shm', 'is under /dev'],
  ])('refuses mount point %s', (target, why) => {
    const errors = ctConfigErrors({ rootfs: ROOTFS, mp0: `local:100/vm-100-disk-1.raw,${target}` });
    expect(errors.mp0).toContain(why);
  });

  it.each([
    ['/proc', "under the host's /proc"],
    ['/proc/1/root', "under the host's /proc"],
    ['/sys/kernel', "under the host's /sys"],
    ['/dev/sda1', 'device mount points are not supported'],
    ['/', 'cannot be bind-mounted'],
    ['/srv/../proc', 'must not contain . or ..'],
    ['/srv//x', 'must be normalized'],
  ])('refuses bind source %s', (source, why) => {
    expect(ctConfigErrors({ rootfs: ROOTFS, mp0: `${source},mp=/mnt/x` }).mp0).toContain(why);
  });

  it('allows STORAGE:SIZE volumes and NICs without hwaddr only for create/set, and refuses system keys there', () => {
    const input = {
      rootfs: 'local-lvm:8',
      mp0: 'local-lvm:16,mp=/data,backup=1',
      net0: 'name=eth0,bridge=vmbr0,ip=dhcp',
    };
    expect(errorsOf(input, true)).toEqual({});
    expect(Object.keys(errorsOf(input) as object).sort()).toEqual(['mp0', 'net0', 'rootfs']);
    expect(errorsOf({ rootfs: ROOTFS, lock: 'backup', parent: 'snap1', snaptime: 1 }, true)).toEqual({
      lock: 'lock: is managed by the system and cannot be set',
      parent: 'parent: is managed by the system and cannot be set',
      snaptime: 'snaptime: is only valid in a snapshot',
    });
  });

  it('passes raw lxc.* keys PVE passes (flagged unsafe) and refuses the ones it generates', () => {
    const lxc = [
      ['lxc.cgroup2.devices.allow', 'c 10:200 rwm'],
      ['lxc.cgroup2.devices.allow', 'c 10:229 rwm'],
      ['lxc.rootfs.path', '/tmp/x'],
      ['lxc.foo', '1'],
    ] as const;
    expect(ctConfigErrors({ rootfs: ROOTFS, 'lxc.apparmor.profile': 'unconfined' }, { lxc })).toEqual({
      'lxc.rootfs.path': 'lxc.rootfs.path: is generated from rootfs',
      'lxc.foo': 'lxc.foo: unknown config key',
    });
    expect(unsafeCtKeys({ rootfs: ROOTFS, 'lxc.apparmor.profile': 'unconfined' }, lxc.slice(0, 2))).toEqual([
      'lxc.apparmor.profile',
      'lxc.cgroup2.devices.allow',
    ]);
  });

  it('classifies hotplug as PVE applies changes to a running container', () => {
    expect(
      [
        'hostname',
        'cores',
        'cpulimit',
        'cpuunits',
        'memory',
        'swap',
        'net3',
        'mp7',
        'rootfs',
        'features',
        'unused0',
      ].map(ctHotplugClassOf),
    ).toEqual([
      'immediate',
      'cgroup',
      'cgroup',
      'cgroup',
      'cgroup',
      'cgroup',
      'network',
      'mount',
      false,
      false,
      'immediate',
    ]);
    expect(ctHotplugClassOf('mp256')).toBe(false);
    expect(ctHotplugClassOf('net32')).toBe(false);
  });

  it('writes values the way PVE does', () => {
    expect(formatCtValue('net0', 'type=veth,ip=dhcp,hwaddr=bc:24:11:aa:bb:cc,bridge=vmbr0,name=eth0')).toBe(
      'name=eth0,bridge=vmbr0,hwaddr=BC:24:11:AA:BB:CC,ip=dhcp,type=veth',
    );
    expect(formatCtValue('mp0', 'size=8G,backup=1,mp=/data,volume=local:100/vm-100-disk-1.raw')).toBe(
      'local:100/vm-100-disk-1.raw,mp=/data,backup=1,size=8G',
    );
    expect(formatCtValue('features', 'nesting=1,keyctl=1')).toBe('keyctl=1,nesting=1');
    expect(formatCtValue('tags', 'web, prod;db')).toBe('web;prod;db');
    expect(formatCtValue('cpulimit', '1.50')).toBe('1.5');
    expect(formatCtValue('unprivileged', 'yes')).toBe('1');
  });

  it('parses mount points and NICs into their typed form and back', () => {
    const bind = parseMountPoint('mp1', '/srv/iso,mp=/mnt/iso,ro=1');
    expect(bind).toMatchObject({ kind: 'bind', mp: '/mnt/iso', ro: true, backup: false, replicate: true });
    expect(formatMountPoint(bind)).toBe('/srv/iso,mp=/mnt/iso,ro=1');
    expect(parseMountPoint('mp0', 'local-lvm:4,mp=/data', true).alloc).toEqual({ storage: 'local-lvm', sizeGiB: 4 });
    expect(() => parseMountPoint('mp0', 'local-lvm:4,mp=/data')).toThrow('only create and set accept');
    const net = parseCtNet('net1', 'name=eth1,bridge=vmbr1,hwaddr=BC:24:11:7E:21:0B,ip=dhcp,ip6=auto,rate=12.5,tag=40');
    expect(net).toMatchObject({ index: 1, name: 'eth1', tag: 40, rate: 12.5, firewall: false, ip6: 'auto' });
    expect(formatCtNet(net)).toBe('name=eth1,bridge=vmbr1,hwaddr=BC:24:11:7E:21:0B,ip=dhcp,ip6=auto,rate=12.5,tag=40');
    expect(() => parseCtNet('net0', 'name=eth0,ip=dhcp,gw=10.0.0.1')).toThrow('"gw" needs a static "ip"');
    expect(() => parseCtNet('net0', 'name=eth0,hwaddr=01:00:5E:00:00:01')).toThrow('multicast');
  });

  it('gives a typed view with PVE defaults', () => {
    const ct = typedCtConfig({ rootfs: ROOTFS, 'lxc.mount.auto': 'cgroup:rw' }, [['lxc.idmap', 'u 0 100000 65536']]);
    expect(ct).toMatchObject({
      arch: 'amd64',
      ostype: 'unmanaged',
      memory: 512,
      swap: 512,
      cpulimit: 0,
      tty: 2,
      console: true,
      cmode: 'tty',
      unprivileged: false,
      lxc: [
        ['lxc.mount.auto', 'cgroup:rw'],
        ['lxc.idmap', 'u 0 100000 65536'],
      ],
    });
    expect(ct.cores).toBeUndefined();
    const error = (() => {
      try {
        typedCtConfig({ rootfs: ROOTFS, mp0: 'local:x,mp=/data,size=big' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isAppError(error, 'invalid-params') && error.message).toBe('mp0: "size" must be a size such as 8G');
  });
});
