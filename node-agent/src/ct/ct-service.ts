// The containers of this node behind the ct.* methods: configs through the guest store (PVE's lxc/<ctid>.conf),
// runtime through LXC's tools. Reads answer directly; every change validates first, then runs as a task holding the
// container's config lock — PVE's task names (vzcreate, vzstart, vzstop…).
import { rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../api/errors';
import type { CtStatus } from '../api/ct';
import { GuestStatus } from '../api/guest';
import type { SnapshotInfo, VmConfigValues } from '../api/vm';
import type { AgentPaths } from '../daemon/paths';
import type { StorageService } from '../storage/service';
import type { TaskContext } from '../tasks/task-context';
import { configView, pendingView, snapshotsView } from '../guests/guest-views';
import { PENDING, currentOf, sectionOf, type VmConf } from '../vm/config/conf-document';
import { sizeBytes } from '../vm/config/property-string';
import { storageCall } from '../vm/task-run';
import { VmStore, type GuestDialect } from '../vm/vm-store';
import type { SpawnTask } from '../vm/vm-service';
import { parseCtConf, serializeCtConf } from './config/ct-conf';
import { typedCtConfig } from './config/typed';
import { ctState, lxcAttach, type CtRunState } from './ct-runtime';
import { CtUsage, ctMaxcpu, type CtUsageValues, type RunningCt } from './ct-usage';
import { lxcPath } from './lxc-paths';

/** The node's CPUs (read once): a container without `cores` may use them all. */
let cpuCount: number | undefined;
const nodeCpus = (): number => (cpuCount ??= Math.max(1, cpus().length));

export const ctDialect: GuestDialect = { kind: 'lxc', parse: parseCtConf, serialize: serializeCtConf };

export interface CtServiceOptions {
  paths: AgentPaths;
  storage: StorageService;
  spawnTask: SpawnTask;
  user: string;
  publish: (event: { topic: 'guest.update'; data: GuestStatus } | { topic: 'guest.remove'; data: { vmid: number; type: 'lxc' } }) => void;
  log: (line: string) => void;
}

export class CtService {
  readonly store: VmStore;
  readonly usage: CtUsage;

  constructor(readonly options: CtServiceOptions) {
    this.store = new VmStore(options.paths.config, options.paths.node, ctDialect);
    this.usage = new CtUsage({ dataDir: options.paths.data, log: options.log });
  }

  get node(): string {
    return this.options.paths.node;
  }

  async list(): Promise<CtStatus[]> {
    const statuses: CtStatus[] = [];
    for (const vmid of await this.store.vmids()) {
      try {
        statuses.push(await this.status(vmid));
      } catch (error) {
        this.options.log(`CT ${vmid}: ${AppError.from(error).message}`);
      }
    }
    return statuses;
  }

  async status(vmid: number): Promise<CtStatus> {
    const { conf } = await this.store.read(vmid);
    const { state, pid } = await ctState(this.options.paths, vmid);
    const usage = state === 'running' && pid !== undefined ? await this.usage.current(vmid, pid) : undefined;
    return this.statusOf(vmid, conf, state, pid, usage);
  }

  /** A status from the config and what is known of the running container (nothing when it is stopped). */
  private statusOf(vmid: number, conf: VmConf, state: CtRunState, pid: number | undefined, usage: CtUsageValues | undefined): CtStatus {
    const values = currentOf(conf).values;
    const ct = typedCtConfig(values);
    const configured = ct.rootfs.options.size === undefined ? 0 : sizeBytes(ct.rootfs.options.size);
    return {
      vmid,
      type: 'lxc',
      name: ct.hostname ?? `CT${vmid}`,
      status: state,
      cpu: usage?.cpu ?? 0,
      maxcpu: ctMaxcpu(ct, nodeCpus()),
      mem: usage?.mem ?? 0,
      maxmem: ct.memory * 1024 * 1024,
      swap: usage?.swap ?? 0,
      maxswap: ct.swap * 1024 * 1024,
      // statfs of the mounted root file system while it runs (a subvol on a dir storage shows its host file system, as on PVE).
      disk: usage?.disk ?? 0,
      maxdisk: usage?.maxdisk || configured,
      uptime: usage?.uptime ?? 0,
      netin: usage?.netin ?? 0,
      netout: usage?.netout ?? 0,
      diskread: usage?.diskread ?? 0,
      diskwrite: usage?.diskwrite ?? 0,
      pending: sectionOf(conf, PENDING) !== undefined,
      unprivileged: ct.unprivileged,
      ...(ct.template ? { template: true } : {}),
      ...(ct.tags.length > 0 ? { tags: [...ct.tags] } : {}),
      ...(ct.lock === undefined ? {} : { lock: ct.lock }),
      ...(values.parent === undefined ? {} : { parent: values.parent }),
      ...(pid === undefined ? {} : { pid }),
    };
  }

  /** Publish a container's status (guest.update), or its removal when its config is gone. */
  async publishStatus(vmid: number): Promise<void> {
    try {
      if (!(await this.store.exists(vmid))) {
        this.options.publish({ topic: 'guest.remove', data: { vmid, type: 'lxc' } });
        return;
      }
      // GuestStatus keeps the inventory's fields and drops the container-only ones.
      this.options.publish({ topic: 'guest.update', data: GuestStatus.parse(await this.status(vmid)) });
    } catch (error) {
      this.options.log(`CT ${vmid}: cannot publish its status: ${AppError.from(error).message}`);
    }
  }

  /**
   * With the node sampler (every 10 s): each running container's usage into its history, and every container's status
   * published, so a container stopped from inside shows stopped.
   */
  async sample(): Promise<void> {
    const found: { vmid: number; conf: VmConf; state: CtRunState; pid?: number }[] = [];
    const running: RunningCt[] = [];
    const vmids = await this.store.vmids();
    this.usage.retain(new Set(vmids));
    for (const vmid of vmids) {
      try {
        const { conf } = await this.store.read(vmid);
        const ct = typedCtConfig(currentOf(conf).values);
        const { state, pid } = await ctState(this.options.paths, vmid);
        found.push({ vmid, conf, state, ...(pid === undefined ? {} : { pid }) });
        if (state === 'running' && pid !== undefined) running.push({ vmid, pid, maxcpu: ctMaxcpu(ct, nodeCpus()), maxmem: ct.memory * 1024 * 1024 });
      } catch {
        await this.publishStatus(vmid); // gone meanwhile, or unreadable: publishStatus says which
      }
    }
    const usage = await this.usage.sample(running);
    for (const { vmid, conf, state, pid } of found) {
      try {
        this.options.publish({ topic: 'guest.update', data: GuestStatus.parse(this.statusOf(vmid, conf, state, pid, usage.get(vmid))) });
      } catch (error) {
        this.options.log(`CT ${vmid}: cannot publish its status: ${AppError.from(error).message}`);
      }
    }
  }

  /** Keep what the histories gathered since their last save. */
  dispose(): Promise<void> {
    return this.usage.dispose();
  }

  async config(vmid: number, options: { snapshot?: string; current: boolean }): Promise<{ digest: string; config: VmConfigValues; description?: string }> {
    const { conf, digest } = await this.store.read(vmid);
    return configView(conf, digest, options, { kind: 'CT', vmid });
  }

  async pending(vmid: number): Promise<{ key: string; value?: string | number; pending?: string | number; delete?: boolean }[]> {
    return pendingView((await this.store.read(vmid)).conf);
  }

  async snapshots(vmid: number): Promise<{ snapshots: SnapshotInfo[]; current?: string }> {
    return snapshotsView((await this.store.read(vmid)).conf, { withRamState: false });
  }

  async exec(vmid: number, command: readonly string[], timeoutSeconds: number, signal: AbortSignal): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    await this.store.read(vmid);
    if ((await ctState(this.options.paths, vmid)).state !== 'running') throw new AppError('not-supported', `CT ${vmid} is not running — start it first`, { vmid });
    return lxcAttach(this.options.paths, vmid, command, { timeoutMs: timeoutSeconds * 1000, signal });
  }

  /** A task holding the container's config lock for its whole body. */
  runTask(vmid: number, type: string, body: (ctx: TaskContext) => Promise<void>): Promise<{ upid: string }> {
    return this.options.spawnTask({ type, id: String(vmid), user: this.options.user }, (ctx) =>
      this.store.withLock(vmid, { label: type, upid: ctx.upid }, () => body(ctx), { signal: ctx.signal, log: (line) => ctx.log(line) }),
    );
  }

  /** The rootfs path a container's LXC config names, resolved through its storage. */
  async rootfsPath(conf: VmConf, ctx: TaskContext): Promise<string> {
    const ct = typedCtConfig(currentOf(conf).values);
    return (await this.options.storage.volumePath(ct.rootfs.volume, storageCall(ctx))).path;
  }

  /** LXC's own folder for the container (its generated config and logs). */
  async removeLxcDir(vmid: number): Promise<void> {
    await rm(join(lxcPath(this.options.paths), String(vmid)), { recursive: true, force: true });
  }

  static checkUnlocked(vmid: number, conf: VmConf, what: string): void {
    const lock = currentOf(conf).values.lock;
    if (lock !== undefined) throw new AppError('locked', `CT ${vmid} is locked (${lock}) — cannot ${what} until it is done`, { vmid, lock });
  }
}
