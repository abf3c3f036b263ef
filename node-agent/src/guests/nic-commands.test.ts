// The host-NIC plans. VLAN filtering is not in this machine's kernel, so the tagged plan is tested as the exact
// commands it would run (the lab runs the untagged and rate-limited ones for real).
import { describe, expect, it } from 'vitest';
import { plugCommands, replugCommands, type HostNic } from './nic-commands';

const nic = (extra: Partial<HostNic> = {}): HostNic => ({ key: 'net0', device: 'veth200i0', bridge: 'vmbr0', firewall: false, linkDown: false, ...extra });
const line = (commands: { run: string; args: readonly string[] }[]) => commands.map((c) => [c.run, ...c.args].join(' '));

describe('host NIC commands (plan; VLAN filtering is not in this kernel)', () => {
  it('plugs a tagged, rate-limited device into its VLAN-aware bridge', () => {
    expect(line(plugCommands(nic({ tag: 5, rateMBps: 1.5, mtu: 1400 })))).toEqual([
      'ip link set dev veth200i0 master vmbr0',
      'ip link set dev veth200i0 mtu 1400',
      'ip link set dev veth200i0 up',
      'bridge vlan add dev veth200i0 vid 5 pvid untagged',
      'bridge vlan del dev veth200i0 vid 1',
      'tc qdisc replace dev veth200i0 root tbf rate 12000kbit burst 1mb latency 50ms',
      'tc qdisc replace dev veth200i0 handle ffff: ingress',
      'tc filter replace dev veth200i0 parent ffff: prio 50 basic police rate 12000kbit burst 1mb mtu 64kb drop',
    ]);
  });

  it('leaves out the bridge when LXC already made the veth its port', () => {
    expect(line(plugCommands(nic({ rateMBps: 1 }), true))[0]).toBe('ip link set dev veth200i0 up');
  });

  it('re-plugs on a VLAN change and removes a rate limit that went away', () => {
    expect(line(replugCommands(nic({ tag: 5, rateMBps: 1 }), nic({ tag: 6 })))).toEqual([
      'ip link set dev veth200i0 nomaster',
      'ip link set dev veth200i0 master vmbr0',
      'ip link set dev veth200i0 up',
      'bridge vlan add dev veth200i0 vid 6 pvid untagged',
      'bridge vlan del dev veth200i0 vid 1',
      'tc qdisc del dev veth200i0 root',
      'tc qdisc del dev veth200i0 ingress',
    ]);
    expect(replugCommands(nic(), nic())).toEqual([]);
  });
});
