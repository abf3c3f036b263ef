// What every VM page tab receives: the guest, where it runs, and the page's loaded data.
import type { VmData } from './use-vm-data';

export interface VmTabProps {
  guestKey: string;
  nodeKey: string;
  vmid: number;
  data: VmData;
}
