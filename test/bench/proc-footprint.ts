// A process's memory and CPU from /proc, sampled over a window: VmRSS and RssAnon (status), Pss
// (smaps_rollup), and utime+stime (stat) turned into a share of one core.
import { readFile } from 'node:fs/promises';
import { AppError } from '../../node-agent/src/api/errors';
import { run } from '../../node-agent/src/exec/run';

export interface MemoryReading {
  rssKiB: number;
  anonKiB: number;
  pssKiB: number;
}

export interface Footprint {
  pid: number;
  windowMs: number;
  samples: number;
  rssMeanMiB: number;
  rssMaxMiB: number;
  pssMeanMiB: number;
  anonMeanMiB: number;
  /** Busy share of one core over the window, in percent. */
  cpuPercent: number;
}

/** A `Key:   1234 kB` line of /proc/<pid>/status or smaps_rollup, in KiB. */
export const kiBField = (text: string, key: string): number | undefined => {
  const match = new RegExp(`^${key}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
};

/** utime + stime in clock ticks from /proc/<pid>/stat (fields 14 and 15; the name in parentheses may hold spaces). */
export const cpuTicks = (stat: string): number => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new AppError('protocol-error', 'a /proc/<pid>/stat line without utime and stime');
  return utime + stime;
};

const readProc = async (pid: number, file: string): Promise<string> => {
  try {
    return await readFile(`/proc/${pid}/${file}`, 'utf8');
  } catch (error) {
    throw new AppError('not-found', `process ${pid} went away while it was measured (${(error as Error).message})`, {
      pid,
    });
  }
};

export const readMemory = async (pid: number): Promise<MemoryReading> => {
  const [status, rollup] = await Promise.all([readProc(pid, 'status'), readProc(pid, 'smaps_rollup')]);
  const rssKiB = kiBField(status, 'VmRSS');
  const anonKiB = kiBField(status, 'RssAnon');
  const pssKiB = kiBField(rollup, 'Pss');
  if (rssKiB === undefined || anonKiB === undefined || pssKiB === undefined)
    throw new AppError(
      'protocol-error',
      `/proc/${pid} lacks VmRSS, RssAnon or Pss (a kernel thread, or a kernel without smaps_rollup)`,
    );
  return { rssKiB, anonKiB, pssKiB };
};

export const readCpuTicks = async (pid: number): Promise<number> => cpuTicks(await readProc(pid, 'stat'));

/** Clock ticks per second (USER_HZ); 100 on every Linux we run on, but asked rather than assumed. */
export const clockTicks = async (): Promise<number> => {
  const result = await run('getconf', ['CLK_TCK'], { timeoutMs: 5_000 }).catch(() => undefined);
  const ticks = Number(result?.stdout.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
};

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
const MiB = 1024;

/** Sample several processes at the same instants over the same window (so they see the same machine). */
export const measureFootprints = async (
  pids: readonly number[],
  windowMs: number,
  everyMs = 1_000,
): Promise<Footprint[]> => {
  const hz = await clockTicks();
  const readings = pids.map(() => [] as MemoryReading[]);
  const startTicks = await Promise.all(pids.map(readCpuTicks));
  const started = performance.now();
  // Memory is read at fixed instants across the window; the CPU figure is the ticks spent over all of it.
  for (let next = started; ; next += everyMs) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const now = await Promise.all(pids.map(readMemory));
    now.forEach((reading, i) => readings[i]!.push(reading));
    if (next + everyMs > started + windowMs) break;
  }
  const wait = started + windowMs - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const endTicks = await Promise.all(pids.map(readCpuTicks));
  const elapsedMs = performance.now() - started;
  return pids.map((pid, i) => {
    const series = readings[i]!;
    return {
      pid,
      windowMs: Math.round(elapsedMs),
      samples: series.length,
      rssMeanMiB: mean(series.map((r) => r.rssKiB)) / MiB,
      rssMaxMiB: Math.max(...series.map((r) => r.rssKiB)) / MiB,
      pssMeanMiB: mean(series.map((r) => r.pssKiB)) / MiB,
      anonMeanMiB: mean(series.map((r) => r.anonKiB)) / MiB,
      cpuPercent: (((endTicks[i]! - startTicks[i]!) / hz) * 1000 * 100) / elapsedMs,
    };
  });
};
