// When a process started, for a guest's uptime: /proc/<pid>/stat's starttime (clock ticks after boot) on top of the
// node's boot time (now minus /proc/uptime).
import { readFile } from 'node:fs/promises';
import { ticksPerSecond } from '../vm/vm-usage';
import { parseProcPidStat } from '../vm/vm-watch';

/** ms since the epoch; `now` when the process or /proc cannot be read (it just started or just ended). */
export const processStartedAt = async (pid: number, now: number): Promise<number> => {
  try {
    const stat = parseProcPidStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    if (!Number.isFinite(uptime)) return now;
    return now - uptime * 1000 + (stat.starttime / ticksPerSecond) * 1000;
  } catch {
    return now;
  }
};
