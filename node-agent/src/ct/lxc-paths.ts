// Where LXC keeps the agent's containers: its lxcpath under the agent root (PVE: /var/lib/lxc), one folder per
// container holding the generated `config`, so every lxc-* command is run with `-P <lxcpath> -n <ctid>`.
import { join } from 'node:path';
import type { AgentPaths } from '../daemon/paths';

export const lxcPath = (paths: Pick<AgentPaths, 'root'>): string => join(paths.root, 'var/lib/lxc');

export const lxcConfigFile = (paths: Pick<AgentPaths, 'root'>, ctid: number): string => join(lxcPath(paths), String(ctid), 'config');

/** The arguments every lxc-* command takes to name one of our containers. */
export const lxcTarget = (paths: Pick<AgentPaths, 'root'>, ctid: number): string[] => ['-P', lxcPath(paths), '-n', String(ctid)];
