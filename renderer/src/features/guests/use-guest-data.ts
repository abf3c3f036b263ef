// A guest page's data from the agent: status, the pending view and the config digest, for VMs and CTs alike (each
// passes its own three reads). Reloaded when the inventory entry's state changes (a power action ended, a rename)
// and after every change the page makes.
import { useCallback, useEffect, useState } from 'react';
import { UiError } from '../../app-error';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';

export interface GuestData<Status, Pending> {
  status: Status | undefined;
  pending: Pending;
  digest: string | undefined;
  loading: boolean;
  error: UiError | undefined;
  reload: () => void;
}

/** The three agent reads a guest page needs; a module constant, so that it does not reload on every render. */
export interface GuestDataReads<Status, Pending> {
  status: (nodeKey: string, vmid: number) => Promise<Status>;
  pending: (nodeKey: string, vmid: number) => Promise<Pending>;
  config: (nodeKey: string, vmid: number) => Promise<{ digest?: string | undefined }>;
  /** The pending view before the first answer. */
  noPending: Pending;
}

export function useGuestData<Status, Pending>(
  guestKey: string,
  reads: GuestDataReads<Status, Pending>,
): GuestData<Status, Pending> {
  const guest = useGuest(guestKey);
  const online = useAppStore((s) => (guest ? s.nodes[guest.nodeKey]?.state === 'online' : false));
  const [epoch, setEpoch] = useState(0);
  const [data, setData] = useState<Omit<GuestData<Status, Pending>, 'reload'>>({
    status: undefined,
    pending: reads.noPending,
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
    void Promise.all([reads.status(nodeKey, vmid), reads.pending(nodeKey, vmid), reads.config(nodeKey, vmid)])
      .then(([status, pending, config]) => {
        if (!cancelled) setData({ status, pending, digest: config.digest, loading: false, error: undefined });
      })
      .catch((error: unknown) => {
        if (!cancelled) setData((d) => ({ ...d, loading: false, error: UiError.from(error) }));
      });
    return () => {
      cancelled = true;
    };
  }, [nodeKey, vmid, online, epoch, stateWord, reads]);
  const reload = useCallback(() => setEpoch((e) => e + 1), []);
  // An offline node answers nothing: what is shown is not loading, only last-known.
  return { ...data, loading: data.loading && online, reload };
}
