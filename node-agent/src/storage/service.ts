// The storage service behind the storage.* methods: storage.cfg through the store, volumes through the plugins,
// changes to a storage's volumes one at a time under its lock. Synchronous calls run commands with the call's
// signal; task bodies pass their own logged runner.
import { AppError } from '../api/errors';
import { guestNoun, type GuestRef } from '../guests/guest-configs';
import type { StorageEntry, StorageStatusEntry } from '../api/storage';
import { run } from '../exec/run';
import { capabilities, type Capabilities } from './capabilities';
import type { LockHolder, StorageLocks } from './lock';
import type { CommandRunner, ContentType, StorageContext, StoragePlugin, VolumeFormat, VolumeInfo } from './plugin';
import { contextFor, pluginFor, type PluginRegistry } from './registry';
import type { StorageConfig } from './storage-config';
import type { StorageCfg, StorageStore } from './storage-store';
import { assertOwner, parseVolid, parseVolname, type ParsedVolname } from './volume-name';

export interface StorageServiceOptions {
  root: string;
  node: string;
  store: StorageStore;
  locks: StorageLocks;
  registry: PluginRegistry;
  /** The guest with this VMID, if one exists on any node (volumes it owns are not deleted from here). */
  findGuest: (vmid: number) => Promise<GuestRef | undefined>;
}

/** How long adding a storage waits for it to activate (a mount, a pool import) before giving up. */
const ADD_CHECK_TIMEOUT_MS = 60_000;

/** One storage resolved for a call: its definition, plugin, capabilities and a plugin context. */
export interface ResolvedStorage {
  storage: StorageConfig;
  plugin: StoragePlugin;
  caps: Capabilities;
  ctx: StorageContext;
}

export interface ResolvedVolume extends ResolvedStorage {
  volid: string;
  volname: string;
  parsed: ParsedVolname;
}

export interface CallOptions {
  signal: AbortSignal;
  /** A task's logged runner; synchronous calls run commands directly. */
  run?: CommandRunner;
  /** Who takes the storage lock (a task names its UPID). */
  upid?: string;
  log?: (line: string) => void;
}

const directRunner =
  (signal: AbortSignal): CommandRunner =>
  (command, args, options = {}) =>
    run(command, args, { ...options, signal });

export class StorageService {
  constructor(private readonly options: StorageServiceOptions) {}

  get node(): string {
    return this.options.node;
  }

  /** Usable here: not disabled, and this node is in its `nodes` list (or it has none). */
  enabledHere(storage: StorageConfig): boolean {
    if (storage.disable === true) return false;
    return storage.nodes === undefined || storage.nodes.length === 0 || storage.nodes.includes(this.options.node);
  }

  readConfig(): Promise<StorageCfg> {
    return this.options.store.read();
  }

  async list(): Promise<{ digest: string; storages: StorageEntry[] }> {
    const { digest, storages } = await this.readConfig();
    return {
      digest,
      storages: storages.map((storage) => {
        const caps = capabilities[storage.type];
        const { type, id, ...config } = storage;
        const configuredShared = 'shared' in storage && storage.shared === true;
        return {
          id,
          type,
          content: storage.content,
          config,
          enabled: this.enabledHere(storage),
          shared: caps.shared === 'yes' || (caps.shared === 'configurable' && configuredShared),
          capabilities: caps,
        };
      }),
    };
  }

  async status(only: string | undefined, signal: AbortSignal): Promise<StorageStatusEntry[]> {
    const { storages } = await this.readConfig();
    const chosen = only === undefined ? storages : storages.filter((storage) => storage.id === only);
    if (only !== undefined && chosen.length === 0) throw new AppError('not-found', `storage ${only} does not exist`);
    return Promise.all(
      chosen.map(async (storage): Promise<StorageStatusEntry> => {
        const base = { storage: storage.id, type: storage.type, content: storage.content, enabled: this.enabledHere(storage) };
        if (!base.enabled) return { ...base, total: 0, used: 0, avail: 0, active: false };
        try {
          // As PVE's storage_info: activate (mount, create the folders) first; a storage that cannot is inactive.
          const plugin = pluginFor(this.options.registry, storage);
          const ctx = this.context(storage, { signal });
          await plugin.activate(ctx);
          return { ...base, ...(await plugin.status(ctx)) };
        } catch (error) {
          return { ...base, total: 0, used: 0, avail: 0, active: false, error: AppError.from(error).message };
        }
      }),
    );
  }

  /**
   * Add a storage. As PVE's on-add, one enabled on this node must activate and answer its status first (a dir
   * gets its folders, a btrfs path must be btrfs, a volume group must exist); if it cannot, nothing is saved.
   */
  add(config: Record<string, unknown>, digest: string | undefined, signal: AbortSignal): Promise<{ digest: string }> {
    return this.options.store
      .add(config, digest, (storage) => this.checkUsable(storage, signal))
      .then(({ digest: next }) => ({ digest: next }));
  }

