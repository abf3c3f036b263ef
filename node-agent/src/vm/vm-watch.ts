// Watching a running VM through QMP: QEMU's events become the VM's run state (running, paused, shutdown,
// stopped), and its usage is read from QMP (disk bytes) and /proc (CPU ticks, resident memory).
import { readFile } from 'node:fs/promises';
import { AppError } from '../api/errors';
import { QmpClient, type QmpTimestamp } from './qmp-client';
import type { VmRunPaths } from './run-paths';

/**
 * - prelaunch: QEMU waits for `cont` (-S, or an incoming migration);
 * - shutdown: the guest powered off and QEMU stays (-no-shutdown): the caller quits it;
 * - stopped: the QMP socket closed, QEMU is gone.
 * Every other QEMU run state (paused, internal-error, io-error, guest-panicked…) is 'paused'; the QEMU status says which.
 */
export type VmRunState = 'running' | 'paused' | 'prelaunch' | 'shutdown' | 'stopped';

export interface VmStateChange {
  state: VmRunState;
  /** QEMU's own run state (query-status) when known, e.g. internal-error when KVM failed under the guest. */
  qmpstatus?: string;
  /** What told us: 'initial' (the first query), 'close' (the socket closed) or the QMP event's name. */
  cause: string;
  /** SHUTDOWN's data: whether the guest asked and why (guest-shutdown, host-qmp-quit…). */
  guest?: boolean;
  reason?: string;
  timestamp?: QmpTimestamp;
}

export interface WatchOptions {
  onState: (change: VmStateChange) => void;
  log?: (message: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface VmWatch {
  readonly client: QmpClient;
  /** Stop watching and drop the connection (QEMU keeps running). */
  dispose(): void;
}

export interface QmpStatus {
  status: string;
  running: boolean;
}

/** QEMU's run state as a VM state. */
export const vmRunState = (qmpstatus: string): VmRunState => {
  switch (qmpstatus) {
    case 'running':
      return 'running';
    case 'prelaunch':
    case 'inmigrate':
      return 'prelaunch';
    case 'shutdown':
      return 'shutdown';
    default:
      return 'paused';
  }
};

export const queryStatus = async (client: QmpClient): Promise<QmpStatus> => {
  const answer = await client.execute<{ status?: unknown; running?: unknown }>('query-status');
  if (typeof answer.status !== 'string')
    throw new AppError('protocol-error', 'QMP query-status: the answer has no status');
  return { status: answer.status, running: answer.running === true };
};

/** Events after which QEMU's run state is asked again (the event alone cannot tell paused from shutdown or an error). */
const RECHECK = new Set(['STOP', 'RESUME', 'RESET', 'SUSPEND', 'WAKEUP', 'GUEST_PANICKED']);

/**
 * Follow a running VM: reports the state at once ('initial'), then each change. Reconnecting after the socket
 * closed is the caller's job (the close is reported as 'stopped').
 */
export const watchVm = async (vmid: number, runPaths: VmRunPaths, options: WatchOptions): Promise<VmWatch> => {
  const { onState, log = () => undefined, signal, timeoutMs } = options;
  const client = await QmpClient.connect(runPaths.qmp, {
    log,
    ...(signal ? { signal } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  let last: VmRunState | undefined;
  let ended = false;
  const report = (change: VmStateChange) => {
    if (ended || change.state === last) return;
    last = change.state;
    if (change.state === 'stopped') ended = true;
    onState(change);
  };
  // Answers arrive in order, so re-checks queued one after another keep the reported order of events.
  let queue: Promise<void> = Promise.resolve();
  const recheck = (cause: string, timestamp?: QmpTimestamp) => {
    queue = queue.then(async () => {
      try {
        const { status } = await queryStatus(client);
        report({ state: vmRunState(status), qmpstatus: status, cause, ...(timestamp ? { timestamp } : {}) });
      } catch (error) {
        if (!client.closed) log(`VM ${vmid}: query-status after ${cause} failed: ${AppError.from(error).message}`);
      }
    });
  };
  client.on('event', (name, data, timestamp) => {
    if (name === 'SHUTDOWN') {
      // Reported at once: without -no-shutdown QEMU exits right after, and a query would race the close.
      const guest = data?.guest === true;
      const reason = typeof data?.reason === 'string' ? data.reason : undefined;
      report({
        state: 'shutdown',
        qmpstatus: 'shutdown',
        cause: name,
        guest,
        ...(reason ? { reason } : {}),
        timestamp,
      });
    } else if (RECHECK.has(name)) recheck(name, timestamp);
  });
  client.on('close', () => report({ state: 'stopped', cause: 'close' }));
  const initial = await queryStatus(client).catch((error: unknown) => {
    client.close();
    throw error;
  });
  report({ state: vmRunState(initial.status), qmpstatus: initial.status, cause: 'initial' });
  return {
    client,
    dispose: () => {
      ended = true;
      client.close();
    },
  };
};

/** The fields of /proc/<pid>/stat a VM's usage needs. */
export interface ProcPidStat {
  state: string;
  /** Clock ticks (USER_HZ) in user and kernel mode; the vCPU threads' time is counted here. */
  utime: number;
  stime: number;
  /** Clock ticks after boot when the process started. */
  starttime: number;
}

/** /proc/<pid>/stat; the command name in parentheses may itself hold spaces and parentheses, so split after the last ')'. */
export const parseProcPidStat = (text: string): ProcPidStat => {
  const close = text.lastIndexOf(')');
  const fields =
    close === -1
      ? []
      : text
          .slice(close + 2)
          .trim()
          .split(/\s+/);
  // After the name: state is field 3; utime 14, stime 15, starttime 22 (man 5 proc), so offsets 0, 11, 12, 19.
  const [state, utime, stime, starttime] = [fields[0], Number(fields[11]), Number(fields[12]), Number(fields[19])];
  if (state === undefined || ![utime, stime, starttime].every(Number.isSafeInteger))
    throw new AppError('protocol-error', `/proc/<pid>/stat is malformed: ${text.trim().slice(0, 200)}`);
  return { state, utime, stime, starttime };
};

/** VmRSS from /proc/<pid>/status, in bytes; 0 when absent (a kernel thread or a zombie has none). */
export const parseVmRss = (text: string): number => {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
};

interface BlockStatsEntry {
  stats?: { rd_bytes?: unknown; wr_bytes?: unknown };
}

/** Bytes read and written over every block device in a query-blockstats answer. */
export const sumBlockstats = (entries: readonly BlockStatsEntry[]): { diskread: number; diskwrite: number } => {
  let diskread = 0;
  let diskwrite = 0;
  for (const entry of entries) {
    if (typeof entry.stats?.rd_bytes === 'number') diskread += entry.stats.rd_bytes;
    if (typeof entry.stats?.wr_bytes === 'number') diskwrite += entry.stats.wr_bytes;
  }
  return { diskread, diskwrite };
};

export interface VmStats {
  diskread: number;
  diskwrite: number;
  /** utime + stime of the QEMU process in clock ticks; the caller turns deltas into a CPU fraction. */
  cpuTicks: number;
  /** Resident memory of the QEMU process in bytes. */
  mem: number;
}

export const queryVmStats = async (client: QmpClient, pid: number): Promise<VmStats> => {
  const [blockstats, stat, status] = await Promise.all([
    client.execute<BlockStatsEntry[]>('query-blockstats'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  const { utime, stime } = parseProcPidStat(stat);
  return { ...sumBlockstats(blockstats), cpuTicks: utime + stime, mem: parseVmRss(status) };
};
