// Issue 5's acceptance on a real lab node with real LXC: a container from the busybox template with a static IP
// (started, pinged from the node, a command run in it through hdctl, its memory limit changed live and read back
// from its cgroup), a snapshot on btrfs rolling back a file change, a template that is not a root file system and
// hostile hostnames and mount sources refused with nothing left, and at the end no volume, veth or process left.
// An unprivileged container's root maps to uid 100000 on the host. One lab per machine.
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../../node-agent/src/exec/run';
import { hdctl } from './helpers';
import { useCtLab } from './ct-lab';
import { refusal, until } from './lab-calls';

const BTRFS_PATH = '/mnt/hd-ct-btrfs';
const CT_IP = '198.18.0.70';

const { call, finished, lab, nodePath, configDir } = useCtLab({ btrfs: { path: BTRFS_PATH }, stopAtEnd: [200, 201, 202] });

describe('containers on a lab node', () => {
  it('creates a busybox container with a static IP, starts it, pings it, runs a command, changes its memory live, snapshots and rolls back on btrfs', async () => {
    await finished(
      await call('ct.create', {
        vmid: 200,
        ostemplate: 'local:vztmpl/busybox.tar.gz',
        config: { hostname: 'bb1', memory: 128, swap: 64, rootfs: 'ct-btrfs:1', net0: `name=eth0,bridge=vmbr0,ip=${CT_IP}/24`, unprivileged: 0 },
        start: true,
      }),
      180_000,
    );
    expect(await call('ct.status', { vmid: 200 })).toMatchObject({ status: 'running', name: 'bb1', unprivileged: false });
    await until('the container answers ping', async () => ((await lab().exec('n1', 'ping', ['-c', '1', '-W', '1', CT_IP])).code === 0) || undefined, 60_000);

    const exec = await hdctl(configDir(), 'ct', 'exec', '200', '--command', 'hostname', '--node', 'n1', '--output', 'json');
    expect(exec.code, exec.stderr).toBe(0);
    expect(JSON.parse(exec.stdout)).toMatchObject({ exitCode: 0, stdout: 'bb1\n' });

    const { digest } = await call('ct.config', { vmid: 200, current: true });
    const set = await call('ct.set', { vmid: 200, config: { memory: 256 }, digest });
    expect(set.pending).toEqual([]);
    const limit = await lab().exec('n1', 'lxc-cgroup', ['-P', nodePath('var/lib/lxc'), '-n', '200', 'memory.limit_in_bytes']);
    expect(limit.stdout.trim()).toBe(String(256 * 1024 * 1024));

    // A snapshot on btrfs rolls back a file changed inside the container.
    await call('ct.exec', { vmid: 200, command: ['sh', '-c', 'echo before > /root/marker'] });
    await finished(await call('ct.snapshot', { vmid: 200, snapname: 'snap1' }));
    await call('ct.exec', { vmid: 200, command: ['sh', '-c', 'echo after > /root/marker'] });
    await finished(await call('ct.rollback', { vmid: 200, snapname: 'snap1', start: true }), 180_000);
    expect((await call('ct.exec', { vmid: 200, command: ['cat', '/root/marker'] })).stdout).toBe('before\n');
    await finished(await call('ct.delsnapshot', { vmid: 200, snapname: 'snap1' }));
  });

  it("creates an unprivileged container whose root is an unprivileged uid on the host (root's /etc/subuid range)", async () => {
    await finished(
      await call('ct.create', {
        vmid: 201,
        ostemplate: 'local:vztmpl/busybox.tar.gz',
        config: { hostname: 'u1', memory: 64, rootfs: 'local:1', net0: 'name=eth0,bridge=vmbr0,ip=198.18.0.71/24', unprivileged: 1 },
        start: true,
      }),
      180_000,
    );
    const status = await call('ct.status', { vmid: 201 });
    expect(status).toMatchObject({ status: 'running', unprivileged: true });
    // Inside, init is root; on the host the same process is uid 100000 (install gave root PVE's range).
    expect((await call('ct.exec', { vmid: 201, command: ['id', '-u'] })).stdout).toBe('0\n');
    const procStatus = await lab().exec('n1', 'cat', [`/proc/${status.pid}/status`]);
    const hostUid = Number(/^Uid:\s+(\d+)/m.exec(procStatus.stdout)?.[1]);
    expect(hostUid).toBe(100000);
    expect((await lab().exec('n1', 'cat', [`/proc/${status.pid}/uid_map`])).stdout.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    // Its files belong to the mapped ids too: /etc/hostname written by the setup is 100000:100000 on the host.
    expect((await lab().exec('n1', 'stat', ['-c', '%u:%g', `/proc/${status.pid}/root/etc/hostname`])).stdout.trim()).toBe('100000:100000');
  });

  it('starts an onboot container when the agent first runs after a boot (PVE startall)', async () => {
    await finished(await call('ct.stop', { vmid: 201 }));
    const { digest } = await call('ct.config', { vmid: 201, current: true });
    await call('ct.set', { vmid: 201, config: { onboot: 1, startup: 'order=1,up=1' }, digest });
    // The agent remembers the boot it last started guests for; an earlier one there means this node has booted since.
    await writeFile(nodePath('var/lib/hyperdesk/boot-id'), 'an-earlier-boot\n');
    await lab().stopAgent('n1');
    await lab().startAgent('n1');
    await until('CT 201 started on boot', async () => (await call('ct.status', { vmid: 201 }).catch(() => undefined))?.status === 'running' || undefined, 120_000);
    expect((await readFile(nodePath('var/lib/hyperdesk/boot-id'), 'utf8')).trim()).not.toBe('an-earlier-boot');
  });

  it('refuses a template that is not a root file system and leaves nothing behind', async () => {
    const error = await refusal(call('ct.create', { vmid: 202, ostemplate: 'local:vztmpl/not-a-rootfs.tar.gz', config: { rootfs: 'local:1' }, start: false }));
    expect(error?.code).toBe('invalid-params');
    expect(error?.message).toMatch(/not a container root file system/);
    expect(await refusal(call('ct.status', { vmid: 202 }))).toMatchObject({ code: 'not-found' });
    const badHost = await refusal(call('ct.create', { vmid: 202, ostemplate: 'local:vztmpl/busybox.tar.gz', config: { hostname: '../x', rootfs: 'local:1' }, start: false }));
    expect(badHost?.message).toMatch(/^hostname: /);
    const badMount = await refusal(call('ct.create', { vmid: 202, ostemplate: 'local:vztmpl/busybox.tar.gz', config: { rootfs: 'local:1', mp0: '/proc/self,mp=/mnt/x' }, start: false }));
    expect(badMount?.message).toMatch(/^mp0: /);
  });

  it('destroys everything: no volume, veth or container process left', async () => {
    for (const vmid of [200, 201]) {
      await finished(await call('ct.stop', { vmid }));
      await finished(await call('ct.destroy', { vmid, purge: true }));
    }
    expect(await call('ct.list', {})).toEqual([]);
    for (const storage of ['local', 'ct-btrfs'])
      expect(await call('storage.content.list', { storage, content: 'rootdir' })).toEqual([]);
    expect((await lab().exec('n1', 'ip', ['-o', 'link', 'show'])).stdout).not.toMatch(/veth20[01]i/);
    expect((await run('lxc-ls', ['-P', nodePath('var/lib/lxc'), '--running'])).stdout.trim()).toBe('');
  });
});
