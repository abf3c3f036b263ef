// The volumes on a storage, grouped by content; reloaded when the storage epoch moves (a task or upload ended,
// something was deleted) or on demand. Loading is derived: the answer held is for an older request.
import { useCallback, useEffect, useState } from 'react';
import type { ContentType, VolumeInfo } from '../../../../node-agent/src/storage/plugin';
import { UiError } from '../../app-error';
import { useAppStore } from '../../store/store';
import { listContent } from './actions';
import { groupByContent } from './storage-format';

export interface StorageContent {
  groups: Partial<Record<ContentType, VolumeInfo[]>>;
  loading: boolean;
  error: UiError | undefined;
  reload: () => void;
}

interface Answer {
  request: string;
  groups: Partial<Record<ContentType, VolumeInfo[]>>;
  error: UiError | undefined;
}

export function useStorageContent(nodeKey: string, storage: string): StorageContent {
  const epoch = useAppStore((s) => s.storageEpoch);
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  const [manual, setManual] = useState(0);
  const [answer, setAnswer] = useState<Answer>({ request: '', groups: {}, error: undefined });
  const request = `${nodeKey}\n${storage}\n${epoch}\n${manual}`;
  useEffect(() => {
    if (!online) return;
    let cancelled = false;
    listContent(nodeKey, storage).then(
      (volumes) => !cancelled && setAnswer({ request, groups: groupByContent(volumes), error: undefined }),
      (error: unknown) => !cancelled && setAnswer((a) => ({ ...a, request, error: UiError.from(error) })),
    );
    return () => {
      cancelled = true;
    };
  }, [nodeKey, storage, request, online]);
  const reload = useCallback(() => setManual((n) => n + 1), []);
  return { groups: answer.groups, error: answer.error, loading: online && answer.request !== request, reload };
}
