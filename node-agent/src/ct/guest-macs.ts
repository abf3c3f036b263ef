// The MAC addresses this node's guests use (VMs' netN and containers' hwaddr, in every section of their configs):
// a clone's new NICs take none of them, an imported config may not reuse one.
import { sectionsOf } from '../vm/config/conf-document';
import { macsOf } from '../vm/config/net';
import { VmStore } from '../vm/vm-store';
import type { CtService } from './ct-service';

/** MAC (upper case) → the guest using it; `except` (the guest being written) is left out. */
export const guestMacs = async (cts: CtService, except?: number): Promise<Map<string, number>> => {
  const owners = new Map<string, number>();
  for (const store of [cts.store, new VmStore(cts.store.configDir, cts.node)]) {
    for (const vmid of await store.vmids()) {
      if (vmid === except) continue;
      const read = await store.read(vmid).catch(() => undefined);
      if (read) for (const mac of macsOf(sectionsOf(read.conf).map((section) => section.values))) owners.set(mac, vmid);
    }
  }
  return owners;
};
