// The rules VM and CT actions share before their own state rules (PVE's for qm and pct): the guest must be of the
// kind, its node online, and a lock (backup, migrate, snapshot…) blocks everything but looking at the console.
import type { GuestEntry } from '../../../../main/core/inventory-schema';

export type GuestFacts = Pick<GuestEntry, 'type' | 'status' | 'template' | 'lock'>;

export function guestActionOpen(
  kind: GuestEntry['type'],
  action: string,
  guest: GuestFacts,
  nodeOnline: boolean,
): boolean {
  if (guest.type !== kind || !nodeOnline) return false;
  return guest.lock === undefined || action === 'console';
}
