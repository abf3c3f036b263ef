// A VM page's data from the agent (status with accelerator and pending flag, the pending view, the config
// digest): the shared guest-page hook with the vm.* reads.
import type { Result } from '../../../../node-agent/src/api';
import { useGuestData, type GuestData, type GuestDataReads } from '../guests/use-guest-data';
import { vmConfig, vmPending, vmStatus } from './actions';

export type VmData = GuestData<Result<'vm.status'>, Result<'vm.pending'>>;

const reads: GuestDataReads<Result<'vm.status'>, Result<'vm.pending'>> = {
  status: vmStatus,
  pending: vmPending,
  config: vmConfig,
  noPending: [],
};

export function useVmData(guestKey: string): VmData {
  return useGuestData(guestKey, reads);
}