  set(id: string, properties: Record<string, unknown>, remove: readonly string[], digest: string): Promise<{ digest: string }> {
    return this.options.store.set(id, properties, remove, digest).then(({ digest: next }) => ({ digest: next }));
  }

  /** Guests do not exist yet, so nothing checks that none still uses the storage; its volumes stay on disk. */
  remove(id: string, digest: string): Promise<{ digest: string }> {
    return this.options.store.remove(id, digest).then(({ digest: next }) => ({ digest: next }));
  }

  /** A storage enabled on this node, with its plugin and a context for `call`. */
  async resolve(storeid: string, call: CallOptions): Promise<ResolvedStorage> {
    const { storages } = await this.readConfig();
    const storage = storages.find((candidate) => candidate.id === storeid);
    if (!storage) throw new AppError('not-found', `storage ${storeid} does not exist`);
    if (storage.disable === true) throw new AppError('not-supported', `storage ${storeid} is disabled — enable it first`);
    if (!this.enabledHere(storage))
      throw new AppError('not-supported', `storage ${storeid} is not available on node ${this.options.node}`);
    return {
      storage,
      plugin: pluginFor(this.options.registry, storage),
      caps: capabilities[storage.type],
      ctx: this.context(storage, call),
    };
  }

  async resolveVolume(volid: string, call: CallOptions): Promise<ResolvedVolume> {
    const { storeid, volname } = parseVolid(volid);
    const resolved = await this.resolve(storeid, call);
    return { ...resolved, volid, volname, parsed: parseVolname(volname, resolved.caps.layout) };
  }

  /** Run `body` under the storage's lock; a task's waiting line goes to its log. */
  locked<T>(storeid: string, label: string, call: CallOptions, body: () => Promise<T>): Promise<T> {
    const holder: LockHolder = call.upid === undefined ? { label } : { upid: call.upid, label };
    return this.options.locks.withLock(storeid, holder, body, {
      signal: call.signal,
      ...(call.log === undefined ? {} : { log: call.log }),
    });
  }

  async contentList(storeid: string, filter: { content?: ContentType; vmid?: number }, call: CallOptions): Promise<VolumeInfo[]> {
    const { plugin, ctx } = await this.resolve(storeid, call);
    await plugin.activate(ctx);
    return plugin.list(ctx, filter);
  }

  /**
   * Delete a volume from the storage's content. One named for a guest (vm-100-…, 100/…) whose guest exists is
   * refused: it is that guest's disk, removed through the guest. An orphan (its guest is gone) can go; a caller
   * that names a vmid must name the owner.
   */
  async contentDelete(volid: string, vmid: number | undefined, call: CallOptions): Promise<void> {
    const volume = await this.resolveVolume(volid, call);
    const owner = volume.parsed.vmid;
    if (owner !== undefined) {
      if (vmid !== undefined) assertOwner(volume.parsed, vmid, volume.volid);
      const guest = await this.options.findGuest(owner);
      if (guest)
        throw new AppError(
          'access-denied',
          `volume ${volid} belongs to ${guestNoun[guest.kind]} ${owner} on node ${guest.node}, which exists — remove the disk from that guest (or destroy the guest) instead`,
          { owner, node: guest.node, kind: guest.kind },
        );
    }
    await this.locked(volume.storage.id, 'free', call, () => volume.plugin.free(volume.ctx, volume.volname));
  }

  async alloc(
    request: { storage: string; vmid: number; format?: VolumeFormat | undefined; size: number; name?: string | undefined },
    call: CallOptions,
  ): Promise<{ volid: string }> {
    const { storage, plugin, caps, ctx } = await this.resolve(request.storage, call);
    if (!storage.content.includes('images') && !storage.content.includes('rootdir'))
      throw new AppError('invalid-params', `storage ${storage.id} does not hold disk images (content ${storage.content.join(',')})`);
    const configured = 'format' in storage ? storage.format : undefined;
    const format = request.format ?? configured ?? caps.defaultFormat;
    if (!caps.formats.includes(format))
      throw new AppError('invalid-params', `storage ${storage.id} (${storage.type}) cannot hold ${format} volumes (it holds ${caps.formats.join(', ')})`);
    // A wanted name is the plugin's to check (its layout decides what a name looks like and that vmid owns it).
    // A name is given without a format (vm-100-cloudinit, vm-100-state-snap1): file storages add it, as PVE does.
    const name =
      request.name !== undefined && caps.layout === 'file' && !/\.(raw|qcow2|vmdk|subvol)$/.test(request.name) ? `${request.name}.${format}` : request.name;
    const volname = await this.locked(storage.id, 'alloc', call, async () => {
      await plugin.activate(ctx);
      return plugin.alloc(ctx, {
        vmid: request.vmid,
        format,
        size: request.size,
        ...(name === undefined ? {} : { name }),
      });
    });
    return { volid: `${storage.id}:${volname}` };
  }

