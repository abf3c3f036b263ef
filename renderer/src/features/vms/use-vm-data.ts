// A VM page's data from the agent: status (state, accelerator, pending flag), the pending view and the config
// digest. Reloaded when the inventory entry changes (a power action ended, a tick) and after every change.
import { useCallback, useEffect, useState } from 'react';
import type { Result } from '../../../../node-agent/src/api';
import { UiError } from '../../app-error';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { vmConfig, vmPending, vmStatus } from './actions';

export interface VmData {
  status: Result<'vm.status'> | undefined;
  pending: Result<'vm.pending'>;
  digest: string | undefined;
  loading: boolean;
  error: UiError | undefined;
  reload: () => void;
}

export function useVmData(guestKey: string): VmData {
  const guest = useGuest(guestKey);
  const online = useAppStore((s) => (guest ? s.nodes[guest.nodeKey]?.state === 'online' : false));
  const [epoch, setEpoch] = useState(0);
  const [data, setData] = useState<Omit<VmData, 'reload'>>({
    status: undefined,
    pending: [],
    digest: undefined,
    loading: true,
    error: undefined,
  });
  const nodeKey = guest?.nodeKey;
  const vmid = guest?.vmid;
  // Not the whole entry: its usage figures change every tick and would reload the config each time.
  const stateWord = `${guest?.status}/${guest?.template === true}/${guest?.lock ?? ''}/${guest?.name ?? ''}`;
  useEffect(() => {
    if (nodeKey === undefined || vmid === undefined || !online) return;
    let cancelled = false;
    void Promise.all([vmStatus(nodeKey, vmid), vmPending(nodeKey, vmid), vmConfig(nodeKey, vmid)])
      .then(([status, pending, config]) => {
        if (!cancelled) setData({ status, pending, digest: config.digest, loading: false, error: undefined });
      })
      .catch((error: unknown) => {
        if (!cancelled) setData((d) => ({ ...d, loading: false, error: UiError.from(error) }));
      });
    return () => {
      cancelled = true;
    };
  }, [nodeKey, vmid, online, epoch, stateWord]);
  const reload = useCallback(() => setEpoch((e) => e + 1), []);
  // An offline node answers nothing: what is shown is not loading, only last-known.
  return { ...data, loading: data.loading && online, reload };
}
