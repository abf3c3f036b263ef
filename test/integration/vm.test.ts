// Issue 4's acceptance on a real lab node with real QEMU: create a VM from the test guest image (cloud-init gives it
// its address), start it, read its banner on the serial console and a non-black VGA frame over VNC — both through
// the app's console bridge (SSH exec channel → one-shot WebSocket) — ping it from the node, take a RAM snapshot,
// let the counter advance, roll back and see the counter back at the snapshot; make a template, linked-clone it and
// boot the clone; kill QEMU and see the VM stopped within a second; two clients racing on one digest; bad input
// refused naming the key; destroy everything and find no volume, tap or QEMU left. One lab per machine.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { createWebSocketStream } from 'ws';
import { AppError, type Params } from '../../node-agent/src/api';
import { runChecked } from '../../node-agent/src/exec/run';
import { nodeKey } from '../../main/core/config-schema';
import { createCore, type HyperdeskCore } from '../../main/core/core';
import { MemorySecretStore } from '../../main/core/secrets-memory';
import type { Lab } from '../lab/lab-api';
import { CLUSTER_ID, repoRoot } from '../lab/lab-layout';
import { labUpWhenFree } from '../lab/lab-when-free';
import { buildGuestImage, counterValues, GUEST_BANNER } from '../guest-image/guest-image';
import { connectRfb, isNonBlack } from '../support/rfb-client';
import { ensureBuilt, hdctl, hdctlJson } from './helpers';
import { agentCalls, refusal, until } from './lab-calls';

const key = nodeKey(CLUSTER_ID, 'n1');
const GUEST_IP = '198.18.0.50';
const ISO = 'hyperdesk-test-guest.iso';

let lab: Lab;
let core: HyperdeskCore;
let configDir: string;

const { call, finished } = agentCalls(() => core, key);

/** A console of VM vmid through the app: the bridge's WebSocket, as bytes. */
const openConsole = async (vmid: number, kind: 'vnc' | 'serial0') => {
  const { url } = await core.handle('console.open', { node: key, vmid, kind });
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
};

/** Everything the serial console shows, appended as it arrives. */
const serialOf = async (vmid: number) => {
  const socket = await openConsole(vmid, 'serial0');
  const seen = { text: '' };
  socket.on('message', (data: Buffer) => (seen.text += data.toString('latin1')));
  return { seen, close: () => socket.close() };
};

const vmConfig = (name: string) => ({
  name,
  memory: 256,
  cores: 1,
  scsihw: 'virtio-scsi-pci',
  scsi0: 'local:1,format=qcow2',
  ide2: `local:iso/${ISO},media=cdrom`,
  ide0: 'local:cloudinit',
  net0: 'virtio,bridge=vmbr0',
  serial0: 'socket',
  boot: 'order=ide2',
  ipconfig0: `ip=${GUEST_IP}/24`,
});

beforeAll(async () => {
  await ensureBuilt();
  const image = await buildGuestImage();
  configDir = await mkdtemp(join(tmpdir(), 'hd-vm-config-'));
  lab = await labUpWhenFree({ nodes: 1, configDir, agent: true });
  const isoDir = join(lab.node('n1').root, 'var/lib/vz/template/iso');
  await mkdir(isoDir, { recursive: true });
  await copyFile(image.iso, join(isoDir, ISO));
  core = await createCore({ configDir, secrets: new MemorySecretStore(), agentBundle: join(repoRoot(), 'dist/agent/hyperdesk-agent.js') });
  await until('node n1 online', async () => (await core.handle('inventory.snapshot', {})).nodes[key]?.state === 'online' || undefined, 90_000);
  // As many PVE installs on one disk: local holds disk images too.
  const { digest } = await call('storage.list', {});
  await call('storage.set', { id: 'local', properties: { content: ['iso', 'vztmpl', 'backup', 'images', 'rootdir'] }, digest });
}, 30 * 60_000);

afterAll(async () => {
  await core?.dispose();
  await lab?.down();
  await rm(configDir, { recursive: true, force: true });
}, 180_000);

