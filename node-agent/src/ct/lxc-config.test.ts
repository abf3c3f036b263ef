import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../api/errors';
import { run } from '../exec/run';
import { currentOf } from '../vm/config/conf-document';
import { parseCtConf } from './config/ct-conf';
import { CT_FIXTURE_NAMES, ctFixtureText, type CtFixtureName } from './config/fixtures';
import { typedCtConfig, type CtConfig } from './config/typed';
import {
  cgroupVersionOf,
  compileLxcConfig,
  distroConfs,
  netPlumbing,
  seccompRules,
  stagedPath,
  type CgroupVersion,
  type LxcCompileEnv,
  type LxcMountSource,
} from './lxc-config';
import type { CtMountPoint } from './config/mount-point';

const ctOf = (name: CtFixtureName): CtConfig => typedCtConfig(currentOf(parseCtConf(ctFixtureText(name))).values);

/** What the storage layer hands the compiler for the fixtures' volumes: LVM volumes are raw block devices, zfs subvols folders. */
const sourceOf = (mount: CtMountPoint): LxcMountSource => {
  const name = mount.volume.split(':')[1] ?? '';
  return mount.volume.startsWith('local-lvm:') ? { path: `/dev/pve/${name}`, fstype: 'ext4', loop: false } : { path: `/rpool/data/${name}` };
};

const envFor = (ct: CtConfig, cgroupVersion: CgroupVersion, overrides: Partial<LxcCompileEnv> = {}): LxcCompileEnv => ({
  ctid: 101,
  cgroupVersion,
  lxcDir: '/var/lib/lxc/101',
  rootfs: sourceOf(ct.rootfs),
  mounts: Object.fromEntries(ct.mountPoints.filter((m) => m.kind === 'volume').map((m) => [m.key, sourceOf(m)])),
  commonConf: '/usr/share/lxc/config/common.conf',
  usernsConf: '/usr/share/lxc/config/userns.conf',
  seccompProfile: '/var/lib/lxc/101/rules.seccomp',
  cpuset: '0-1',
  ...overrides,
});

const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

const STARTABLE = CT_FIXTURE_NAMES.filter((name) => name !== 'template');
const lxcPath = mkdtempSync(join(tmpdir(), 'hd-lxc-config-'));
afterAll(() => rmSync(lxcPath, { recursive: true, force: true }));

