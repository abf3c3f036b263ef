// The saved-connections file (connections.json in the config dir): clusters of nodes, as the app saves them.
// Secrets are never stored here: passwords and key passphrases go through the OS keychain.
import { z } from 'zod';

export const AuthMethod = z.enum(['key', 'agent', 'password', 'keyboard-interactive']);
export type AuthMethod = z.infer<typeof AuthMethod>;

export const SavedAuth = z.discriminatedUnion('method', [
  z.object({ method: z.literal('key'), keyPath: z.string().min(1) }),
  z.object({ method: z.literal('agent'), agentSocket: z.string().optional() }),
  z.object({ method: z.literal('password') }),
  z.object({ method: z.literal('keyboard-interactive') }),
]);
export type SavedAuth = z.infer<typeof SavedAuth>;

export const Host = z.string().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address');

export const SavedNode = z.object({
  /** Stable key of this node within the app: `<clusterId>/<name>`. */
  name: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/),
  host: Host,
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).max(64).regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'a login name'),
  auth: SavedAuth,
});
export type SavedNode = z.infer<typeof SavedNode>;

export const SavedCluster = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  name: z.string().min(1).max(100),
  nodes: z.array(SavedNode),
});
export type SavedCluster = z.infer<typeof SavedCluster>;

export const ConnectionsFile = z.object({
  version: z.literal(1),
  clusters: z.array(SavedCluster),
});
export type ConnectionsFile = z.infer<typeof ConnectionsFile>;

/** `cluster/node`: how the app names a node everywhere (inventory, IPC, cache, CLI). */
export type NodeKey = `${string}/${string}`;
export const nodeKey = (cluster: string, node: string): NodeKey => `${cluster}/${node}`;
export const NodeKeySchema = z.string().regex(/^[a-z0-9][a-z0-9-]*\/[a-zA-Z0-9-]+$/, 'a node key cluster/node');

/** Files in the config dir. */
export const CONFIG_FILES = {
  connections: 'connections.json',
  knownHosts: 'known_hosts',
  preferences: 'preferences.json',
  cacheDir: 'cache',
} as const;
