// Storage calls: status, storage.cfg definitions (add/edit/remove with the digest read), content, deletes and
// downloads. Errors are turned into notices here; callers that show them inline get the UiError back.
import type { Consolidation, Params, Result, StorageStatusEntry, Timeframe } from '../../../../node-agent/src/api';
import { agentCall } from '../../api';
import { UiError } from '../../app-error';
import type { MessageKey, MessageParams } from '../../i18n/translate';
import { appStore } from '../../store/store';

const notifyError = (key: MessageKey, params: MessageParams, error: unknown): UiError => {
  const e = UiError.from(error);
  appStore.getState().pushNotice({ severity: 'error', key, params, error: { code: e.code, message: e.message } });
  return e;
};

/** Read a node's storages and keep them in the store (the tree and the storage pages read them from there). */
export async function refreshNodeStorages(nodeKey: string): Promise<readonly StorageStatusEntry[]> {
  const entries = await agentCall(nodeKey, 'storage.status', {});
  appStore.getState().setNodeStorages(nodeKey, entries);
  return entries;
}

/** The node storage.cfg is read from: storage.cfg is cluster-wide, so the first online node of the cluster. */
export function configNode(clusterId?: string): string | undefined {
  const state = appStore.getState();
  const keys = clusterId === undefined ? Object.values(state.nodeOrder).flat() : (state.nodeOrder[clusterId] ?? []);
  return keys.find((key) => state.nodes[key]?.state === 'online');
}

export const listStorages = (nodeKey: string): Promise<Result<'storage.list'>> =>
  agentCall(nodeKey, 'storage.list', {});

export const addStorage = (nodeKey: string, params: Params<'storage.add'>): Promise<Result<'storage.add'>> =>
  agentCall(nodeKey, 'storage.add', params);

export const setStorage = (nodeKey: string, params: Params<'storage.set'>): Promise<Result<'storage.set'>> =>
  agentCall(nodeKey, 'storage.set', params);

/** Remove a definition; a notice either way, and every storage page reloads. */
export async function removeStorage(nodeKey: string, id: string, digest: string): Promise<boolean> {
  try {
    await agentCall(nodeKey, 'storage.remove', { id, digest });
    appStore.getState().pushNotice({ severity: 'success', key: 'dcStorage.removed', params: { storage: id } });
    appStore.getState().bumpStorageEpoch();
    return true;
  } catch (error) {
    notifyError(
      UiError.from(error).code === 'conflict' ? 'dcStorage.conflict' : 'dcStorage.removeFailed',
      { storage: id },
      error,
    );
    return false;
  }
}

export const listContent = (nodeKey: string, storage: string): Promise<Result<'storage.content.list'>> =>
  agentCall(nodeKey, 'storage.content.list', { storage });

export const fetchStorageMetrics = (
  nodeKey: string,
  storage: string,
  timeframe: Timeframe,
  cf: Consolidation,
): Promise<Result<'storage.metrics'>> => agentCall(nodeKey, 'storage.metrics', { storage, timeframe, cf });

/** Delete a volume; a guest's volume is refused by the agent (access-denied), which the notice shows. */
export async function deleteVolume(nodeKey: string, volid: string): Promise<boolean> {
  try {
    await agentCall(nodeKey, 'storage.content.delete', { volid });
    appStore.getState().pushNotice({ severity: 'success', key: 'content.deleted', params: { volid } });
    appStore.getState().bumpStorageEpoch();
    return true;
  } catch (error) {
    notifyError('content.deleteFailed', { volid }, error);
    return false;
  }
}

/** Start a download task; the task panel shows it, and the content list reloads when it ends. */
export async function startDownload(nodeKey: string, params: Params<'storage.content.download'>): Promise<void> {
  await agentCall(nodeKey, 'storage.content.download', params);
  appStore.getState().setTaskPanel({ open: true });
  appStore.getState().pushNotice({ severity: 'info', key: 'download.started', params: { storage: params.storage } });
}
