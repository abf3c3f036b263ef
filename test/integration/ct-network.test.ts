// Container networking on a real lab node (issue 5, "Network"): DHCP from a real DHCP server (busybox udhcpd) and a
// static IPv6 address written into the container, a rate limit on the host's veth, and a VLAN tag refused on a
// bridge that is not VLAN-aware (this kernel has no bridge VLAN filtering; the tagged plan is unit-tested as the
// commands it runs, guests/nic-commands.test.ts). All of it on vmbr1, a bridge with no uplink made inside the
// node's namespace for this file: the DHCP broadcasts and the IPv6 traffic never leave the node.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCtLab } from './ct-lab';
import { refusal, until } from './lab-calls';

const { call, finished, lab } = useCtLab({ stopAtEnd: [270, 271] });
const BRIDGE = 'vmbr1';
const NODE_V4 = '198.18.0.193';
const NODE_V6 = 'fd00:18::1';
const CT_V6 = 'fd00:18::70';

const inNode = async (command: string, args: string[]) => {
  const result = await lab().exec('n1', command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} on n1: ${result.stderr || result.stdout}`);
  return result.stdout;
};

beforeAll(async () => {
  // 198.18.0.192/28 on vmbr1 is more specific than the node's /24 on vmbr0: the node reaches the leases through vmbr1.
  await inNode('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await inNode('ip', ['addr', 'add', `${NODE_V4}/28`, 'dev', BRIDGE]);
  await inNode('ip', ['-6', 'addr', 'add', `${NODE_V6}/64`, 'dev', BRIDGE, 'nodad']);
  await inNode('ip', ['link', 'set', BRIDGE, 'up']);
  const dir = lab().node('n1').dir;
  const conf = join(dir, 'udhcpd.conf');
  await writeFile(
    conf,
    [`start 198.18.0.200`, `end 198.18.0.205`, `interface ${BRIDGE}`, `lease_file ${join(dir, 'udhcpd.leases')}`, `pidfile ${join(dir, 'udhcpd.pid')}`, `opt subnet 255.255.255.240`, `opt router ${NODE_V4}`, ''].join('\n'),
  );
  await writeFile(join(dir, 'udhcpd.leases'), '');
  await inNode('busybox', ['udhcpd', conf]);
}, 120_000);

afterAll(async () => {
  const dir = lab().node('n1').dir;
  await lab().exec('n1', 'sh', ['-c', 'kill "$(cat "$1")"', 'sh', join(dir, 'udhcpd.pid')]);
  await lab().exec('n1', 'ip', ['link', 'del', BRIDGE]);
});

describe('container networking', () => {
  it('gets its IPv4 address from DHCP, has its static IPv6 address, and is rate-limited on the host side', async () => {
    await finished(
      await call('ct.create', {
        vmid: 270,
        ostemplate: 'local:vztmpl/busybox.tar.gz',
        config: { hostname: 'net1', memory: 64, rootfs: 'local:0', net0: `name=eth0,bridge=${BRIDGE},ip=dhcp,ip6=${CT_V6}/64,gw6=${NODE_V6},rate=1.5` },
        start: false,
      }),
    );
    // PVE's rate plan polices what the container sends with tc's basic classifier; a kernel without one (this
    // machine's) gets the limit towards the container only, and the start task says so as a warning.
    const { upid } = await call('ct.start', { vmid: 270 });
    const start = await until('the start task ends', async () => {
      const task = await call('task.status', { upid });
      return task.status === 'stopped' ? task : undefined;
    }, 120_000);
    const log = (await call('task.log', { upid, start: 0, limit: 1000 })).lines.map((line) => line.t).join('\n');
    const leased = await until('a DHCP lease inside the container', async () => {
      const { stdout } = await call('ct.exec', { vmid: 270, command: ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'] });
      return /inet (198\.18\.0\.20[0-5])\/28/.exec(stdout)?.[1];
    }, 60_000);
    expect((await lab().exec('n1', 'ping', ['-c', '1', '-W', '2', leased])).code).toBe(0);
    await until('the static IPv6 address answers', async () => (await lab().exec('n1', 'ping', ['-6', '-c', '1', '-W', '1', CT_V6])).code === 0 || undefined, 30_000);
    // rate=1.5 MB/s: a 12 Mbit/s token bucket towards the container and a policer on what it sends.
    const qdiscs = await inNode('tc', ['qdisc', 'show', 'dev', 'veth270i0']);
    expect(qdiscs).toMatch(/tbf .*rate 12Mbit/);
    expect(qdiscs).toMatch(/ingress ffff:/);
    const policed = /police .*rate 12Mbit/.test(await inNode('tc', ['filter', 'show', 'dev', 'veth270i0', 'parent', 'ffff:']));
    const warning = /CT 270 net0: this kernel lacks tc's basic classifier and police action .* what it receives is \(12000kbit\)/;
    expect({ status: start.exitstatus, warned: warning.test(log) }).toEqual(policed ? { status: 'OK', warned: false } : { status: 'WARNINGS: 1', warned: true });
  });

  it('refuses to start with a VLAN tag on a bridge that is not VLAN-aware, and leaves the container stopped', async () => {
    await finished(
      await call('ct.create', {
        vmid: 271,
        ostemplate: 'local:vztmpl/busybox.tar.gz',
        config: { hostname: 'net2', memory: 64, rootfs: 'local:0', net0: `name=eth0,bridge=${BRIDGE},ip=198.18.0.199/28,tag=5` },
        start: false,
      }),
    );
    const error = await refusal(call('ct.start', { vmid: 271 }).then(finished));
    expect(error?.message).toMatch(/net0: tag=5 needs a VLAN-aware bridge, and vmbr1 is not/);
    expect(await call('ct.status', { vmid: 271 })).toMatchObject({ status: 'stopped' });
    expect(await inNode('ip', ['-o', 'link', 'show'])).not.toMatch(/veth271i0/);
  });

  it('destroys both, leaving no veth behind', async () => {
    await finished(await call('ct.stop', { vmid: 270 }));
    for (const vmid of [270, 271]) await finished(await call('ct.destroy', { vmid, purge: true }));
    expect(await inNode('ip', ['-o', 'link', 'show'])).not.toMatch(/veth27[01]i/);
  });
});
