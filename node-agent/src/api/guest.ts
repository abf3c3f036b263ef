// Guests (virtual machines and containers) as the inventory carries them: PVE's /cluster/resources items, in PVE's words.
import { z } from 'zod';

/** PVE's VMID: unique cluster-wide, 100..999999999 (below 100 is reserved). */
export const Vmid = z.number().int().min(100).max(999_999_999);
export type Vmid = z.infer<typeof Vmid>;

/** qemu: a KVM/QEMU virtual machine; lxc: a container. */
export const GuestType = z.enum(['qemu', 'lxc']);
export type GuestType = z.infer<typeof GuestType>;

export const GuestState = z.enum(['running', 'stopped', 'paused', 'suspended', 'unknown']);
export type GuestState = z.infer<typeof GuestState>;

const Bytes = z.number().nonnegative();
/** Bytes per second over the last sample interval. */
const Rate = z.number().nonnegative();

export const GuestStatus = z.object({
  vmid: Vmid,
  type: GuestType,
  name: z.string(),
  status: GuestState,
  /** Busy fraction of the guest's own CPUs (maxcpu) over the last sample, 0..1. */
  cpu: z.number().min(0).max(1),
  /** CPUs the guest may use (vCPUs; a container's cpulimit may be fractional). */
  maxcpu: z.number().nonnegative(),
  mem: Bytes,
  maxmem: Bytes,
  disk: Bytes,
  maxdisk: Bytes,
  /** Seconds since the guest started; 0 when stopped. */
  uptime: z.number().nonnegative(),
  // PVE's /cluster/resources carries cumulative counters here; ours are rates, as the node metrics are.
  netin: Rate,
  netout: Rate,
  diskread: Rate,
  diskwrite: Rate,
  template: z.boolean().optional(),
  tags: z.array(z.string().min(1)).optional(),
  /** The config lock, e.g. backup, migrate, snapshot (PVE's `lock` key). */
  lock: z.string().optional(),
});
export type GuestStatus = z.infer<typeof GuestStatus>;

/** Names a guest on its node: what guest.remove carries. */
export const GuestRef = z.object({ vmid: Vmid, type: GuestType });
export type GuestRef = z.infer<typeof GuestRef>;
