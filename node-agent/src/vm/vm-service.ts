// The VMs of this node behind the vm.* methods: reads answer from the config files and the monitor; every change
// is validated in full first (PVE's recipe), then runs as a task that holds the VM's config lock. Task bodies live
// beside this file by job: vm-lifecycle (power), vm-snapshots, vm-copies (template, clone), vm-disks.
import { AppError } from '../api/errors';
import { GuestStatus } from '../api/guest';
import type { Consolidation, Timeframe } from '../api/node';
import type { SnapshotInfo, VmConfigValues, VmStatus } from '../api/vm';
import type { AgentPaths } from '../daemon/paths';
import type { StorageService } from '../storage/service';
import type { TaskContext } from '../tasks/task-context';
import { configView, pendingView, snapshotsView } from '../guests/guest-views';
import { CURRENT, PENDING, currentOf, sectionOf, type VmConf } from './config/conf-document';
import { decodeDescription } from './config/description';
import { VmMonitor } from './vm-monitor';
import { VmStore } from './vm-store';
import { drivesOf } from './vm-volumes';
import { sizeBytes } from './config/property-string';
import { memoryMiB, vcpusOf, netTaps } from './vm-facts';

export type SpawnTask = (
  options: { type: string; id: string; user: string },
  body: (ctx: TaskContext) => Promise<void>,
) => Promise<{ upid: string }>;

export interface VmServiceOptions {
  paths: AgentPaths;
  storage: StorageService;
  spawnTask: SpawnTask;
  user: string;
  publish: (event: { topic: 'guest.update'; data: GuestStatus } | { topic: 'guest.remove'; data: { vmid: number; type: 'qemu' } }) => void;
  log: (line: string) => void;
}

export class VmService {
  readonly store: VmStore;
  readonly monitor: VmMonitor;

  constructor(readonly options: VmServiceOptions) {
    this.store = new VmStore(options.paths.config, options.paths.node);
    this.monitor = new VmMonitor({
      paths: options.paths,
      log: options.log,
      onChange: (vmid) => void this.publishStatus(vmid),
      onGuestPoweroff: (vmid) => void this.quitAfterPoweroff(vmid),
    });
  }

  get node(): string {
    return this.options.paths.node;
  }

  /** At daemon start: attach to every VM that kept running while the agent was away. */
  async init(): Promise<void> {
    for (const vmid of await this.store.vmids()) {
      try {
        const { conf } = await this.store.read(vmid);
        await this.monitor.attach(vmid, { taps: netTaps(vmid, currentOf(conf).values) });
      } catch (error) {
        this.options.log(`VM ${vmid}: cannot attach: ${AppError.from(error).message}`);
      }
    }
  }

  async list(): Promise<VmStatus[]> {
    const statuses: VmStatus[] = [];
    for (const vmid of await this.store.vmids()) {
      try {
        statuses.push(await this.status(vmid));
      } catch (error) {
        this.options.log(`VM ${vmid}: ${AppError.from(error).message}`);
      }
    }
    return statuses;
  }

  async nextid(): Promise<{ vmid: number }> {
    return { vmid: await this.store.nextid() };
  }

  async status(vmid: number): Promise<VmStatus> {
    const { conf } = await this.store.read(vmid);
    return this.statusOf(vmid, conf);
  }

  statusOf(vmid: number, conf: VmConf): VmStatus {
    const values = currentOf(conf).values;
    const runtime = this.monitor.runtime(vmid);
    const state = this.monitor.state(vmid);
    const maxdisk = drivesOf(values)
      .filter((drive) => drive.media === 'disk' && drive.kind !== 'unused' && drive.kind !== 'efidisk' && drive.kind !== 'tpmstate')
      .reduce((sum, drive) => sum + (drive.size === undefined ? 0 : sizeBytes(drive.size)), 0);
    const tags = values.tags?.split(/[;,\s]+/).filter((tag) => tag !== '');
    return {
      vmid,
      type: 'qemu',
      name: values.name ?? `VM ${vmid}`,
      status: state,
      cpu: runtime?.cpu ?? 0,
      maxcpu: vcpusOf(values),
      mem: runtime?.mem ?? 0,
      maxmem: memoryMiB(values) * 1024 * 1024,
      disk: 0,
      maxdisk,
      uptime: runtime?.uptime ?? 0,
      netin: runtime?.netin ?? 0,
      netout: runtime?.netout ?? 0,
      diskread: runtime?.diskread ?? 0,
      diskwrite: runtime?.diskwrite ?? 0,
      pending: sectionOf(conf, PENDING) !== undefined,
      ...(values.template === '1' ? { template: true } : {}),
      ...(tags && tags.length > 0 ? { tags } : {}),
      ...(values.lock === undefined ? {} : { lock: values.lock }),
      ...(values.parent === undefined ? {} : { parent: values.parent }),
      ...(runtime?.qmpstatus === undefined ? {} : { qmpstatus: runtime.qmpstatus }),
      ...(runtime?.accel === undefined ? {} : { accel: runtime.accel }),
      ...(runtime?.pid === undefined ? {} : { pid: runtime.pid }),
    };
  }

