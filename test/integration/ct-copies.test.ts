// pct template / pct clone / config import on a real lab node with real LXC: a busybox container on a btrfs loop
// storage becomes a template; a linked clone (a btrfs snapshot) and a full clone (copied to the dir storage `local`)
// each start with their own hostname, IP and MAC, answer ping, and keep their files to themselves. A linked clone of
// a container that is not a template and a clone onto a taken id are refused; a PVE config whose volume exists is
// imported through RPC, one whose volume is missing is not. At the end no volume, veth or process is left.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { run } from '../../node-agent/src/exec/run';
import { useCtLab } from './ct-lab';
import { refusal, until } from './lab-calls';

const BTRFS_PATH = '/mnt/hd-ct-copies-btrfs';
const BTRFS = 'ct-btrfs';
const TEMPLATE = 220;
const LINKED = 221;
const FULL = 222;
const IMPORTED = 225;
const ip = (vmid: number) => `198.18.0.${90 + vmid - TEMPLATE}`;

const { call, finished, lab, nodePath } = useCtLab({
  btrfs: { path: BTRFS_PATH },
  stopAtEnd: [220, 221, 222, 223, 224, 225, 226, 227, 228, 229],
});

const config = async (vmid: number) =>
  (await call('ct.config', { vmid, current: false })).config as Record<string, string | number | undefined>;
const inside = async (vmid: number, script: string) => call('ct.exec', { vmid, command: ['sh', '-c', script] });
const hwaddrOf = (net0: unknown) => /hwaddr=([0-9A-F:]{17})/.exec(String(net0))?.[1];

/** The files below a folder of the host (a guest's images), as paths. */
const filesIn = async (dir: string): Promise<string[]> =>
  (await run('find', [dir, '-type', 'f'], { timeoutMs: 60_000 })).stdout.split('\n').filter((line) => line !== '');

