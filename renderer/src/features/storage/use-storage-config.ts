// storage.cfg as the Datacenter → Storage page shows it: read with storage.list from the first online node of
// the cluster (storage.cfg is cluster-wide), with its digest; reloaded when the storage epoch moves or on demand.
import { useCallback, useEffect, useState } from 'react';
import type { StorageEntry } from '../../../../node-agent/src/api';
import { UiError } from '../../app-error';
import { useAppStore } from '../../store/store';
import { listStorages } from './actions';

export interface StorageConfigView {
  /** The node asked; undefined when none of the cluster's nodes is online. */
  nodeKey: string | undefined;
  digest: string;
  storages: readonly StorageEntry[];
  loading: boolean;
  error: UiError | undefined;
  reload: () => void;
}

interface Answer {
  request: string;
  digest: string;
  storages: readonly StorageEntry[];
  error: UiError | undefined;
}

const noStorages: readonly StorageEntry[] = [];

export function useStorageConfig(clusterId: string | undefined): StorageConfigView {
  const nodeKey = useAppStore((s) => {
    const keys = clusterId === undefined ? [] : (s.nodeOrder[clusterId] ?? []);
    return keys.find((key) => s.nodes[key]?.state === 'online');
  });
  const epoch = useAppStore((s) => s.storageEpoch);
  const [manual, setManual] = useState(0);
  const [answer, setAnswer] = useState<Answer>({ request: '', digest: '', storages: noStorages, error: undefined });
  const request = `${nodeKey ?? ''}\n${epoch}\n${manual}`;
  useEffect(() => {
    if (nodeKey === undefined) return;
    let cancelled = false;
    listStorages(nodeKey).then(
      (result) => !cancelled && setAnswer({ request, ...result, error: undefined }),
      (error: unknown) => !cancelled && setAnswer((a) => ({ ...a, request, error: UiError.from(error) })),
    );
    return () => {
      cancelled = true;
    };
  }, [nodeKey, request]);
  const reload = useCallback(() => setManual((n) => n + 1), []);
  // The answer of another node (the cluster's first online node changed) is not this cluster's file.
  const current = nodeKey !== undefined && answer.request.startsWith(`${nodeKey}\n`);
  return {
    nodeKey,
    digest: current ? answer.digest : '',
    storages: current ? answer.storages : noStorages,
    error: current ? answer.error : undefined,
    loading: nodeKey !== undefined && answer.request !== request,
    reload,
  };
}
