// Saves the lab's nodes into an app config dir as the app itself would: connections.json and known_hosts.
// Other clusters and other hosts' keys already there are kept; the lab's own entries are replaced.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../node-agent/src/api/errors';
import { writeFileAtomic } from '../../node-agent/src/fs/atomic-file';
import { CONFIG_FILES, ConnectionsFile, type SavedCluster } from '../../main/core/config-schema';
import { CLUSTER_ID, CLUSTER_NAME, type NodeLayout } from './lab-layout';

export const labCluster = (
  nodes: readonly Pick<NodeLayout, 'name' | 'address'>[],
  clientKey: string,
): SavedCluster => ({
  id: CLUSTER_ID,
  name: CLUSTER_NAME,
  nodes: nodes.map((node) => ({
    name: node.name,
    host: node.address,
    port: 22,
    user: 'root',
    auth: { method: 'key', keyPath: clientKey },
  })),
});

/** The lab cluster in place of any earlier one with its id; validated so the app can read what we write. */
export const mergeConnections = (existing: ConnectionsFile | undefined, cluster: SavedCluster): ConnectionsFile => {
  const others = (existing?.clusters ?? []).filter((c) => c.id !== cluster.id);
  const parsed = ConnectionsFile.safeParse({ version: 1, clusters: [...others, cluster] });
  if (!parsed.success)
    throw new AppError('internal-error', `the lab's connections.json would be invalid: ${parsed.error.message}`);
  return parsed.data;
};

export interface HostKeyEntry {
  /** The address the app connects to (port 22, so written bare as ssh does). */
  readonly host: string;
  /** `ssh-ed25519 AAAA…` (the host key's .pub file without its comment). */
  readonly key: string;
}

/** `ssh-ed25519 AAAA… comment` → `ssh-ed25519 AAAA…`. */
export const publicKeyOnly = (pubFile: string): string => {
  const [type, blob] = pubFile.trim().split(/\s+/);
  if (!type || !blob) throw new AppError('invalid-params', `not an OpenSSH public key: ${pubFile.slice(0, 40)}`);
  return `${type} ${blob}`;
};

/**
 * Drop the lab's hosts from every plain line (a line naming other hosts too keeps them), leave markers,
 * hashed names and comments as they are, then append one line per lab node.
 */
export const mergeKnownHosts = (existing: string, entries: readonly HostKeyEntry[]): string => {
  const labHosts = new Set(entries.map((e) => e.host));
  const kept: string[] = [];
  for (const line of existing.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#') || trimmed.startsWith('@') || trimmed.startsWith('|')) {
      kept.push(line);
      continue;
    }
    const [hosts, ...rest] = trimmed.split(/\s+/);
    const remaining = (hosts ?? '').split(',').filter((h) => !labHosts.has(h));
    if (remaining.length > 0) kept.push([remaining.join(','), ...rest].join(' '));
  }
  return `${[...kept, ...entries.map((e) => `${e.host} ${e.key}`)].join('\n')}\n`;
};

const readIfThere = async (path: string): Promise<string | undefined> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

export const writeLabConfigDir = async (
  dir: string,
  nodes: readonly Pick<NodeLayout, 'name' | 'address'>[],
  clientKey: string,
  hostKeys: readonly HostKeyEntry[],
): Promise<void> => {
  const connectionsPath = join(dir, CONFIG_FILES.connections);
  const before = await readIfThere(connectionsPath);
  let existing: ConnectionsFile | undefined;
  if (before !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(before);
    } catch (error) {
      json = error;
    }
    const parsed = ConnectionsFile.safeParse(json);
    if (!parsed.success) {
      throw new AppError(
        'invalid-params',
        `${connectionsPath} is not a valid connections file — move it away or pick another --config-dir`,
      );
    }
    existing = parsed.data;
  }
  const connections = mergeConnections(existing, labCluster(nodes, clientKey));
  await writeFileAtomic(connectionsPath, `${JSON.stringify(connections, null, 2)}\n`);
  const knownHostsPath = join(dir, CONFIG_FILES.knownHosts);
  await writeFileAtomic(knownHostsPath, mergeKnownHosts((await readIfThere(knownHostsPath)) ?? '', hostKeys), 0o644);
};
