// The saved connections (connections.json): load, add and remove nodes, every write atomic and serialized.
// An invalid file is reported and left alone: the person's connections are never overwritten silently.
import { join } from 'node:path';
import { AppError } from '../../node-agent/src/api';
import { CONFIG_FILES, ConnectionsFile, nodeKey, type NodeKey, type SavedCluster, type SavedNode } from './config-schema';
import { writeFileAtomic } from '../../node-agent/src/fs/atomic-file';
import { readJsonFile } from '../../node-agent/src/fs/json-file';

const EMPTY: ConnectionsFile = { version: 1, clusters: [] };

/** The cluster id for a cluster name: a lowercase slug (`Lab West` -> `lab-west`), as the file schema requires. */
export const clusterIdFor = (name: string): string => {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug === '' ? 'cluster' : slug;
};

/** `cluster/node` split back into its parts. */
export const splitNodeKey = (key: string): { cluster: string; node: string } | undefined => {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  return { cluster: key.slice(0, slash), node: key.slice(slash + 1) };
};

export interface FoundNode {
  key: NodeKey;
  cluster: SavedCluster;
  node: SavedNode;
}

/** Reads connections.json, failing with a message that names the file when it is not valid. */
export const readConnectionsFile = async (configDir: string): Promise<ConnectionsFile> => {
  const path = join(configDir, CONFIG_FILES.connections);
  return (await readJsonFile(path, ConnectionsFile, (reason) => invalidFile(configDir, reason))) ?? structuredClone(EMPTY);
};

const invalidFile = (configDir: string, reason: string) =>
  new AppError(
    'invalid-params',
    `${CONFIG_FILES.connections} in ${configDir} is not valid: ${reason} — fix or move the file; Hyperdesk will not overwrite it`,
    { path: join(configDir, CONFIG_FILES.connections) },
  );

export class ConfigStore {
  private current: ConnectionsFile;
  /** Single writer: every mutation runs after the previous one has reached the disk. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly configDir: string,
    initial: ConnectionsFile,
  ) {
    this.current = initial;
  }

  /** Missing file: no connections yet. Invalid file: AppError('invalid-params'), and no store to write with. */
  static async load(configDir: string): Promise<ConfigStore> {
    return new ConfigStore(configDir, await readConnectionsFile(configDir));
  }

  get path(): string {
    return join(this.configDir, CONFIG_FILES.connections);
  }

  /** A copy: callers cannot change the store behind its back. */
  clusters(): SavedCluster[] {
    return structuredClone(this.current.clusters);
  }

  nodes(): FoundNode[] {
    return this.current.clusters.flatMap((cluster) =>
      cluster.nodes.map((node) => ({ key: nodeKey(cluster.id, node.name), cluster, node })),
    );
  }

  find(key: string): FoundNode | undefined {
    const parts = splitNodeKey(key);
    if (!parts) return undefined;
    const cluster = this.current.clusters.find((c) => c.id === parts.cluster);
    const node = cluster?.nodes.find((n) => n.name === parts.node);
    return cluster && node ? { key: nodeKey(cluster.id, node.name), cluster, node } : undefined;
  }

  /** The cluster a name (or id) refers to, existing or to be created. */
  resolveCluster(clusterName: string): { id: string; name: string; exists: boolean } {
    const existing =
      this.current.clusters.find((c) => c.name === clusterName) ??
      this.current.clusters.find((c) => c.id === clusterIdFor(clusterName));
    return existing
      ? { id: existing.id, name: existing.name, exists: true }
      : { id: clusterIdFor(clusterName), name: clusterName, exists: false };
  }

  /** Add a node to the cluster called `clusterName` (created when missing). Same name in that cluster: already-exists. */
  addNode(clusterName: string, node: SavedNode): Promise<NodeKey> {
    return this.mutate((file) => {
      const target = this.resolveCluster(clusterName);
      let cluster = file.clusters.find((c) => c.id === target.id);
      if (!cluster) {
        cluster = { id: target.id, name: target.name, nodes: [] };
        file.clusters.push(cluster);
      }
      if (cluster.nodes.some((n) => n.name === node.name)) {
        throw new AppError('already-exists', `cluster ${cluster.name} already has a node named ${node.name} — choose another name`, {
          node: nodeKey(cluster.id, node.name),
        });
      }
      cluster.nodes.push(structuredClone(node));
      return nodeKey(cluster.id, node.name);
    });
  }

  /** Remove a node; a cluster left without nodes goes too. Unknown node: not-found. */
  removeNode(key: string): Promise<void> {
    return this.mutate((file) => {
      const parts = splitNodeKey(key);
      const cluster = parts && file.clusters.find((c) => c.id === parts.cluster);
      const index = cluster && parts ? cluster.nodes.findIndex((n) => n.name === parts.node) : -1;
      if (!cluster || index < 0) throw new AppError('not-found', `node ${key} is not in the saved connections`);
      cluster.nodes.splice(index, 1);
      if (cluster.nodes.length === 0) file.clusters = file.clusters.filter((c) => c !== cluster);
    });
  }

  /** Apply `change` to a copy, write it, and only then make it current; a failed write changes nothing. */
  private mutate<T>(change: (file: ConnectionsFile) => T): Promise<T> {
    const run = async () => {
      const next = structuredClone(this.current);
      const value = change(next);
      const valid = ConnectionsFile.parse(next);
      await writeFileAtomic(this.path, `${JSON.stringify(valid, null, 2)}\n`);
      this.current = valid;
      return value;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
