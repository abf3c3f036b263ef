import { lstat, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCtTemplate } from '../../../../test/ct-templates/ct-templates';
import { runChecked } from '../../exec/run';
import { tempDirForTest } from '../../fs/temp-dir';
import { applySetup } from './apply';
import { detectDistribution } from './detect';
import { setupPlan } from './plan';
import { makeRootfs } from './rootfs-fixture';

const HASH = '$6$salt$abcdefghijklmnopqrstuv';
const NOW = new Date('2025-01-02T12:00:00Z');
const modeOf = async (path: string) => (await lstat(path)).mode & 0o7777;

describe('applySetup', () => {
  it("leaves a file alone when the container has PVE's /etc/.pve-ignore.<name> for it", async () => {
    const root = await makeRootfs(await tempDirForTest('hd-apply-'), {
      'etc/debian_version': '12.5\n',
      'etc/hostname': 'kept\n',
      'etc/.pve-ignore.hostname': '',
    });
    const skipped: string[] = [];
    const plan = await setupPlan(await detectDistribution(root), { hostname: 'ct102', nets: [{ name: 'eth0', ip: 'dhcp' }] });
    await applySetup(root, plan, { now: NOW, onSkip: (_step, file) => skipped.push(file) });
    expect(await readFile(join(root, 'etc/hostname'), 'utf8')).toBe('kept\n');
    expect(skipped).toEqual(['/etc/.pve-ignore.hostname']);
    expect(await readFile(join(root, 'etc/network/interfaces'), 'utf8')).toContain('iface eth0 inet dhcp');
  });

  it('writes the plan into a Debian tree: new files, edited shadow, keys 0600 in a 0700 folder, resolv.conf symlink replaced', async () => {
    const root = await makeRootfs(await tempDirForTest('hd-apply-'), {
      'etc/debian_version': '12.5\n',
      'etc/hosts': '127.0.0.1 localhost\n::1 localhost ip6-localhost\n',
      'etc/shadow': 'root:*:19000:0:99999:7:::\nnobody:*:19000::::::\n',
      'etc/resolv.conf': { link: '../run/systemd/resolve/stub-resolv.conf' },
      root: { dir: true },
    });
    const plan = await setupPlan(await detectDistribution(root), {
      hostname: 'ct101',
      nets: [{ name: 'eth0', ip: '198.18.0.10/24', gw: '198.18.0.1' }],
      nameserver: '198.18.0.53',
      rootPassword: HASH,
      sshKeys: 'ssh-ed25519 AAAA a@b\n',
    });
    await applySetup(root, plan, { now: NOW });
    expect(await readFile(join(root, 'etc/hostname'), 'utf8')).toBe('ct101\n');
    expect(await readFile(join(root, 'etc/hosts'), 'utf8')).toBe(
      '127.0.0.1 localhost\n::1 localhost ip6-localhost\n# --- BEGIN PVE ---\n198.18.0.10 ct101\n# --- END PVE ---\n',
    );
    expect(await readFile(join(root, 'etc/shadow'), 'utf8')).toBe(`root:${HASH}:20090:0:99999:7:::\nnobody:*:19000::::::\n`);
    expect(await readFile(join(root, 'etc/network/interfaces'), 'utf8')).toContain('\taddress 198.18.0.10/24\n\tgateway 198.18.0.1\n');
    expect((await lstat(join(root, 'etc/resolv.conf'))).isFile()).toBe(true);
    expect(await readFile(join(root, 'etc/resolv.conf'), 'utf8')).toBe('# --- BEGIN PVE ---\nnameserver 198.18.0.53\n# --- END PVE ---\n');
    expect(await readFile(join(root, 'root/.ssh/authorized_keys'), 'utf8')).toBe('# --- BEGIN PVE ---\nssh-ed25519 AAAA a@b\n# --- END PVE ---\n');
    expect(await modeOf(join(root, 'root/.ssh'))).toBe(0o700);
    expect(await modeOf(join(root, 'root/.ssh/authorized_keys'))).toBe(0o600);
    expect((await readdir(join(root, 'etc'))).filter((name) => name.includes('.hd-'))).toEqual([]);

    // A second run (every start, as PVE) replaces the sections rather than adding more.
    await applySetup(root, await setupPlan({ ostype: 'debian', version: '12.5' }, { hostname: 'ct102', sshKeys: 'ssh-ed25519 BBBB c@d' }), { now: NOW });
    expect(await readFile(join(root, 'etc/hosts'), 'utf8')).toBe(
      '127.0.0.1 localhost\n::1 localhost ip6-localhost\n# --- BEGIN PVE ---\n127.0.1.1 ct102\n# --- END PVE ---\n',
    );
    expect(await readFile(join(root, 'root/.ssh/authorized_keys'), 'utf8')).toBe('# --- BEGIN PVE ---\nssh-ed25519 BBBB c@d\n# --- END PVE ---\n');
  });

  it('refuses /etc/hostname -> /etc/../../host-file and writes nothing outside the rootfs', async () => {
    const outside = await tempDirForTest('hd-outside-');
    const root = await makeRootfs(join(outside, 'rootfs'), {
      'etc/hostname': { link: '/etc/../../host-file' },
      'etc/debian_version': '12\n',
    });
    await writeFile(join(outside, 'host-file'), 'host\n');
    const plan = await setupPlan({ ostype: 'debian', version: '12' }, { hostname: 'evil' });
    await expect(applySetup(root, plan)).rejects.toMatchObject({ code: 'access-denied', message: expect.stringContaining('/etc/hostname') as unknown });
    expect(await readFile(join(outside, 'host-file'), 'utf8')).toBe('host\n');
    expect(await readlink(join(root, 'etc/hostname'))).toBe('/etc/../../host-file');
    expect((await readdir(outside)).sort()).toEqual(['host-file', 'rootfs']);
  });

  it('refuses /etc -> a host folder, for writes and for the shadow edit, and leaves that folder untouched', async () => {
    const host = await tempDirForTest('hd-host-etc-');
    await writeFile(join(host, 'shadow'), 'root:HOST:1:::::\n');
    const root = await makeRootfs(await tempDirForTest('hd-apply-'), { etc: { link: host } });
    for (const options of [{ hostname: 'evil' }, { rootPassword: HASH }]) {
      const plan = await setupPlan({ ostype: 'busybox', version: '' }, options);
      await expect(applySetup(root, plan)).rejects.toMatchObject({ code: 'access-denied', message: expect.stringContaining('/etc') as unknown });
    }
    expect(await readdir(host)).toEqual(['shadow']);
    expect(await readFile(join(host, 'shadow'), 'utf8')).toBe('root:HOST:1:::::\n');
  });

  it('sets up the real busybox template, whose shell then reads the result (chroot)', async () => {
    const [template = ''] = await buildCtTemplate('busybox');
    const root = await tempDirForTest('hd-apply-busybox-');
    await runChecked('tar', ['--extract', '--gzip', '--numeric-owner', '--file', template, '--directory', root]);
    const distro = await detectDistribution(root);
    expect(distro).toEqual({ ostype: 'busybox', version: '' });
    const plan = await setupPlan(distro, {
      hostname: 'bb1.example.com',
      nets: [{ name: 'eth0', hwaddr: 'BC:24:11:00:00:02', ip: '198.18.0.20/24', gw: '198.18.0.1' }],
      nameserver: '198.18.0.53',
      searchdomain: 'example.com',
      rootPassword: 'secret',
    });
    await applySetup(root, plan);
    const { stdout } = await runChecked('chroot', [root, '/bin/sh', '-c', 'cat /etc/hostname; head -n1 /etc/shadow | cut -c1-8; grep address /etc/network/interfaces; grep nameserver /etc/resolv.conf']);
    expect(stdout).toBe('bb1\nroot:$6$\n\taddress 198.18.0.20\nnameserver 198.18.0.53\n');
    expect(await readFile(join(root, 'etc/hosts'), 'utf8')).toContain('198.18.0.20 bb1.example.com bb1\n');
    expect(await modeOf(join(root, 'etc/shadow'))).toBe(0o600);
  }, 120_000);
});