describe('container templates, clones and imports on a lab node', () => {
  it('makes a stopped busybox container on btrfs a template (a running one is refused, a template cannot start)', async () => {
    await finished(
      await call('ct.create', {
        vmid: TEMPLATE,
        ostemplate: 'local:vztmpl/busybox.tar.gz',
        config: {
          hostname: 'tmpl',
          memory: 64,
          swap: 0,
          rootfs: `${BTRFS}:1`,
          net0: `name=eth0,bridge=vmbr0,ip=${ip(TEMPLATE)}/24`,
          unprivileged: 0,
        },
        start: true,
      }),
      180_000,
    );
    // A file every copy must have. The template's own hostname and address stay in its files: each clone's start
    // rewrites them from the clone's config (PVE's pre-start setup).
    await inside(TEMPLATE, 'echo from-template > /root/origin');
    expect(await refusal(call('ct.template', { vmid: TEMPLATE }))).toMatchObject({
      code: 'not-supported',
      message: `CT ${TEMPLATE} is running — stop it before making it a template`,
    });
    await finished(await call('ct.stop', { vmid: TEMPLATE }));
    await finished(await call('ct.template', { vmid: TEMPLATE }));
    expect(await call('ct.status', { vmid: TEMPLATE })).toMatchObject({ template: true, status: 'stopped' });
    expect(await config(TEMPLATE)).toMatchObject({
      template: 1,
      rootfs: expect.stringMatching(new RegExp(`^${BTRFS}:${TEMPLATE}/`)) as unknown,
    });
    expect(await refusal(call('ct.template', { vmid: TEMPLATE }))).toMatchObject({ code: 'already-exists' });
    expect((await refusal(finished(await call('ct.start', { vmid: TEMPLATE }))))?.message).toMatch(/is a template/);
  });

  it('clones it linked (btrfs) and full (to local): each starts with its own hostname, IP and MAC and keeps its files to itself', async () => {
    await finished(await call('ct.clone', { vmid: TEMPLATE, newid: LINKED, hostname: 'linked1' }));
    await finished(
      await call('ct.clone', { vmid: TEMPLATE, newid: FULL, hostname: 'full1', full: true, storage: 'local' }),
      300_000,
    );
    const template = await config(TEMPLATE);
    const macs = new Set([hwaddrOf(template.net0)]);
    for (const [vmid, hostname, storage] of [
      [LINKED, 'linked1', BTRFS],
      [FULL, 'full1', 'local'],
    ] as const) {
      const values = await config(vmid);
      expect(values).toMatchObject({
        hostname,
        rootfs: expect.stringMatching(new RegExp(`^${storage}:${vmid}/`)) as unknown,
      });
      expect(values.template).toBeUndefined();
      expect(values.lock).toBeUndefined();
      const mac = hwaddrOf(values.net0);
      expect(mac).toMatch(/^BC:24:11:/);
      expect(macs.has(mac)).toBe(false);
      macs.add(mac);
      const { digest } = await call('ct.config', { vmid, current: false });
      await call('ct.set', {
        vmid,
        config: { net0: String(values.net0).replace(/ip=[^,]+/, `ip=${ip(vmid)}/24`) },
        digest,
      });
      await finished(await call('ct.start', { vmid }), 120_000);
    }
    expect((await call('ct.status', { vmid: TEMPLATE })).lock).toBeUndefined();
    for (const [vmid, hostname] of [
      [LINKED, 'linked1'],
      [FULL, 'full1'],
    ] as const) {
      await until(
        `CT ${vmid} answers ping`,
        async () => (await lab().exec('n1', 'ping', ['-c', '1', '-W', '1', ip(vmid)])).code === 0 || undefined,
        60_000,
      );
      expect((await inside(vmid, 'hostname')).stdout).toBe(`${hostname}\n`);
      expect((await inside(vmid, 'cat /root/origin')).stdout).toBe('from-template\n');
    }
    await inside(LINKED, 'echo linked > /root/mine-linked');
    await inside(FULL, 'echo full > /root/mine-full');
    expect((await inside(FULL, 'test -e /root/mine-linked')).exitCode).toBe(1);
    expect((await inside(LINKED, 'test -e /root/mine-full')).exitCode).toBe(1);
    // On the host: the template's image (not mounted anywhere) has the origin file and neither clone's file.
    const [image, ...others] = await filesIn(nodePath(`${BTRFS_PATH.slice(1)}/images/${TEMPLATE}`));
    expect(others).toEqual([]);
    const root = await run('debugfs', ['-R', 'ls /root', image ?? '']);
    expect(root.stdout).toContain('origin');
    expect(root.stdout).not.toMatch(/mine-/);
  });

  it('refuses a linked clone of a container that is not a template and a clone onto a taken id', async () => {
    expect(await refusal(call('ct.clone', { vmid: FULL, newid: 223, full: false }))).toMatchObject({
      code: 'invalid-params',
      message: `CT ${FULL} is not a template — a linked clone needs one (or clone it full)`,
    });
    expect(await refusal(call('ct.clone', { vmid: TEMPLATE, newid: LINKED }))).toMatchObject({
      code: 'already-exists',
    });
    expect(await refusal(call('ct.clone', { vmid: TEMPLATE, newid: 223, storage: 'local' }))).toMatchObject({
      code: 'invalid-params',
    });
    expect(await refusal(call('ct.status', { vmid: 223 }))).toMatchObject({ code: 'not-found' });
  });

  it('imports a PVE config whose volume is present, verbatim; one whose volume is missing is refused', async () => {
    const { volid } = await call('storage.volume.alloc', {
      storage: 'local',
      vmid: IMPORTED,
      format: 'raw',
      size: 64 * 1024 * 1024,
    });
    const conf = [
      '#Imported from a PVE node.',
      'arch: amd64',
      'cores: 1',
      'hostname: imported',
      'memory: 128',
      'net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:51:00:AB,ip=dhcp,type=veth',
      'ostype: debian',
      `rootfs: ${volid},size=64M`,
      'swap: 0',
      'unprivileged: 1',
      '',
      '[pve:pending]',
      'cores: 2',
      '',
    ].join('\n');
    const { digest } = await call('ct.import', { vmid: IMPORTED, conf });
    expect(digest).toBe(createHash('sha1').update(conf).digest('hex'));
    const shown = await call('ct.config', { vmid: IMPORTED, current: true });
    expect(shown).toMatchObject({
      digest,
      description: 'Imported from a PVE node.',
      config: { hostname: 'imported', rootfs: `${volid},size=64M`, cores: 1 },
    });
    expect(await call('ct.pending', { vmid: IMPORTED })).toContainEqual(
      expect.objectContaining({ key: 'cores', value: 1, pending: 2 }),
    );

    const missing = await refusal(
      call('ct.import', {
        vmid: 226,
        conf: conf.replaceAll(String(IMPORTED), '226').replace('BC:24:11:51:00:AB', 'BC:24:11:51:00:AC'),
      }),
    );
    expect(missing).toMatchObject({
      code: 'invalid-params',
      message: 'rootfs: volume local:226/vm-226-disk-0.raw does not exist on storage local',
    });
    expect(await refusal(call('ct.status', { vmid: 226 }))).toMatchObject({ code: 'not-found' });
  });

  it('destroys everything: no volume, veth or container process left', async () => {
    for (const vmid of [LINKED, FULL]) await finished(await call('ct.stop', { vmid }));
    for (const vmid of [LINKED, FULL, IMPORTED, TEMPLATE])
      await finished(await call('ct.destroy', { vmid, purge: true }));
    expect(await call('ct.list', {})).toEqual([]);
    for (const storage of ['local', BTRFS])
      for (const content of ['rootdir', 'images'] as const)
        expect(await call('storage.content.list', { storage, content })).toEqual([]);
    expect((await lab().exec('n1', 'ip', ['-o', 'link', 'show'])).stdout).not.toMatch(/veth22\di/);
    expect((await run('lxc-ls', ['-P', nodePath('var/lib/lxc'), '--running'])).stdout.trim()).toBe('');
  });
});
