// A CT page's data from the agent (status with pid and pending flag, the pending view, the config digest): the
// shared guest-page hook with the ct.* reads.
import type { Result } from '../../../../node-agent/src/api';
import { useGuestData, type GuestData, type GuestDataReads } from '../guests/use-guest-data';
import { ctConfig, ctPending, ctStatus } from './actions';

export type CtData = GuestData<Result<'ct.status'>, Result<'ct.pending'>>;

const reads: GuestDataReads<Result<'ct.status'>, Result<'ct.pending'>> = {
  status: ctStatus,
  pending: ctPending,
  config: ctConfig,
  noPending: [],
};

export function useCtData(guestKey: string): CtData {
  return useGuestData(guestKey, reads);
}

/** What every CT page tab receives. */
export interface CtTabProps {
  guestKey: string;
  nodeKey: string;
  vmid: number;
  data: CtData;
}
