// The lab's network as a plan of `ip` commands (pure): a switch namespace, one namespace per node, one host link.
// The executor records what a step creates before running it, so a failed `up` can remove exactly that.
import {
  HOST_ADDRESS,
  HOST_LINK,
  LAB_PREFIX,
  NODE_BRIDGE,
  NODE_UPLINK,
  SWITCH_BRIDGE,
  SWITCH_HOST_PORT,
  SWITCH_NAMESPACE,
  type NodeLayout,
} from './lab-layout';

/** Things that outlive the command that made them and must be removed by `down`. */
export type LabResource = { kind: 'namespace'; name: string } | { kind: 'host-link'; name: string };

export interface IpStep {
  /** Arguments to `ip`. */
  readonly args: readonly string[];
  readonly creates?: LabResource;
}

const inNs = (namespace: string, ...args: string[]): string[] => ['-n', namespace, ...args];

/**
 * Every lab link gets `addrgenmode none`: no IPv6 link-local address, so nothing (router solicitations,
 * MLD reports) leaves the 198.18.0.0/24 segment — above all on hdlab0, in the host namespace.
 */
const quiet = (args: string[]): string[] => [...args, 'addrgenmode', 'none'];

const switchSteps = (): IpStep[] => [
  { args: ['netns', 'add', SWITCH_NAMESPACE], creates: { kind: 'namespace', name: SWITCH_NAMESPACE } },
  { args: inNs(SWITCH_NAMESPACE, 'link', 'set', 'lo', 'up') },
  { args: inNs(SWITCH_NAMESPACE, 'link', 'add', SWITCH_BRIDGE, 'type', 'bridge') },
  { args: quiet(inNs(SWITCH_NAMESPACE, 'link', 'set', SWITCH_BRIDGE)) },
  { args: inNs(SWITCH_NAMESPACE, 'link', 'set', SWITCH_BRIDGE, 'up') },
];

/** The workstation's one interface: hdlab0 here, its peer a port of sw0. The address brings only its connected /24. */
const hostSteps = (): IpStep[] => [
  {
    args: ['link', 'add', HOST_LINK, 'type', 'veth', 'peer', 'name', SWITCH_HOST_PORT, 'netns', SWITCH_NAMESPACE],
    creates: { kind: 'host-link', name: HOST_LINK },
  },
  { args: quiet(['link', 'set', HOST_LINK]) },
  { args: quiet(inNs(SWITCH_NAMESPACE, 'link', 'set', SWITCH_HOST_PORT, 'master', SWITCH_BRIDGE)) },
  { args: inNs(SWITCH_NAMESPACE, 'link', 'set', SWITCH_HOST_PORT, 'up') },
  { args: ['addr', 'add', `${HOST_ADDRESS}/${LAB_PREFIX}`, 'dev', HOST_LINK] },
  { args: ['link', 'set', HOST_LINK, 'up'] },
];

/** A node as PVE sets one up: the uplink is the only port of vmbr0, and the node's address sits on vmbr0. */
const nodeSteps = (node: NodeLayout): IpStep[] => [
  { args: ['netns', 'add', node.namespace], creates: { kind: 'namespace', name: node.namespace } },
  { args: inNs(node.namespace, 'link', 'set', 'lo', 'up') },
  {
    args: inNs(
      SWITCH_NAMESPACE,
      'link',
      'add',
      node.name,
      'type',
      'veth',
      'peer',
      'name',
      NODE_UPLINK,
      'netns',
      node.namespace,
    ),
  },
  { args: quiet(inNs(SWITCH_NAMESPACE, 'link', 'set', node.name, 'master', SWITCH_BRIDGE)) },
  { args: inNs(SWITCH_NAMESPACE, 'link', 'set', node.name, 'up') },
  { args: inNs(node.namespace, 'link', 'add', NODE_BRIDGE, 'type', 'bridge') },
  { args: quiet(inNs(node.namespace, 'link', 'set', NODE_BRIDGE)) },
  { args: quiet(inNs(node.namespace, 'link', 'set', NODE_UPLINK, 'master', NODE_BRIDGE)) },
  { args: inNs(node.namespace, 'addr', 'add', `${node.address}/${LAB_PREFIX}`, 'dev', NODE_BRIDGE) },
  { args: inNs(node.namespace, 'link', 'set', NODE_UPLINK, 'up') },
  { args: inNs(node.namespace, 'link', 'set', NODE_BRIDGE, 'up') },
];

export const planNetworkUp = (nodes: readonly NodeLayout[]): IpStep[] => [
  ...switchSteps(),
  ...hostSteps(),
  ...nodes.flatMap(nodeSteps),
];

/**
 * Removing what `up` made: the host link first (the workstation is cut off at once, and the link goes even if
 * something still holds the switch namespace), then the namespaces newest first; deleting one removes its veths. Each step may find its object gone.
 */
export const planNetworkDown = (resources: readonly LabResource[]): IpStep[] => {
  const newestFirst = [...resources].reverse();
  return [
    ...newestFirst.filter((r) => r.kind === 'host-link').map((r) => ({ args: ['link', 'del', r.name] })),
    ...newestFirst.filter((r) => r.kind === 'namespace').map((r) => ({ args: ['netns', 'del', r.name] })),
  ];
};

/** `ip` says this when a step of planNetworkDown finds its object already gone: not a failure for `down`. */
export const isAlreadyGone = (stderr: string): boolean =>
  /Cannot find device|No such file or directory|does not exist/i.test(stderr);
