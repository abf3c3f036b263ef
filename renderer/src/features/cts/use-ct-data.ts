// A CT page's data from the agent: status (state, pid, pending flag), the pending view and the config digest.
// Reloaded when the inventory entry's state changes and after every change (as use-vm-data.ts for VMs).
import { useCallback, useEffect, useState } from 'react';
import type { Result } from '../../../../node-agent/src/api';
import { UiError } from '../../app-error';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { ctConfig, ctPending, ctStatus } from './actions';

export interface CtData {
  status: Result<'ct.status'> | undefined;
  pending: Result<'ct.pending'>;
  digest: string | undefined;
  loading: boolean;
  error: UiError | undefined;
  reload: () => void;
}

export function useCtData(guestKey: string): CtData {
  const guest = useGuest(guestKey);
  const online = useAppStore((s) => (guest ? s.nodes[guest.nodeKey]?.state === 'online' : false));
  const [epoch, setEpoch] = useState(0);
  const [data, setData] = useState<Omit<CtData, 'reload'>>({
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
    void Promise.all([ctStatus(nodeKey, vmid), ctPending(nodeKey, vmid), ctConfig(nodeKey, vmid)])
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
  return { ...data, loading: data.loading && online, reload };
}

/** What every CT page tab receives. */
export interface CtTabProps {
  guestKey: string;
  nodeKey: string;
  vmid: number;
  data: CtData;
}
