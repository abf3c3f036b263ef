// What the daemon knows of its running VMs: one QMP watch each, kept from start (or from the daemon's own start,
// for VMs that outlived an agent restart) until QEMU exits. QMP events and the socket closing move a VM's state at
// once, so the app learns of a killed QEMU within the second; every node sample adds usage (CPU and memory from
// /proc, disk I/O from QMP, network from the taps) to a per-VM history.
import { readFile } from 'node:fs/promises';
import { AppError } from '../api/errors';
import type { Consolidation, Timeframe } from '../api/node';
import type { VmStatus } from '../api/vm';
import { RrdHistory } from '../metrics/history';
import { loadHistory, saveHistory } from '../metrics/history-file';
import type { AgentPaths } from '../daemon/paths';
import type { QmpClient } from './qmp-client';
import { runningPid } from './qemu-process';
import { vmRunPaths } from './run-paths';
import { guestHistoryFile, ticksPerSecond } from './vm-usage';
import { parseProcPidStat, queryVmStats, watchVm, type VmStateChange, type VmWatch } from './vm-watch';

export const VM_FIELDS = ['cpu', 'mem', 'maxmem', 'netin', 'netout', 'diskread', 'diskwrite'] as const;
type VmField = (typeof VM_FIELDS)[number];

export type RunState = 'running' | 'paused' | 'stopped';

interface Counters {
  at: number;
  cpuTicks: number;
  diskread: number;
  diskwrite: number;
  netin: number;
  netout: number;
}

interface Running {
  vmid: number;
  pid: number;
  watch?: VmWatch;
  state: RunState;
  qmpstatus: string;
  accel?: 'kvm' | 'tcg';
  startedAt: number;
  taps: string[];
  last?: Counters;
  usage: { cpu: number; mem: number; netin: number; netout: number; diskread: number; diskwrite: number };
}

export interface VmMonitorOptions {
  paths: Pick<AgentPaths, 'run' | 'data'>;
  /** A VM's state changed (started, paused, stopped…): the service publishes its status. */
  onChange: (vmid: number) => void;
  /** QEMU reported the guest powered itself off (SHUTDOWN; -no-shutdown keeps QEMU): the service quits it. */
  onGuestPoweroff: (vmid: number) => void;
  log: (line: string) => void;
  now?: () => number;
}

const SAVE_EVERY = 6;

export class VmMonitor {
  private readonly running = new Map<number, Running>();
  private readonly histories = new Map<number, RrdHistory<VmField>>();
  private samples = 0;

