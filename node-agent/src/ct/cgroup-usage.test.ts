// cgroup v1 files captured from a running busybox container on a hybrid node (its payload folder renamed lxc/239,
// its init moved into init.scope as systemd does), v2 files as a PVE 8 node lays them out (lxc/<ctid>/ns/init.scope).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cgroupLayout,
  containerCgroupPath,
  parseBlkioServiceBytes,
  parseCgroupMounts,
  parseIoStat,
  parseProcCgroup,
  readCgroupCounters,
  readCgroupMemory,
  type CgroupMounts,
} from './cgroup-usage';

const fixtures = join(__dirname, '__fixtures__');
const text = (version: string, file: string) => readFileSync(join(fixtures, version, file), 'utf8');

/** The fixture's mounts, moved under the fixture folder that holds their files. */
const mountsIn = (version: string): CgroupMounts => {
  const mounts = parseCgroupMounts(text(version, 'mountinfo.txt'));
  const moved = (mount: { root: string; mountPoint: string }) => ({ ...mount, mountPoint: join(fixtures, version, mount.mountPoint) });
  return { v1: new Map([...mounts.v1].map(([controller, mount]) => [controller, moved(mount)])), ...(mounts.v2 ? { v2: moved(mounts.v2) } : {}) };
};

describe('cgroup mounts and paths', () => {
  it('maps each v1 controller to its hierarchy and finds the cgroup2 mount of a hybrid node', () => {
    const mounts = parseCgroupMounts(text('cgroup-v1', 'mountinfo.txt'));
    expect(mounts.v1.get('cpuacct')).toEqual({ root: '/', mountPoint: '/sys/fs/cgroup/cpuacct' });
    expect(mounts.v1.get('memory')?.mountPoint).toBe('/sys/fs/cgroup/memory');
    expect(mounts.v1.has('name=systemd')).toBe(false);
    expect(mounts.v1.has('rw')).toBe(false);
    expect(mounts.v2).toEqual({ root: '/', mountPoint: '/sys/fs/cgroup/unified' });
  });

  it('reads co-mounted controllers, escaped mount points and a bind-mounted subtree', () => {
    const mounts = parseCgroupMounts(
      '40 31 0:37 /lxc /mnt/my\\040cg rw,relatime - cgroup cgroup rw,cpu,cpuacct\n41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n',
    );
    expect(mounts.v1.get('cpu')).toEqual({ root: '/lxc', mountPoint: '/mnt/my cg' });
    const layout = cgroupLayout(mounts, parseProcCgroup('2:cpu,cpuacct:/lxc/300\n'), 300);
    expect(layout).toEqual({ version: 1, cpuacct: '/mnt/my cg/300' });
    // Outside the bind-mounted subtree: not reachable through this mount.
    expect(cgroupLayout(mounts, parseProcCgroup('2:cpu,cpuacct:/other/300\n'), 300)).toBeUndefined();
  });

  it("trims the init's path to the container's own cgroup", () => {
    expect(containerCgroupPath('/lxc/239/init.scope', 239)).toBe('/lxc/239');
    expect(containerCgroupPath('/lxc/239/ns/init.scope', 239)).toBe('/lxc/239');
    expect(containerCgroupPath('/lxc.payload.239/init.scope', 239)).toBe('/lxc.payload.239');
    expect(containerCgroupPath('/lxc/239-1', 239)).toBe('/lxc/239-1');
    expect(containerCgroupPath('/agent/lxc/239/lxc/239', 239)).toBe('/agent/lxc/239');
    // Not LXC's pattern (a number elsewhere, another container): left as it is.
    expect(containerCgroupPath('/machine/239', 239)).toBe('/machine/239');
    expect(containerCgroupPath('/lxc/2390', 239)).toBe('/lxc/2390');
  });
});

describe('cgroup v1 counters', () => {
  const layout = cgroupLayout(mountsIn('cgroup-v1'), parseProcCgroup(text('cgroup-v1', 'proc-cgroup.txt')), 239);

  it("uses the v1 hierarchies on a hybrid node, at the container's folder", () => {
    expect(layout).toEqual({
      version: 1,
      cpuacct: join(fixtures, 'cgroup-v1/sys/fs/cgroup/cpuacct/lxc/239'),
      memory: join(fixtures, 'cgroup-v1/sys/fs/cgroup/memory/lxc/239'),
      blkio: join(fixtures, 'cgroup-v1/sys/fs/cgroup/blkio/lxc/239'),
    });
  });

  it('reads CPU ns, memory without page cache, swap, and block I/O', async () => {
    if (layout === undefined) throw new Error('no layout');
    // usage_in_bytes 9613312 - total_cache 9019392; memsw equals usage: no swap.
    expect(await readCgroupCounters(layout)).toEqual({ cpuNs: 109486843, mem: 593920, swap: 0, read: 9015296, write: 4202496 });
    expect(await readCgroupMemory(layout)).toEqual({ mem: 593920, swap: 0 });
  });

  it('counts a missing controller as 0 rather than failing', async () => {
    expect(await readCgroupCounters({ version: 1, memory: join(fixtures, 'cgroup-v1/sys/fs/cgroup/memory/lxc/239') })).toMatchObject({ cpuNs: 0, read: 0, write: 0, mem: 593920 });
  });

  it('sums Read and Write over devices, not Total, Sync or Async', () => {
    expect(parseBlkioServiceBytes('8:0 Read 10\n8:0 Write 20\n8:0 Sync 30\n8:0 Total 30\n8:16 Read 1\n8:16 Write 2\nTotal 33\n')).toEqual({ read: 11, write: 22 });
    expect(parseBlkioServiceBytes('Total 0\n')).toEqual({ read: 0, write: 0 });
  });
});

describe('cgroup v2 counters', () => {
  const layout = cgroupLayout(mountsIn('cgroup-v2'), parseProcCgroup(text('cgroup-v2', 'proc-cgroup.txt')), 239);

  it("finds the container's folder above ns/init.scope", () => {
    expect(layout).toEqual({ version: 2, dir: join(fixtures, 'cgroup-v2/sys/fs/cgroup/lxc/239') });
  });

  it('reads usage_usec as ns, memory.current minus file, swap.current, and rbytes/wbytes', async () => {
    if (layout === undefined) throw new Error('no layout');
    expect(await readCgroupCounters(layout)).toEqual({ cpuNs: 2_500_000_000, mem: 73400320 - 41943040, swap: 1048576, read: 1572864, write: 4194304 });
  });

  it('parses io.stat lines with any set of keys', () => {
    expect(parseIoStat('8:0 rbytes=5 wbytes=7 rios=1 wios=1\n259:0 rbytes=1 wbytes=1 dbytes=9\n')).toEqual({ read: 6, write: 8 });
    expect(parseIoStat('')).toEqual({ read: 0, write: 0 });
  });

  it('has no layout when the init is in no hierarchy the node mounts', () => {
    expect(cgroupLayout({ v1: new Map() }, parseProcCgroup('0::/lxc/239\n'), 239)).toBeUndefined();
  });
});
