// Container volumes as pct makes them, on a real lab node with real LXC: a raw ext4 rootfs on a dir storage whose
// size holds inside (df, ENOSPC) and grows while the container runs and while it is stopped; an unprivileged container
// on a raw image; a btrfs rootfs limited by a quota; a storage mount point and a bind mount (and the bind sources
// refused), mount point changes pending while running, a removed mount point kept as unused0 and freed with it; a
// stop from inside that leaves no loop device; and after destroy no volume, loop device, mount or process.
// CTs 210-219, addresses 198.18.0.80-89. One lab per machine.
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../node-agent/src/api';
import { run, runChecked } from '../../node-agent/src/exec/run';
import { useCtLab } from './ct-lab';
import { refusal, until } from './lab-calls';

const BTRFS_PATH = '/mnt/hd-ctv-btrfs';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const CTIDS = [210, 211, 212] as const;

const { call, finished, lab, nodePath } = useCtLab({ btrfs: { path: BTRFS_PATH, id: 'ctv-btrfs', quotas: true }, stopAtEnd: CTIDS });
const image = (vmid: number, disk: number) => nodePath(`var/lib/vz/images/${vmid}/vm-${vmid}-disk-${disk}.raw`);
const exists = (path: string) => stat(path).then(() => true, () => false);

/** This machine lets root grow a mounted ext4 (EXT4_IOC_RESIZE_FS needs CAP_SYS_RESOURCE, bit 24 of CapBnd). */
const canResizeOnline = async () => (BigInt(`0x${/^CapBnd:\s+([0-9a-f]+)/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? '0'}`) >> 24n) & 1n;

/** A task's end, whatever its exit status. */
const ended = (upid: string): Promise<TaskInfo> =>
  until(`task ${upid}`, async () => {
    const status = await call('task.status', { upid });
    return status.status === 'stopped' ? status : undefined;
  }, 180_000);

const exec = (vmid: number, command: string[]) => call('ct.exec', { vmid, command, timeout: 120 });

/** The size of the file system mounted at `path` inside the container, in bytes (busybox df -k). */
const dfSize = async (vmid: number, path: string): Promise<number> => {
  const { stdout } = await exec(vmid, ['df', '-k', path]);
  return Number(stdout.trim().split('\n').at(-1)?.trim().split(/\s+/)[1]) * 1024;
};

/** Loop devices attached to files under the node's root, the test's own btrfs image aside. */
const nodeLoops = async (): Promise<string[]> =>
  (await runChecked('losetup', ['-a'])).stdout.split('\n').filter((line) => line.includes(lab().node('n1').dir) && !line.includes('ctv-btrfs.img'));

/** Mounts under the node's root in a process's namespace (the test's btrfs aside). */
const mountsUnderRoot = async (pid: number | 'self'): Promise<string[]> =>
  (await readFile(`/proc/${pid}/mounts`, 'utf8')).split('\n').filter((line) => line.split(' ')[1]?.startsWith(nodePath('')) === true && !line.includes(BTRFS_PATH));

const agentPid = async () => Number((await readFile(nodePath('run/hyperdesk/agent.pid'), 'utf8')).trim());

const configOf = async (vmid: number) => (await call('ct.config', { vmid, current: true })).config;

const stopped = (vmid: number) => until(`CT ${vmid} stopped`, async () => (await call('ct.status', { vmid })).status === 'stopped' || undefined, 60_000);