  constructor(private readonly options: VmMonitorOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Attach to a VM that runs (just started, or found running at daemon start). False when it does not run. */
  async attach(vmid: number, details: { accel?: 'kvm' | 'tcg'; taps: string[] }): Promise<boolean> {
    const runPaths = vmRunPaths(this.options.paths, vmid);
    const pid = await runningPid(runPaths);
    if (pid === undefined) return false;
    const existing = this.running.get(vmid);
    if (existing && existing.pid === pid) return true;
    existing?.watch?.dispose();
    const entry: Running = {
      vmid,
      pid,
      state: 'running',
      qmpstatus: 'running',
      startedAt: await processStart(pid, this.now()),
      taps: details.taps,
      usage: { cpu: 0, mem: 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0 },
      ...(details.accel === undefined ? {} : { accel: details.accel }),
    };
    this.running.set(vmid, entry);
    entry.watch = await watchVm(vmid, runPaths, { onState: (change) => this.onState(entry, change), log: this.options.log });
    return true;
  }

  /** QMP's view of the VM, published on every change; the socket closing (QEMU gone) ends our hold on it. */
  private onState(entry: Running, change: VmStateChange): void {
    if (this.running.get(entry.vmid) !== entry) return;
    if (change.state === 'stopped') {
      this.running.delete(entry.vmid);
      this.options.onChange(entry.vmid);
      return;
    }
    entry.state = change.state === 'running' ? 'running' : 'paused';
    entry.qmpstatus = change.qmpstatus ?? change.state;
    // A guest-initiated power-off (-no-shutdown keeps QEMU): the service quits it, as PVE's qmeventd does.
    if (change.state === 'shutdown' && change.guest === true) this.options.onGuestPoweroff(entry.vmid);
    this.options.onChange(entry.vmid);
  }

  /** The QMP connection of a running VM, or a clear `not-supported` naming it. */
  client(vmid: number): QmpClient {
    const entry = this.running.get(vmid);
    if (!entry?.watch) throw new AppError('not-supported', `VM ${vmid} is not running`, { vmid });
    return entry.watch.client;
  }

  state(vmid: number): RunState {
    return this.running.get(vmid)?.state ?? 'stopped';
  }

  isRunning(vmid: number): boolean {
    return this.running.has(vmid);
  }

  runtime(vmid: number): Pick<VmStatus, 'qmpstatus' | 'accel' | 'pid' | 'uptime' | 'cpu' | 'mem' | 'netin' | 'netout' | 'diskread' | 'diskwrite'> | undefined {
    const entry = this.running.get(vmid);
    if (!entry) return undefined;
    return {
      qmpstatus: entry.qmpstatus,
      pid: entry.pid,
      uptime: Math.max(0, Math.round((this.now() - entry.startedAt) / 1000)),
      ...entry.usage,
      ...(entry.accel === undefined ? {} : { accel: entry.accel }),
    };
  }

  /** Forget a VM whose QEMU is gone (stop waits for the close event; this is for a process that never connected). */
  detach(vmid: number): void {
    const entry = this.running.get(vmid);
    if (!entry) return;
    this.running.delete(vmid);
    entry.watch?.dispose();
    this.options.onChange(vmid);
  }

  /** One usage sample of every running VM (with the node sampler: every 10 s) into each VM's history. */
  async sample(maxmem: (vmid: number) => number, vcpus: (vmid: number) => number): Promise<void> {
    const t = this.now();
    for (const entry of [...this.running.values()]) {
      try {
        const counters = await readCounters(entry, t);
        const last = entry.last;
        entry.last = counters;
        const mem = counters.mem;
        const seconds = last ? (counters.at - last.at) / 1000 : 0;
        const rate = (now: number, before: number | undefined) => (seconds > 0 && before !== undefined ? Math.max(0, (now - before) / seconds) : 0);
        const cpus = Math.max(1, vcpus(entry.vmid));
        entry.usage = {
          cpu: last && seconds > 0 ? Math.min(1, (counters.cpuTicks - last.cpuTicks) / ticksPerSecond / seconds / cpus) : 0,
          mem,
          netin: rate(counters.netin, last?.netin),
          netout: rate(counters.netout, last?.netout),
          diskread: rate(counters.diskread, last?.diskread),
          diskwrite: rate(counters.diskwrite, last?.diskwrite),
        };
        const history = await this.history(entry.vmid);
        history.add({ t, ...entry.usage, maxmem: maxmem(entry.vmid) });
      } catch (error) {
        this.options.log(`VM ${entry.vmid}: no usage sample: ${AppError.from(error).message}`);
      }
    }
    this.samples += 1;
    if (this.samples % SAVE_EVERY === 0) await this.save();
  }

  async metrics(vmid: number, timeframe: Timeframe, cf: Consolidation): Promise<{ step: number; points: ({ t: number } & Record<VmField, number>)[] }> {
    return (await this.history(vmid)).query(timeframe, cf, this.now());
  }

  private async history(vmid: number): Promise<RrdHistory<VmField>> {
    let history = this.histories.get(vmid);
    if (!history) {
      history = await loadHistory(guestHistoryFile(this.options.paths.data, vmid), this.options.log, () => this.now(), () => new RrdHistory<VmField>(VM_FIELDS));
      this.histories.set(vmid, history);
    }
    return history;
  }

  async save(): Promise<void> {
    for (const [vmid, history] of this.histories) await saveHistory(guestHistoryFile(this.options.paths.data, vmid), history).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    await this.save();
    for (const entry of this.running.values()) entry.watch?.dispose();
    this.running.clear();
  }
}

const readCounters = async (entry: Running, at: number): Promise<Counters & { mem: number }> => {
  if (!entry.watch) throw new AppError('not-supported', `VM ${entry.vmid} is not watched yet`);
  const stats = await queryVmStats(entry.watch.client, entry.pid);
  let netin = 0;
  let netout = 0;
  for (const tap of entry.taps) {
    // A tap's rx is what the guest sent (the guest's "out"), its tx what the guest received.
    netout += await readCounter(`/sys/class/net/${tap}/statistics/rx_bytes`);
    netin += await readCounter(`/sys/class/net/${tap}/statistics/tx_bytes`);
  }
  return { at, cpuTicks: stats.cpuTicks, diskread: stats.diskread, diskwrite: stats.diskwrite, netin, netout, mem: stats.mem };
};

const readCounter = async (path: string): Promise<number> => Number((await readFile(path, 'utf8').catch(() => '0')).trim()) || 0;

/** When a process started, from /proc/<pid>/stat's starttime (ticks after boot) and the boot time. */
const processStart = async (pid: number, now: number): Promise<number> => {
  try {
    const stat = parseProcPidStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    const bootedAt = now - uptime * 1000;
    return bootedAt + (stat.starttime / ticksPerSecond) * 1000;
  } catch {
    return now;
  }
};