  async free(volid: string, vmid: number, call: CallOptions): Promise<void> {
    const volume = await this.resolveVolume(volid, call);
    if (volume.parsed.vmid === undefined)
      throw new AppError('invalid-params', `volume ${volid} belongs to no guest — delete it with storage.content.delete`);
    checkOwner(volume, vmid);
    await this.locked(volume.storage.id, 'free', call, () => volume.plugin.free(volume.ctx, volume.volname));
  }

  async resize(volid: string, vmid: number | undefined, size: number, call: CallOptions): Promise<void> {
    const volume = await this.resolveVolume(volid, call);
    checkOwner(volume, vmid);
    await this.locked(volume.storage.id, 'resize', call, () => volume.plugin.resize(volume.ctx, volume.volname, size));
  }

  async snapshot(
    volid: string,
    vmid: number | undefined,
    snap: string,
    action: 'create' | 'rollback' | 'delete',
    call: CallOptions,
  ): Promise<void> {
    const volume = await this.resolveVolume(volid, call);
    checkOwner(volume, vmid);
    const { snapshots } = volume.caps;
    if (snapshots === false || (snapshots === 'qcow2' && volume.parsed.format !== 'qcow2'))
      throw new AppError(
        'not-supported',
        `volume ${volid}: ${volume.storage.type} storages ${snapshots === false ? 'have no snapshots' : 'snapshot qcow2 volumes only'}`,
      );
    const { plugin, ctx, volname } = volume;
    await this.locked(volume.storage.id, `snapshot ${action}`, call, () => {
      switch (action) {
        case 'create':
          return plugin.snapshotCreate(ctx, volname, snap);
        case 'rollback':
          return plugin.snapshotRollback(ctx, volname, snap);
        case 'delete':
          return plugin.snapshotDelete(ctx, volname, snap);
      }
    });
  }

  async clone(volid: string, vmid: number, snap: string | undefined, call: CallOptions): Promise<{ volid: string }> {
    const volume = await this.resolveVolume(volid, call);
    const { clones } = volume.caps;
    if (clones === false || (clones === 'qcow2' && volume.parsed.format !== 'qcow2'))
      throw new AppError('not-supported', `volume ${volid}: ${volume.storage.type} storages cannot clone it`);
    const volname = await this.locked(volume.storage.id, 'clone', call, () =>
      volume.plugin.clone(volume.ctx, volume.volname, vmid, snap),
    );
    return { volid: `${volume.storage.id}:${volname}` };
  }

  /** A storage enabled here activates and answers its status within ADD_CHECK_TIMEOUT_MS, or is refused. */
  private async checkUsable(storage: StorageConfig, signal: AbortSignal): Promise<void> {
    if (!this.enabledHere(storage)) return;
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(ADD_CHECK_TIMEOUT_MS)]);
    try {
      const plugin = pluginFor(this.options.registry, storage);
      const ctx = this.context(storage, { signal: deadline });
      await plugin.activate(ctx);
      await plugin.status(ctx);
    } catch (error) {
      const cause = AppError.from(error);
      throw new AppError(
        cause.code === 'internal-error' ? 'command-failed' : cause.code,
        `storage ${storage.id} cannot be used on node ${this.options.node}: ${cause.message} — nothing was saved`,
        { storage: storage.id, node: this.options.node },
      );
    }
  }

  /** Where a volume is on this node (file, block device or subvolume folder) and its format, for QEMU or LXC. */
  async volumePath(volid: string, call: CallOptions): Promise<{ path: string; format: VolumeFormat | undefined; storage: StorageConfig; shared: boolean }> {
    const volume = await this.resolveVolume(volid, call);
    await volume.plugin.activate(volume.ctx);
    const shared = volume.caps.shared === 'yes' || (volume.caps.shared === 'configurable' && 'shared' in volume.storage && volume.storage.shared === true);
    return { path: await volume.plugin.path(volume.ctx, volume.volname), format: volume.parsed.format, storage: volume.storage, shared };
  }

  /** Give guest vmid's volume a new name (a template's base-…), or to another guest, under the storage lock. */
  async rename(volid: string, vmid: number, newName: string | undefined, call: CallOptions): Promise<{ volid: string }> {
    const volume = await this.resolveVolume(volid, call);
    checkOwner(volume, vmid);
    const volname = await this.locked(volume.storage.id, 'rename', call, () => volume.plugin.rename(volume.ctx, volume.volname, vmid, newName));
    return { volid: `${volume.storage.id}:${volname}` };
  }

  private context(storage: StorageConfig, call: Pick<CallOptions, 'signal' | 'run'>): StorageContext {
    return contextFor(storage, { root: this.options.root, run: call.run ?? directRunner(call.signal), signal: call.signal });
  }
}

/** A volume named for a guest is changed only by a caller naming that guest. */
const checkOwner = (volume: ResolvedVolume, vmid: number | undefined): void => {
  const owner = volume.parsed.vmid;
  if (owner === undefined) return;
  if (vmid === undefined)
    throw new AppError('access-denied', `volume ${volume.volid} belongs to guest ${owner} — pass vmid ${owner} to change it`, {
      owner,
    });
  assertOwner(volume.parsed, vmid, volume.volid);
};