  /** One usage sample of every running VM (with the node's sampler), then every VM's status published. */
  async sample(): Promise<void> {
    const facts = new Map<number, { maxmem: number; vcpus: number }>();
    for (const vmid of await this.store.vmids()) {
      const read = await this.store.read(vmid).catch(() => undefined);
      if (read) facts.set(vmid, { maxmem: memoryMiB(currentOf(read.conf).values) * 1024 * 1024, vcpus: vcpusOf(currentOf(read.conf).values) });
    }
    await this.monitor.sample((vmid) => facts.get(vmid)?.maxmem ?? 0, (vmid) => facts.get(vmid)?.vcpus ?? 1);
    for (const vmid of facts.keys()) await this.publishStatus(vmid);
  }

  dispose(): Promise<void> {
    return this.monitor.dispose();
  }

  /** Publish a VM's status (guest.update), or its removal when its config is gone. */
  async publishStatus(vmid: number): Promise<void> {
    try {
      if (!(await this.store.exists(vmid))) {
        this.options.publish({ topic: 'guest.remove', data: { vmid, type: 'qemu' } });
        return;
      }
      // GuestStatus keeps the inventory's fields and drops the VM-only ones (qmpstatus, accel…).
      this.options.publish({ topic: 'guest.update', data: GuestStatus.parse(await this.status(vmid)) });
    } catch (error) {
      this.options.log(`VM ${vmid}: cannot publish its status: ${AppError.from(error).message}`);
    }
  }

  async config(vmid: number, options: { snapshot?: string; current: boolean }): Promise<{ digest: string; config: VmConfigValues; description?: string }> {
    const { conf, digest } = await this.store.read(vmid);
    return configView(conf, digest, options, { kind: 'VM', vmid });
  }

  async pending(vmid: number): Promise<{ key: string; value?: string | number; pending?: string | number; delete?: boolean }[]> {
    return pendingView((await this.store.read(vmid)).conf);
  }

  async snapshots(vmid: number): Promise<{ snapshots: SnapshotInfo[]; current?: string }> {
    return snapshotsView((await this.store.read(vmid)).conf, { withRamState: true });
  }

  async metrics(vmid: number, timeframe: Timeframe, cf: Consolidation) {
    await this.store.read(vmid);
    return this.monitor.metrics(vmid, timeframe, cf);
  }

  /** The config's description (the leading # block), decoded. */
  static description(conf: VmConf): string | undefined {
    const text = currentOf(conf).description;
    return text === undefined ? undefined : decodeDescription(text);
  }

  /** Quit QEMU after the guest powered itself off (PVE's qmeventd does the same). */
  private async quitAfterPoweroff(vmid: number): Promise<void> {
    try {
      await this.monitor.client(vmid).execute('quit', undefined, { timeoutMs: 5_000 });
    } catch (error) {
      this.options.log(`VM ${vmid}: quitting after its power-off: ${AppError.from(error).message}`);
    }
  }

  /** A task that holds VM vmid's config lock for its whole body; its log names it. */
  runTask(vmid: number, type: string, body: (ctx: TaskContext) => Promise<void>): Promise<{ upid: string }> {
    return this.options.spawnTask({ type, id: String(vmid), user: this.options.user }, (ctx) =>
      this.store.withLock(vmid, { label: type, upid: ctx.upid }, () => body(ctx), { signal: ctx.signal, log: (line) => ctx.log(line) }),
    );
  }

  /** Refuse a change to a VM that is a template, or locked by a long operation (named). */
  static checkUnlocked(vmid: number, conf: VmConf, what: string): void {
    const lock = currentOf(conf).values.lock;
    if (lock !== undefined) throw new AppError('locked', `VM ${vmid} is locked (${lock}) — cannot ${what} until it is done`, { vmid, lock });
  }

  static checkNotTemplate(vmid: number, conf: VmConf, what: string): void {
    if (currentOf(conf).values.template === '1') throw new AppError('not-supported', `VM ${vmid} is a template — a template cannot ${what}; clone it instead`, { vmid });
  }
}

export { CURRENT };
