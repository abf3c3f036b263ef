// The storage.* methods: configuration and volume calls answer directly (PVE's alloc is synchronous too, under
// the storage lock); downloads validate everything first, then run as a `download` task.
import type { Handlers } from '../rpc/server';
import { download, prepareDownload, uploadCommit, uploadTarget } from '../storage/content-transfer';
import { AppError } from '../api/errors';
import type { StorageService } from '../storage/service';
import type { StorageStatusSampler } from '../storage/status-sampler';
import type { TaskManager } from '../tasks/task-manager';

type StorageMethod = Extract<keyof Handlers, `storage.${string}`>;
type SpawnTask = (...args: Parameters<TaskManager['spawn']>) => Promise<{ upid: string }>;

export const storageHandlers = (
  storage: StorageService,
  spawnTask: SpawnTask,
  user: string,
  /** The daemon's storage sampler; without one (handler tests) histories are empty. */
  metrics?: Pick<StorageStatusSampler, 'history'>,
): Pick<Handlers, StorageMethod> => ({
  'storage.list': () => storage.list(),
  'storage.status': ({ storage: only }, { signal }) => storage.status(only, signal),
  'storage.metrics': async ({ storage: storeid, timeframe, cf }) => {
    const { storages } = await storage.readConfig();
    if (!storages.some((candidate) => candidate.id === storeid))
      throw new AppError('not-found', `storage ${storeid} does not exist`);
    return metrics ? metrics.history(storeid, timeframe, cf) : { step: 10, points: [] };
  },
  'storage.add': ({ config, digest }, { signal }) => storage.add(config, digest, signal),
  'storage.set': ({ id, properties, delete: remove, digest }) => storage.set(id, properties, remove, digest),
  'storage.remove': ({ id, digest }) => storage.remove(id, digest),

  'storage.content.list': ({ storage: storeid, content, vmid }, { signal }) =>
    storage.contentList(
      storeid,
      { ...(content === undefined ? {} : { content }), ...(vmid === undefined ? {} : { vmid }) },
      { signal },
    ),
  'storage.content.delete': async ({ volid, vmid }, { signal }) => {
    await storage.contentDelete(volid, vmid, { signal });
    return {};
  },

  'storage.volume.alloc': (request, { signal }) => storage.alloc(request, { signal }),
  'storage.volume.free': async ({ volid, vmid }, { signal }) => {
    await storage.free(volid, vmid, { signal });
    return {};
  },
  'storage.volume.resize': async ({ volid, vmid, size }, { signal }) => {
    await storage.resize(volid, vmid, size, { signal });
    return {};
  },
  'storage.volume.snapshot': async ({ volid, vmid, snap, action }, { signal }) => {
    await storage.snapshot(volid, vmid, snap, action, { signal });
    return {};
  },
  'storage.volume.clone': ({ volid, vmid, snap }, { signal }) => storage.clone(volid, vmid, snap, { signal }),

  'storage.content.download': async (request, { signal }) => {
    const target = await prepareDownload(storage, request, signal);
    return spawnTask({ type: 'download', id: request.storage, user }, (task) => download(target, request.checksum, task));
  },
  'storage.upload.target': (request, { signal }) => uploadTarget(storage, request, signal),
  'storage.upload.commit': (request, { signal }) => uploadCommit(storage, request, signal),
});
