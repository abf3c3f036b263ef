// Which saved node a command goes to: --node NAME (a node name or cluster/name), else the node a UPID names,
// else the only saved node. Anything ambiguous is a usage error that lists the nodes to choose from.
import { Upid } from '../../node-agent/src/api';
import { UsageError } from '../../node-agent/src/cli/parse-args';
import type { NodeKey, SavedCluster } from '../core/config-schema';
import { nodeKey } from '../core/config-schema';

export interface RoutableNode {
  key: NodeKey;
  cluster: string;
  name: string;
  host: string;
}

export const routableNodes = (clusters: readonly SavedCluster[]): RoutableNode[] =>
  clusters.flatMap((cluster) => cluster.nodes.map((node) => ({ key: nodeKey(cluster.id, node.name), cluster: cluster.id, name: node.name, host: node.host })));

/** The node field of a UPID (`UPID:node:pid:…`), if `value` is one. */
export const upidNode = (value: unknown): string | undefined =>
  typeof value === 'string' && Upid.safeParse(value).success ? value.split(':')[1] : undefined;

const listOf = (nodes: readonly RoutableNode[]) =>
  nodes.length === 0 ? 'no node is saved yet — add one in the Hyperdesk app' : `saved nodes: ${nodes.map((n) => n.key).join(', ')}`;

/** Find one node by `cluster/name` or by a name unique among the saved nodes. */
export const findNode = (nodes: readonly RoutableNode[], wanted: string): RoutableNode => {
  const exact = nodes.find((n) => n.key === wanted);
  if (exact) return exact;
  const named = nodes.filter((n) => n.name === wanted);
  if (named.length === 1 && named[0]) return named[0];
  if (named.length > 1) throw new UsageError(`node name ${wanted} is in several clusters: use one of ${named.map((n) => n.key).join(', ')}`);
  throw new UsageError(`no saved node is called ${wanted} (${listOf(nodes)})`);
};

/** The node a call goes to, from --node, else a UPID among the params, else the only saved node. */
export const routeCall = (nodes: readonly RoutableNode[], target: string | undefined, params: unknown): RoutableNode => {
  if (target !== undefined && target !== '') return findNode(nodes, target);
  const upid = typeof params === 'object' && params !== null ? upidNode((params as { upid?: unknown }).upid) : undefined;
  if (upid !== undefined) {
    const named = nodes.filter((n) => n.name === upid);
    if (named.length === 1 && named[0]) return named[0];
    if (named.length > 1) throw new UsageError(`the task's node ${upid} is in several clusters: add --node with one of ${named.map((n) => n.key).join(', ')}`);
    throw new UsageError(`the task's node ${upid} is not a saved node: add --node (${listOf(nodes)})`);
  }
  if (nodes.length === 1 && nodes[0]) return nodes[0];
  throw new UsageError(`say which node with --node NAME (${listOf(nodes)})`);
};