describe('compileLxcConfig', () => {
  it.each(STARTABLE.flatMap((name) => ([1, 2] as const).map((v) => [name, v] as const)))(
    'plan: %s compiles to the recorded LXC config (cgroup v%i)',
    (name, version) => {
      const ct = ctOf(name);
      expect(compileLxcConfig(ct, envFor(ct, version))).toMatchSnapshot();
    },
  );

  it.each(STARTABLE)("%s: the compiled config loads in this node's LXC 5 (lxc-info reads it back)", async (name) => {
    const ct = ctOf(name);
    mkdirSync(join(lxcPath, name));
    writeFileSync(join(lxcPath, name, 'config'), compileLxcConfig(ct, envFor(ct, 1)));
    const result = await run('lxc-info', ['-n', name, '-P', lxcPath, '-c', 'lxc.uts.name', '-c', 'lxc.rootfs.path'], {
      timeoutMs: 20_000,
    });
    expect(result.stderr).not.toMatch(/Failed to load config|Unknown configuration key|Failed to parse/);
    expect(result.stdout).toContain(`lxc.uts.name = ${ct.hostname ?? 'CT101'}`);
    expect(result.stdout).toContain(`lxc.rootfs.path = ${ct.rootfs.volume.startsWith('local-lvm:') ? '/var/lib/lxc/101/rootfs' : sourceOf(ct.rootfs).path}`);
  });

  it('a config line LXC does not know makes lxc-info fail (the check above can fail)', async () => {
    mkdirSync(join(lxcPath, 'broken'));
    writeFileSync(join(lxcPath, 'broken', 'config'), 'lxc.uts.name = broken\nlxc.cgroup.memory.bogus_key\n');
    const result = await run('lxc-info', ['-n', 'broken', '-P', lxcPath, '-c', 'lxc.uts.name'], { timeoutMs: 20_000 });
    expect(`${result.stdout}${result.stderr}`).toMatch(/Failed to load config/);
  });

  it('writes the limits for the cgroup version of the node', () => {
    const ct = ctOf('ubuntu-nesting'); // 8192 MiB, 2048 MiB swap, cpulimit 2.5, cpuunits 2048
    const v1 = compileLxcConfig(ct, envFor(ct, 1)).split('\n');
    expect(v1.filter((l) => /^lxc\.cgroup2?\.(memory|cpu)\./.test(l))).toEqual([
      'lxc.cgroup.memory.limit_in_bytes = 8589934592',
      'lxc.cgroup.memory.memsw.limit_in_bytes = 10737418240',
      'lxc.cgroup.cpu.cfs_period_us = 100000',
      'lxc.cgroup.cpu.cfs_quota_us = 250000',
      'lxc.cgroup.cpu.shares = 2048',
    ]);
    const v2 = compileLxcConfig(ct, envFor(ct, 2)).split('\n');
    expect(v2.filter((l) => /^lxc\.cgroup2?\.(memory|cpu)\./.test(l))).toEqual([
      'lxc.cgroup2.memory.max = 8589934592',
      'lxc.cgroup2.memory.high = 8522825728',
      'lxc.cgroup2.memory.swap.max = 2147483648',
      'lxc.cgroup2.cpu.max = 250000 100000',
      'lxc.cgroup2.cpu.weight = 2048',
    ]);
    expect(v1).toContain('lxc.cgroup.cpuset.cpus = 0-1');
    expect(v2).toContain('lxc.cgroup2.cpuset.cpus = 0-1');
  });

  it('this node is cgroup v1 for its controllers (hybrid), as cgroupVersionOf reads /proc/self/mounts', () => {
    expect(cgroupVersionOf(readFileSync('/proc/self/mounts', 'utf8'))).toBe(1);
    expect(cgroupVersionOf('cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n')).toBe(2);
  });

  it("includes the distro's common conf where the node has it, else LXC's generic one", () => {
    // This node's lxc package ships no per-distro confs: both containers fall back to common.conf.
    expect(distroConfs(ctOf('debian-bind'), existsSync)).toEqual({ commonConf: '/usr/share/lxc/config/common.conf' });
    expect(distroConfs(ctOf('ubuntu-nesting'), existsSync)).toEqual({
      commonConf: '/usr/share/lxc/config/common.conf',
      usernsConf: '/usr/share/lxc/config/userns.conf',
    });
    const present = new Set(['/usr/share/lxc/config/ubuntu.common.conf', '/usr/share/lxc/config/userns.conf']);
    expect(distroConfs(ctOf('ubuntu-nesting'), (path) => present.has(path))).toEqual({
      commonConf: '/usr/share/lxc/config/ubuntu.common.conf',
      usernsConf: '/usr/share/lxc/config/userns.conf',
    });
    expect(distroConfs(ctOf('debian-bind'), () => false)).toEqual({});
  });

  it("maps unprivileged containers to the node's subordinate ids and keeps privileged ones unmapped", () => {
    const ct = ctOf('ubuntu-nesting');
    const text = compileLxcConfig(
      ct,
      envFor(ct, 1, { idmap: { uid: { base: 200000, count: 65536 }, gid: { base: 300000, count: 65536 } } }),
    );
    expect(text.split('\n').filter((l) => l.startsWith('lxc.idmap'))).toEqual([
      'lxc.idmap = u 0 200000 65536',
      'lxc.idmap = g 0 300000 65536',
    ]);
    expect(text).toContain('lxc.apparmor.allow_nesting = 1');
    expect(text).toContain('lxc.mount.auto = sys:mixed');
    const privileged = ctOf('debian-bind');
    const plain = compileLxcConfig(privileged, envFor(privileged, 1));
    expect(plain).not.toMatch(/lxc\.idmap|lxc\.seccomp|userns\.conf|sys:mixed/);
    expect(seccompRules(privileged)).toBeUndefined();
    expect(seccompRules(ct)).not.toContain('keyctl'); // keyctl=1
    expect(seccompRules(ctOf('alpine-proxy'))).toContain('keyctl errno 38');
  });

  it('mounts bind mounts parents first with create=dir and ro; raw volumes through their staging folders', () => {
    const text = compileLxcConfig(ctOf('debian-bind'), envFor(ctOf('debian-bind'), 1));
    expect(text.split('\n').filter((l) => l.startsWith('lxc.mount.entry'))).toEqual([
      'lxc.mount.entry = /srv/iso mnt/iso none bind,create=dir,ro 0 0',
      'lxc.mount.entry = /srv/builds srv/builds none bind,create=dir 0 0',
    ]);
    const alpine = ctOf('alpine-proxy');
    const lines = compileLxcConfig(alpine, envFor(alpine, 1)).split('\n');
    // LVM volumes are block devices: mounted without a loop device, the mount options on the ext4 mount.
    expect(lines.filter((l) => /^lxc\.(hook|rootfs|mount\.entry)/.test(l))).toEqual([
      'lxc.rootfs.path = /var/lib/lxc/101/rootfs',
      'lxc.hook.version = 1',
      'lxc.hook.pre-start = mount -t ext4 -o rw -- /dev/pve/vm-103-disk-0 /var/lib/lxc/101/rootfs',
      'lxc.hook.pre-start = mount -t ext4 -o rw,noatime,nodev -- /dev/pve/vm-103-disk-1 /var/lib/lxc/101/mounts/mp0',
      'lxc.hook.post-stop = umount -R -q -- /var/lib/lxc/101/mounts/mp0 /var/lib/lxc/101/rootfs',
      'lxc.mount.entry = /var/lib/lxc/101/mounts/mp0 var/lib/nginx none bind,create=dir 0 0',
    ]);
    // A folder rootfs (zfs subvol) is LXC's rootfs itself, with no hooks.
    const zfs = ctOf('ubuntu-nesting');
    const zfsText = compileLxcConfig(zfs, envFor(zfs, 1));
    expect(zfsText).toContain('lxc.rootfs.path = /rpool/data/subvol-102-disk-0\n');
    expect(zfsText).not.toMatch(/lxc\.hook/);
  });

  it('loop-mounts raw images (dir storage) read-only where asked, quoting what sh must not split, and no noacl on ext4', () => {
    const values = {
      ...currentOf(parseCtConf(ctFixtureText('debian-bind'))).values,
      rootfs: 'local:101/vm-101-disk-0.raw,size=1G',
      mp2: "local:101/vm-101-disk-1.raw,mp=/data,ro=1,acl=0,size=2G",
    };
    const ct = typedCtConfig(values);
    const env = envFor(ct, 2, {
      rootfs: { path: "/var/lib/vz/images/101/vm-101-disk-0.raw", fstype: 'ext4', loop: true },
      mounts: { mp2: { path: "/srv/it's $HOME/vm-101-disk-1.raw", fstype: 'ext4', loop: true } },
    });
    const lines = compileLxcConfig(ct, env).split('\n');
    expect(lines.filter((l) => /^lxc\.(hook|rootfs|mount\.entry)/.test(l))).toEqual([
      'lxc.rootfs.path = /var/lib/lxc/101/rootfs',
      'lxc.hook.version = 1',
      'lxc.hook.pre-start = mount -t ext4 -o loop,rw -- /var/lib/vz/images/101/vm-101-disk-0.raw /var/lib/lxc/101/rootfs',
      "lxc.hook.pre-start = mount -t ext4 -o loop,ro -- '/srv/it'\\''s $HOME/vm-101-disk-1.raw' /var/lib/lxc/101/mounts/mp2",
      'lxc.hook.post-stop = umount -R -q -- /var/lib/lxc/101/mounts/mp2 /var/lib/lxc/101/rootfs',
      'lxc.mount.entry = /var/lib/lxc/101/mounts/mp2 data none bind,create=dir,ro 0 0',
      'lxc.mount.entry = /srv/iso mnt/iso none bind,create=dir,ro 0 0',
      'lxc.mount.entry = /srv/builds srv/builds none bind,create=dir 0 0',
    ]);
    expect(stagedPath('/var/lib/lxc/101', 'mp2')).toBe('/var/lib/lxc/101/mounts/mp2');
  });

  it('a quoted hook word reaches mount as one argument, $ and quotes untouched (as LXC runs it: sh -c "exec …")', async () => {
    const ct = typedCtConfig({ ...currentOf(parseCtConf(ctFixtureText('debian-bind'))).values, rootfs: 'local:101/vm-101-disk-0.raw' });
    const path = "/srv/it's $HOME;x/disk.raw";
    const hook = compileLxcConfig(ct, envFor(ct, 2, { rootfs: { path, fstype: 'ext4', loop: true } }))
      .split('\n')
      .find((l) => l.startsWith('lxc.hook.pre-start = '))
      ?.slice('lxc.hook.pre-start = '.length);
    // printf stands in for mount: each argument on its own line.
    const result = await run('sh', ['-c', `exec printf '%s\\n' ${hook?.replace(/^mount /, '') ?? ''}`]);
    expect(result.stdout.split('\n').slice(0, 6)).toEqual(['-t', 'ext4', '-o', 'loop,rw', '--', path]);
  });

  it('refuses a raw lxc.hook.version beside the raw volumes hooks, and a staging folder with white space', () => {
    const values = currentOf(parseCtConf(ctFixtureText('alpine-proxy'))).values;
    const withVersion = typedCtConfig(values, [['lxc.hook.version', '0']]);
    const error = errorOf(() => compileLxcConfig(withVersion, envFor(withVersion, 1)));
    expect(isAppError(error, 'not-supported') && error.message).toMatch(/^lxc\.hook\.version: /);
    const ct = typedCtConfig(values);
    expect(isAppError(errorOf(() => compileLxcConfig(ct, envFor(ct, 1, { lxcDir: '/var/lib/my lxc/101' }))), 'not-supported')).toBe(true);
  });

  it('refuses a bind source that resolves into /proc, a template and an unresolved volume', () => {
    const ct = ctOf('debian-bind');
    const error = errorOf(() => compileLxcConfig(ct, envFor(ct, 1, { mounts: { mp0: { path: '/proc/1/root' } } })));
    expect(isAppError(error, 'invalid-params') && error.message).toMatch(
      /^mp0: the bind source resolves to \/proc\/1\/root/,
    );
    const template = ctOf('template');
    expect(
      isAppError(
        errorOf(() => compileLxcConfig(template, envFor(template, 1))),
        'not-supported',
      ),
    ).toBe(true);
    const alpine = ctOf('alpine-proxy');
    expect(
      isAppError(
        errorOf(() => compileLxcConfig(alpine, envFor(alpine, 1, { mounts: {} }))),
        'internal-error',
      ),
    ).toBe(true);
  });

  it('lets LXC bridge a plain NIC and leaves tagged or firewalled ones to the executor', () => {
    const ct = ctOf('ubuntu-nesting');
    const text = compileLxcConfig(ct, envFor(ct, 1));
    expect(text).toContain('lxc.net.0.link = vmbr0');
    expect(text).not.toContain('lxc.net.1.link');
    expect(text).toContain('lxc.net.1.veth.pair = veth101i1');
    expect(netPlumbing(ct, { ctid: 101 })).toEqual([
      {
        key: 'net0',
        veth: 'veth101i0',
        attachedByLxc: true,
        bridge: 'vmbr0',
        firewall: false,
        mtu: 1450,
        linkDown: false,
      },
      {
        key: 'net1',
        veth: 'veth101i1',
        attachedByLxc: false,
        bridge: 'vmbr1',
        tag: 40,
        firewall: false,
        rateMBps: 12.5,
        linkDown: false,
      },
    ]);
    expect(netPlumbing(ctOf('debian-bind'), { ctid: 101 })[0]).toMatchObject({ attachedByLxc: false, firewall: true });
  });

  it('passes raw lxc.* entries last and lets them replace the generated idmap, AppArmor profile and cpuset', () => {
    const values = currentOf(parseCtConf(ctFixtureText('alpine-proxy'))).values;
    const ct = typedCtConfig(values, [
      ['lxc.idmap', 'u 0 100000 1000'],
      ['lxc.idmap', 'g 0 100000 1000'],
      ['lxc.apparmor.profile', 'lxc-container-default-cgns'],
      ['lxc.cgroup.cpuset.cpus', '3'],
    ]);
    const lines = compileLxcConfig(ct, envFor(ct, 1)).trimEnd().split('\n');
    expect(lines.slice(-4)).toEqual([
      'lxc.idmap = u 0 100000 1000',
      'lxc.idmap = g 0 100000 1000',
      'lxc.apparmor.profile = lxc-container-default-cgns',
      'lxc.cgroup.cpuset.cpus = 3',
    ]);
    expect(lines.filter((l) => /^lxc\.(idmap|apparmor\.profile|cgroup\.cpuset)/.test(l))).toHaveLength(4);
  });
});