describe('VMs on a lab node', () => {
  it('boots the test guest: serial banner, VGA over VNC, ping, RAM snapshot rollback, template, linked clone, destroy', async () => {
    const { vmid } = await call('vm.nextid', {});
    expect(vmid).toBe(100);
    await finished(await call('vm.create', { vmid, config: vmConfig('guest'), start: true }), 180_000);
    const status = await call('vm.status', { vmid });
    expect(status).toMatchObject({ status: 'running', qmpstatus: 'running' });
    expect(['kvm', 'tcg']).toContain(status.accel);

    const serial = await serialOf(vmid);
    await until('the banner on serial', () => serial.seen.text.includes(GUEST_BANNER) || undefined, 120_000);
    await until('counter lines', () => counterValues(serial.seen.text).length >= 2 || undefined, 60_000);

    const vnc = await openConsole(vmid, 'vnc');
    const rfb = await connectRfb(createWebSocketStream(vnc));
    const frame = await until('a non-black VGA frame', async () => {
      const next = await rfb.requestFrame();
      return isNonBlack(next) ? next : undefined;
    }, 60_000);
    expect(frame.width).toBeGreaterThan(0);
    vnc.close();

    await until('the guest answers ping', async () => ((await lab.exec('n1', 'ping', ['-c', '1', '-W', '1', GUEST_IP])).code === 0) || undefined, 60_000);

    // RAM snapshot: the counter after a rollback continues from the snapshot's value, not from where it got to.
    const atSnapshot = Math.max(...counterValues(serial.seen.text));
    await finished(await call('vm.snapshot', { vmid, snapname: 'ram1', vmstate: true }), 300_000);
    const snapshotDone = Math.max(...counterValues(serial.seen.text));
    await until('the counter advances', () => Math.max(...counterValues(serial.seen.text)) >= snapshotDone + 6 || undefined, 60_000);
    const before = Math.max(...counterValues(serial.seen.text));
    serial.close();
    await finished(await call('vm.rollback', { vmid, snapname: 'ram1' }), 300_000);
    const after = await serialOf(vmid);
    // QEMU starts a fresh serial log at every start: the first counter line is where the guest resumed.
    const resumed = await until('a counter line after the rollback', () => counterValues(after.seen.text)[0], 60_000);
    expect(after.seen.text).not.toContain(GUEST_BANNER); // resumed from RAM, not booted again
    expect(resumed).toBeGreaterThanOrEqual(atSnapshot);
    expect(resumed).toBeLessThan(before);
    after.close();
    expect((await call('vm.snapshots', { vmid })).snapshots).toEqual([expect.objectContaining({ name: 'ram1', vmstate: true })]);

    // Hotplug: a new disk and a NIC reach the running VM (same QEMU process); a CPU change waits as pending.
    const running = await call('vm.status', { vmid });
    const { digest: hotDigest } = await call('vm.config', { vmid, current: false });
    const hot = await call('vm.set', { vmid, config: { scsi1: 'local:1,format=qcow2', net1: 'virtio,bridge=vmbr0' }, digest: hotDigest });
    expect(hot.pending).toEqual([]);
    expect((await call('vm.status', { vmid })).pid).toBe(running.pid);
    expect((await lab.exec('n1', 'ip', ['-o', 'link', 'show', 'tap100i1'])).stdout).toMatch(/master vmbr0/);
    const { digest: coldDigest } = await call('vm.config', { vmid, current: false });
    const cold = await call('vm.set', { vmid, config: { cores: 2 }, digest: coldDigest });
    expect(cold.pending).toEqual(['cores']);
    expect(await call('vm.pending', { vmid })).toContainEqual({ key: 'cores', value: 1, pending: 2 });
    const { digest: revertDigest } = await call('vm.config', { vmid, current: false });
    await call('vm.set', { vmid, revert: ['cores'], digest: revertDigest });
    expect((await call('vm.status', { vmid })).pending).toBe(false);

    // Pause and resume; usage history from QEMU; then the guest powers itself off on the ACPI button.
    await finished(await call('vm.suspend', { vmid }));
    expect(await call('vm.status', { vmid })).toMatchObject({ status: 'paused' });
    await finished(await call('vm.resume', { vmid }));
    expect(await call('vm.status', { vmid })).toMatchObject({ status: 'running' });
    const metrics = await until('a usage sample', async () => {
      const history = await call('vm.metrics', { vmid, timeframe: 'hour' });
      return history.points.some((point) => point.maxmem > 0) ? history : undefined;
    }, 60_000);
    expect(metrics.points.find((point) => point.maxmem > 0)?.maxmem).toBe(256 * 1024 * 1024);
    await finished(await call('vm.shutdown', { vmid, timeout: 60, forceStop: false }), 120_000);
    expect(await call('vm.status', { vmid })).toMatchObject({ status: 'stopped' });

    // Template and linked clone.
    await finished(await call('vm.delsnapshot', { vmid, snapname: 'ram1' }));
    await finished(await call('vm.template', { vmid }));
    const template = await call('vm.config', { vmid, current: false });
    expect(String(template.config.scsi0)).toMatch(/base-100-disk-0/);
    await finished(await call('vm.clone', { vmid, newid: 101, name: 'linked' }));
    const clone = await call('vm.config', { vmid: 101, current: false });
    expect(String(clone.config.scsi0)).toMatch(/base-100-disk-0\.qcow2\/101\/vm-101-disk-0/);
    await call('vm.set', { vmid: 101, config: { ipconfig0: 'ip=198.18.0.51/24' }, digest: clone.digest });
    await finished(await call('vm.start', { vmid: 101 }), 180_000);
    const cloneSerial = await serialOf(101);
    await until('the clone boots', () => cloneSerial.seen.text.includes(GUEST_BANNER) || undefined, 120_000);
    cloneSerial.close();

    // A full clone of the template, through hdctl as a person types it.
    const full = await hdctl(configDir, 'vm', 'clone', '100', '--newid', '102', '--full', '--name', 'full', '--wait', '--node', 'n1');
    expect(full.code, full.stderr).toBe(0);
    const fullConfig = await call('vm.config', { vmid: 102, current: false });
    expect(String(fullConfig.config.scsi0)).toMatch(/^local:102\/vm-102-disk-0\.qcow2/);
    const listed = await hdctlJson<{ vmid: number; status: string }[]>(configDir, 'vm', 'list', '--node', 'n1');
    expect(listed.map((vm) => vm.vmid).sort()).toEqual([100, 101, 102]);
    await finished(await call('vm.destroy', { vmid: 102, purge: true }));

    // Killing QEMU: the app shows the VM stopped within a second.
    const pid = (await call('vm.status', { vmid: 101 })).pid;
    expect(pid).toBeGreaterThan(1);
    const killed = Date.now();
    process.kill(pid ?? 0, 'SIGKILL');
    await until('VM 101 stopped in the inventory', async () => {
      const guest = Object.values((await core.handle('inventory.snapshot', {})).guests ?? {}).find((g) => g?.vmid === 101);
      return guest?.status === 'stopped' || undefined;
    }, 5_000);
    expect(Date.now() - killed).toBeLessThan(1_000);

    // Destroy: no volume, tap or QEMU left.
    await finished(await call('vm.destroy', { vmid: 101, purge: true }));
    await finished(await call('vm.destroy', { vmid, purge: true }));
    expect(await call('storage.content.list', { storage: 'local', content: 'images' })).toEqual([]);
    const links = await lab.exec('n1', 'ip', ['-o', 'link', 'show']);
    expect(links.stdout).not.toMatch(/tap10[01]i/);
    // A QEMU told to quit exits on its own time: none may be left once it has had that time.
    // This node's QEMUs only: their pid files are under its root.
    const pidFile = new RegExp(`-pidfile ${join(lab.node('n1').root, 'run/hyperdesk/qemu-server')}/10[01]\\.pid`);
    const qemuLeft = async () => (await runChecked('ps', ['-eo', 'pid,stat,args'])).stdout.split('\n').filter((line) => pidFile.test(line));
    await until('no QEMU of VM 100 or 101 left', async () => ((await qemuLeft()).length === 0) || undefined, 15_000).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${(await qemuLeft()).join(' | ')}`);
    });
  });

  it('lets one of two clients with the same digest win; refuses bad input naming the key', async () => {
    const { vmid } = await call('vm.nextid', {});
    await finished(await call('vm.create', { vmid, config: { name: 'edits', memory: 128, net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0' }, start: false }));
    const { digest } = await call('vm.config', { vmid, current: false });
    const [a, b] = await Promise.allSettled([
      call('vm.set', { vmid, config: { cores: 2 }, digest }),
      call('vm.set', { vmid, config: { memory: 512 }, digest }),
    ]);
    const outcomes = [a, b].map((r) => (r.status === 'fulfilled' ? 'ok' : AppError.from(r.reason).code)).sort();
    expect(outcomes).toEqual(['conflict', 'ok']);

    const fresh = (await call('vm.config', { vmid, current: false })).digest;
    const cases: [Params<'vm.create'>['config'], RegExp][] = [
      [{ bogus: 1 }, /^bogus: unknown config key/],
      [{ net0: 'virtio,bridge=vmbr0,tag=abc' }, /^net0: /],
      [{ scsi0: 'nosuch:4' }, /^scsi0: .*storage nosuch does not exist/],
      [{ net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0' }, /^net0: MAC BC:24:11:00:00:01 is already used by VM/],
      [{ net0: 'virtio,bridge=vmbr7' }, /^net0: bridge vmbr7 does not exist on node n1/],
    ];
    for (const [config, message] of cases) {
      const error = await refusal(call('vm.create', { vmid: vmid + 1, config, start: false }));
      expect(error?.code, JSON.stringify(config)).toBe('invalid-params');
      expect(error?.message).toMatch(message);
    }
    const taken = await refusal(call('vm.create', { vmid, config: { name: 'again' }, start: false }));
    expect(taken).toMatchObject({ code: 'already-exists' });
    expect(taken?.message).toMatch(new RegExp(`VMID ${vmid} is taken`));
    const badSet = await refusal(call('vm.set', { vmid, config: { cores: 0 }, digest: fresh }));
    expect(badSet?.message).toMatch(/^cores: /);
    await finished(await call('vm.destroy', { vmid, purge: true }));

    // Import a PVE config as it is: refused while a volume it names is missing, written verbatim once it exists.
    const conf = '# imported from PVE\nboot: order=scsi0\ncores: 2\nmemory: 512\nname: imported\nscsi0: local:300/vm-300-disk-0.qcow2,size=1M\nscsihw: virtio-scsi-single\n\n[first]\ncores: 1\nmemory: 512\nname: imported\nscsi0: local:300/vm-300-disk-0.qcow2,size=1M\nscsihw: virtio-scsi-single\nsnaptime: 1700000000\n';
    const missing = await refusal(call('vm.import', { vmid: 300, conf }));
    expect(missing?.code).toBe('invalid-params');
    expect(missing?.message).toMatch(/^scsi0: .*does not exist/);
    await call('storage.volume.alloc', { storage: 'local', vmid: 300, format: 'qcow2', size: 1024 * 1024 });
    const imported = await call('vm.import', { vmid: 300, conf });
    expect(imported.digest).toBe(createHash('sha1').update(conf).digest('hex'));
    expect((await call('vm.snapshots', { vmid: 300 })).snapshots.map((snap) => snap.name)).toEqual(['first']);
    expect(await readFile(join(lab.node('n1').root, 'etc/hyperdesk/nodes/n1/qemu-server/300.conf'), 'utf8')).toBe(conf);
    await finished(await call('vm.destroy', { vmid: 300, purge: true }));
  });
});
