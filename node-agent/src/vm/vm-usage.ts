// Where a guest's usage history is kept (PVE's pve2-vm RRDs, one per guest), and the clock tick the kernel counts
// process CPU time in.
import { join } from 'node:path';

/** USER_HZ: Linux reports /proc times in 1/100 s on every architecture we run on. */
export const ticksPerSecond = 100;

/** <data>/metrics/guest-<vmid>.rrd */
export const guestHistoryFile = (dataDir: string, vmid: number): string => join(dataDir, 'metrics', `guest-${vmid}.rrd`);
