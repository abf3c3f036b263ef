// Which plugin serves which storage type, and the context a plugin call gets for one storage.
import { AppError } from '../api/errors';
import type { CommandRunner, StorageContext, StoragePlugin, StorageType } from './plugin';
import type { StorageConfig } from './storage-config';

export type PluginRegistry = ReadonlyMap<StorageType, StoragePlugin>;

/**
 * Plugins are typed by their own config (StoragePlugin<DirConfig>…); the registry hands each one only storages of
 * its own type, whose parsed section is that config, so it keeps them under the common shape.
 */
export const createRegistry = (plugins: readonly StoragePlugin<never>[]): PluginRegistry =>
  new Map(plugins.map((plugin) => [plugin.type, plugin as unknown as StoragePlugin]));

export const pluginFor = (registry: PluginRegistry, storage: StorageConfig): StoragePlugin => {
  const plugin = registry.get(storage.type);
  if (!plugin) throw new AppError('not-supported', `storage ${storage.id}: ${storage.type} storages are not supported by this agent`);
  return plugin;
};

export interface ContextOptions {
  root: string;
  run: CommandRunner;
  signal: AbortSignal;
}

/** The context for one call on one storage: its id, its properties (as parsed from storage.cfg), root, runner, signal. */
export const contextFor = (storage: StorageConfig, options: ContextOptions): StorageContext => ({
  storeid: storage.id,
  config: storage as unknown as Record<string, unknown>,
  root: options.root,
  run: options.run,
  signal: options.signal,
});
