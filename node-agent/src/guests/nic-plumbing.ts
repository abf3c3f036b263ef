// What the executor applies to a guest NIC's host side after start, the same for a VM's tap and a container's veth:
// bridge membership, VLAN, firewall, rate and link state (netPlumbing in vm/command-line.ts and ct/lxc-config.ts).

/** The fields of a parsed netN (VM or container) that reach the host side of the NIC. */
export interface HostNicFields {
  readonly bridge?: string;
  readonly tag?: number;
  readonly trunks?: string;
  readonly firewall: boolean;
  /** MB/s. */
  readonly rate?: number;
  readonly mtu?: number;
  readonly linkDown: boolean;
}

export const hostNicSettings = (net: HostNicFields) => ({
  ...(net.bridge !== undefined && { bridge: net.bridge }),
  ...(net.tag !== undefined && { tag: net.tag }),
  ...(net.trunks !== undefined && { trunks: net.trunks }),
  firewall: net.firewall,
  /** tc on the host side of the tap or veth. */
  ...(net.rate !== undefined && { rateMBps: net.rate }),
  ...(net.mtu !== undefined && { mtu: net.mtu }),
  /** Applied after start (a VM's through QMP set_link: QEMU's -device has no link state). */
  linkDown: net.linkDown,
});