describe('container volumes on a lab node', () => {
  it('a raw ext4 rootfs on a dir storage holds its size inside and grows while running and while stopped', async () => {
    await finished(await call('ct.create', { vmid: 210, ostemplate: 'local:vztmpl/busybox.tar.gz', config: { hostname: 'raw1', memory: 128, rootfs: 'local:1' }, start: true }), 180_000);
    expect((await configOf(210)).rootfs).toBe('local:210/vm-210-disk-0.raw,size=1G');
    expect((await stat(image(210, 0))).size).toBe(GiB);
    expect((await runChecked('dumpe2fs', ['-h', image(210, 0)])).stdout).toMatch(/^Filesystem features:.*\bmmp\b/m);
    // Mounted in the container monitor's namespace only: neither the host nor the agent sees the staged rootfs.
    expect(await mountsUnderRoot('self')).toEqual([]);
    expect(await mountsUnderRoot(await agentPid())).toEqual([]);
    const size = await dfSize(210, '/');
    expect(size).toBeGreaterThan(0.9 * GiB);
    expect(size).toBeLessThanOrEqual(GiB);
    const full = await exec(210, ['dd', 'if=/dev/zero', 'of=/root/big', 'bs=1M', 'count=1536']);
    expect(full.exitCode).not.toBe(0);
    expect(full.stderr).toMatch(/No space left on device/);
    await exec(210, ['rm', '/root/big']);

    expect(await refusal(call('ct.resize', { vmid: 210, disk: 'rootfs', size: '512M' }))).toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/^rootfs: volumes only grow/) as unknown });
    const online = await ended((await call('ct.resize', { vmid: 210, disk: 'rootfs', size: '+1G' })).upid);
    expect((await configOf(210)).rootfs).toBe('local:210/vm-210-disk-0.raw,size=2G');
    expect((await stat(image(210, 0))).size).toBe(2 * GiB);
    // Without CAP_SYS_RESOURCE (this sandbox) the kernel refuses to grow a mounted ext4: the task warns, the next start grows it.
    const growsOnline = (await canResizeOnline()) === 1n;
    const log = (await call('task.log', { upid: online.upid, start: 0, limit: 500 })).lines.map((line) => line.t).join('\n');
    expect(online.exitstatus).toMatch(growsOnline ? /^OK$/ : /^WARNINGS/);
    expect(log).toMatch(growsOnline ? /# nsenter --mount=\/proc\/\d+\/ns\/mnt -- resize2fs \/dev\/loop\d+/ : /WARN: rootfs: the file system could not grow while CT 210 runs — it grows at the next start \(.*resize2fs/);
    if (!growsOnline) {
      await finished(await call('ct.stop', { vmid: 210 }));
      await finished(await call('ct.start', { vmid: 210 }), 180_000);
    }
    expect(await dfSize(210, '/')).toBeGreaterThan(1.9 * GiB);

    // Stopped: a forced check, then resize2fs on the image.
    await finished(await call('ct.stop', { vmid: 210 }));
    expect(await nodeLoops()).toEqual([]);
    await finished(await call('ct.resize', { vmid: 210, disk: 'rootfs', size: '2560M' }));
    expect((await configOf(210)).rootfs).toBe('local:210/vm-210-disk-0.raw,size=2560M');
    const blocks = /^Block count:\s+(\d+)/m.exec((await runChecked('dumpe2fs', ['-h', image(210, 0)])).stdout)?.[1];
    expect(Number(blocks) * 4096).toBe(2560 * MiB);
    await finished(await call('ct.start', { vmid: 210 }), 180_000);
    expect(await dfSize(210, '/')).toBeGreaterThan(2.4 * GiB);
  });

  it('a stop from inside (poweroff) leaves no loop device or mount behind', async () => {
    expect(await nodeLoops()).toHaveLength(1);
    await exec(210, ['poweroff']);
    await stopped(210);
    await until('the rootfs loop device is gone', async () => (await nodeLoops()).length === 0 || undefined, 30_000);
    expect(await mountsUnderRoot('self')).toEqual([]);
  });

  it('an unprivileged container on a raw ext4 image starts; its files belong to 100000 on the host', async () => {
    await finished(await call('ct.create', { vmid: 211, ostemplate: 'local:vztmpl/busybox.tar.gz', config: { hostname: 'u1', memory: 64, rootfs: 'local:1', unprivileged: 1 }, start: true }), 180_000);
    const status = await call('ct.status', { vmid: 211 });
    expect(status).toMatchObject({ status: 'running', unprivileged: true });
    expect((await configOf(211)).rootfs).toBe('local:211/vm-211-disk-0.raw,size=1G');
    expect((await lab().exec('n1', 'stat', ['-c', '%u:%g', `/proc/${status.pid}/root/etc/hostname`, `/proc/${status.pid}/root/`])).stdout.trim().split('\n')).toEqual(['100000:100000', '100000:100000']);
    expect((await exec(211, ['stat', '-c', '%u', '/etc/hostname'])).stdout).toBe('0\n');
    expect((await readFile(`/proc/${status.pid}/mountinfo`, 'utf8')).split('\n').find((line) => line.split(' ')[4] === '/')).toMatch(/ - ext4 \/dev\/loop\d+ /);
    await exec(211, ['sh', '-c', 'echo inside > /root/owned']);
    expect((await lab().exec('n1', 'stat', ['-c', '%u:%g', `/proc/${status.pid}/root/root/owned`])).stdout.trim()).toBe('100000:100000');
  });

  it('a btrfs rootfs on a storage with quotas is a subvol limited to its size, raised by resize', async () => {
    await finished(await call('ct.create', { vmid: 212, ostemplate: 'local:vztmpl/busybox.tar.gz', config: { hostname: 'q1', memory: 64, rootfs: 'ctv-btrfs:0.125' }, start: true }), 180_000);
    expect((await configOf(212)).rootfs).toBe('ctv-btrfs:212/subvol-212-disk-0.subvol,size=128M');
    const subvol = nodePath(`${BTRFS_PATH}/images/212/subvol-212-disk-0.subvol`);
    const limit = async () => /^0\/\d+\s+\d+\s+\d+\s+(\d+)/m.exec((await runChecked('btrfs', ['qgroup', 'show', '-re', '--raw', '-f', '--', subvol])).stdout)?.[1];
    expect(await limit()).toBe(String(128 * MiB));
    const tooMuch = await exec(212, ['dd', 'if=/dev/zero', 'of=/root/big', 'bs=1M', 'count=200']);
    expect(tooMuch.exitCode).not.toBe(0);
    expect(tooMuch.stderr).toMatch(/Disk quota exceeded/);
    await exec(212, ['rm', '/root/big']);
    await exec(212, ['sync']);
    await finished(await call('ct.resize', { vmid: 212, disk: 'rootfs', size: '+128M' }));
    expect(await limit()).toBe(String(256 * MiB));
    expect((await configOf(212)).rootfs).toBe('ctv-btrfs:212/subvol-212-disk-0.subvol,size=256M');
    expect((await exec(212, ['dd', 'if=/dev/zero', 'of=/root/fits', 'bs=1M', 'count=150'])).exitCode).toBe(0);
  });

  it('adds a storage mount point and a bind mount, refuses unsafe bind sources, keeps a removed volume as unused0 and frees it', async () => {
    const share = nodePath('srv/share');
    await mkdir(share, { recursive: true });
    await writeFile(join(share, 'hello.txt'), 'from the host\n');
    await symlink('/proc', nodePath('srv/evil'));
    let { digest } = await call('ct.config', { vmid: 210, current: true });
    for (const [bad, message] of [
      ['/proc/self,mp=/mnt/x', /^mp2: .*\/proc/],
      [`${nodePath('srv')}/../srv/share,mp=/mnt/x`, /^mp2: .*must not contain \. or \.\./],
      [`${nodePath('srv/evil')},mp=/mnt/x`, /^mp2: the bind source resolves to \/proc/],
      [`${share},mp=/dev/x`, /^mp2: .*under \/dev/],
    ] as const)
      expect(await refusal(call('ct.set', { vmid: 210, config: { mp2: bad }, digest }))).toMatchObject({ code: 'invalid-params', message: expect.stringMatching(message) as unknown });

    // Stopped: the new volume is allocated (and formatted) at once and written back.
    ({ digest } = await call('ct.set', { vmid: 210, config: { mp0: 'local:0.25,mp=/srv/data', mp1: `${share},mp=/mnt/share`, mp4: 'local:0,mp=/srv/scratch' }, digest }));
    expect(await configOf(210)).toMatchObject({
      mp0: 'local:210/vm-210-disk-1.raw,mp=/srv/data,size=256M',
      mp1: `${share},mp=/mnt/share`,
      mp4: 'local:210/subvol-210-disk-2.subvol,mp=/srv/scratch,size=0T',
    });
    expect((await stat(image(210, 1))).size).toBe(256 * MiB);
    // A size-0 folder on a dir storage has no limit: resize only records the size.
    await finished(await call('ct.resize', { vmid: 210, disk: 'mp4', size: '1G' }));
    expect((await configOf(210)).mp4).toBe('local:210/subvol-210-disk-2.subvol,mp=/srv/scratch,size=1G');
    expect((await stat(nodePath('var/lib/vz/images/210/subvol-210-disk-2.subvol'))).isDirectory()).toBe(true);
    await finished(await call('ct.start', { vmid: 210 }), 180_000);
    expect((await exec(210, ['cat', '/mnt/share/hello.txt'])).stdout).toBe('from the host\n');
    const data = await dfSize(210, '/srv/data');
    expect(data).toBeGreaterThan(200 * MiB);
    expect(data).toBeLessThanOrEqual(256 * MiB);
    expect(await refusal(call('ct.resize', { vmid: 210, disk: 'mp1', size: '+1G' }))).toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/^mp1: .* is a bind mount/) as unknown });

    // Running: mount point changes wait for the next start; nothing is allocated yet.
    ({ digest } = await call('ct.config', { vmid: 210, current: true }));
    const set = await call('ct.set', { vmid: 210, config: { mp3: 'local:0.0625,mp=/srv/more' }, delete: ['mp0'], digest });
    expect(set.pending.sort()).toEqual(['mp0', 'mp3']);
    expect(await exists(image(210, 3))).toBe(false);
    await finished(await call('ct.stop', { vmid: 210 }));
    await finished(await call('ct.start', { vmid: 210 }), 180_000);
    const config = await configOf(210);
    expect(config).toMatchObject({ mp3: 'local:210/vm-210-disk-3.raw,mp=/srv/more,size=64M', unused0: 'local:210/vm-210-disk-1.raw' });
    expect(config.mp0).toBeUndefined();
    expect(await call('ct.pending', { vmid: 210 })).not.toContainEqual(expect.objectContaining({ pending: expect.anything() as unknown }));
    expect(await dfSize(210, '/srv/more')).toBeLessThanOrEqual(64 * MiB);
    expect((await exec(210, ['sh', '-c', "test -d /srv/data && ! grep -q ' /srv/data ' /proc/mounts"])).exitCode).toBe(0);

    // Deleting unused0 frees its volume, even while the container runs.
    ({ digest } = await call('ct.config', { vmid: 210, current: true }));
    expect((await call('ct.set', { vmid: 210, delete: ['unused0'], digest })).pending).toEqual([]);
    expect((await configOf(210)).unused0).toBeUndefined();
    expect(await exists(image(210, 1))).toBe(false);
  });

  it('destroys everything: no volume, loop device, mount or container process left', async () => {
    for (const vmid of CTIDS) {
      await finished(await call('ct.stop', { vmid }));
      await finished(await call('ct.destroy', { vmid, purge: true }));
    }
    expect(await call('ct.list', {})).toEqual([]);
    for (const storage of ['local', 'ctv-btrfs']) expect((await call('storage.content.list', { storage })).filter((volume) => volume.vmid !== undefined)).toEqual([]);
    expect(await exists(nodePath('var/lib/vz/images/210'))).toBe(false);
    expect(await nodeLoops()).toEqual([]);
    expect(await mountsUnderRoot('self')).toEqual([]);
    expect(await mountsUnderRoot(await agentPid())).toEqual([]);
    expect((await run('lxc-ls', ['-P', nodePath('var/lib/lxc'), '--running'])).stdout.trim()).toBe('');
    expect((await run('pgrep', ['-f', `lxc monitor\\] ${nodePath('var/lib/lxc')}`])).stdout.trim()).toBe('');
  });
});
