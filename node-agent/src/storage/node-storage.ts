// The node's storage service as the daemon runs it: storage.cfg in the config folder, every built-in plugin,
// in-process storage locks.
import type { AgentPaths } from '../daemon/paths';
import { findGuest } from '../guests/guest-configs';
import { LocalStorageLocks } from './lock';
import { btrfsPlugin } from './plugins/btrfs';
import { dirPlugin } from './plugins/dir';
import { lvmPlugin } from './plugins/lvm';
import { lvmthinPlugin } from './plugins/lvmthin';
import { zfspoolPlugin } from './plugins/zfspool';
import { createRegistry, type PluginRegistry } from './registry';
import { StorageService } from './service';
import { StorageStore } from './storage-store';

/** dir and btrfs (real), lvm, lvmthin and zfspool (commands planned and run through the CommandRunner). */
export const builtinRegistry = (): PluginRegistry =>
  createRegistry([dirPlugin, btrfsPlugin, lvmPlugin, lvmthinPlugin, zfspoolPlugin]);

export const nodeStorageService = (paths: Pick<AgentPaths, 'root' | 'node' | 'config'>): StorageService =>
  new StorageService({
    root: paths.root,
    node: paths.node,
    store: StorageStore.at(paths.config),
    locks: new LocalStorageLocks(),
    registry: builtinRegistry(),
    findGuest: (vmid) => findGuest(paths.config, vmid),
  });
