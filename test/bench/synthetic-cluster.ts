// A synthetic cluster for the renderer-scale benchmark: its saved connections, one SyntheticNode per node, and the
// generator that changes guests at a fixed total rate. The same state renders PVE's /cluster/resources for the reference.
import { AppError } from '../../node-agent/src/api';
import type { NodeKey, SavedNode } from '../../main/core/config-schema';
import type { NodeSessionHandle } from '../../main/core/node-session-api';
import { random } from '../../renderer/src/dev/seeded-random';
import { SyntheticNode } from './synthetic-node';

export interface SyntheticClusterOptions {
  cluster: string;
  nodes: number;
  guestsPerNode: number;
  /** Guest changes a second, across the whole cluster. */
  changesPerSecond: number;
  /** Every this many ms a few guests start or stop. */
  startStopEveryMs?: number;
  seed?: number;
}

/** The cluster: its saved-connections entry, the sessions core makes through it, and the change generator. */
export class SyntheticCluster {
  readonly nodes: SyntheticNode[] = [];
  /** Guest changes sent since start (start/stop included). */
  changes = 0;
  private readonly rnd: () => number;
  private timers: NodeJS.Timeout[] = [];

  constructor(readonly options: SyntheticClusterOptions) {
    this.rnd = random(options.seed ?? 7);
    for (let n = 0; n < options.nodes; n++) {
      const name = `n${String(n + 1).padStart(2, '0')}`;
      // VMIDs are unique cluster-wide: node n holds a block of them.
      this.nodes.push(
        new SyntheticNode(
          `${options.cluster}/${name}`,
          name,
          1000 + n * options.guestsPerNode,
          options.guestsPerNode,
          this.rnd,
        ),
      );
    }
  }

  /** connections.json for a config dir: one cluster with every node (addresses from the benchmarking range). */
  connectionsFile(): string {
    const nodes = this.nodes.map((node, i) => ({
      name: node.name,
      host: `198.18.0.${10 + i}`,
      port: 22,
      user: 'root',
      auth: { method: 'agent' },
    }));
    return JSON.stringify({ version: 1, clusters: [{ id: this.options.cluster, name: this.options.cluster, nodes }] });
  }

  /** For createCore's sessionFactory: the synthetic node of a saved node. */
  readonly sessionFor = (key: NodeKey, _node: SavedNode): NodeSessionHandle => {
    const node = this.nodes.find((n) => n.key === key);
    if (!node) throw new AppError('not-found', `node ${key} is not in the synthetic cluster`);
    return node;
  };

  /**
   * Change guests at the configured rate: every 10 ms, as many changes as are due since the start, so timer jitter
   * does not change the rate. Node status every 10 s per node, staggered; a few starts and stops every 10 s.
   */
  run(): void {
    const started = performance.now();
    let sent = 0;
    this.timers.push(
      setInterval(() => {
        const due = Math.floor(((performance.now() - started) / 1000) * this.options.changesPerSecond);
        for (; sent < due; sent++) this.changeOne();
      }, 10),
    );
    const every = this.options.startStopEveryMs ?? 10_000;
    this.timers.push(setInterval(() => this.startStopSome(4), every));
    this.nodes.forEach((node, i) => {
      const stagger = setTimeout(
        () => this.timers.push(setInterval(() => node.sendStatus(), 10_000)),
        (10_000 / this.nodes.length) * i,
      );
      this.timers.push(stagger);
    });
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  get guestCount(): number {
    return this.nodes.reduce((sum, node) => sum + node.guests.length, 0);
  }

  /** The same cluster as PVE's GUI polls it: GET /cluster/resources, `{data: [...]}` with nodes and guests. */
  clusterResources(): unknown {
    const data: unknown[] = [];
    for (const node of this.nodes) {
      const status = node.status();
      data.push({
        id: `node/${node.name}`,
        type: 'node',
        node: node.name,
        status: 'online',
        cpu: status.cpu,
        maxcpu: status.cpus,
        mem: status.memory.used,
        maxmem: status.memory.total,
        disk: status.rootfs.used,
        maxdisk: status.rootfs.total,
        uptime: status.uptime,
        level: '',
      });
      for (const g of node.guests) {
        data.push({
          id: `${g.type}/${g.vmid}`,
          type: g.type,
          vmid: g.vmid,
          node: node.name,
          name: g.name,
          status: g.status,
          cpu: g.cpu,
          maxcpu: g.maxcpu,
          mem: g.mem,
          maxmem: g.maxmem,
          disk: g.disk,
          maxdisk: g.maxdisk,
          uptime: g.uptime,
          netin: g.netin,
          netout: g.netout,
          diskread: g.diskread,
          diskwrite: g.diskwrite,
          template: g.template ? 1 : 0,
          tags: g.tags?.join(';') ?? '',
        });
      }
    }
    return { data };
  }

  private changeOne(): void {
    const node = this.nodes[Math.floor(this.rnd() * this.nodes.length)]!;
    const index = Math.floor(this.rnd() * node.guests.length);
    const g = node.guests[index]!;
    const running = g.status === 'running';
    // A running guest's usage moves; a stopped one still reports (its disk, a config change), as PVE's do.
    node.update(index, {
      ...g,
      cpu: running ? Math.min(1, Math.max(0, g.cpu + (this.rnd() - 0.5) * 0.1)) : 0,
      mem: running ? Math.min(g.maxmem, Math.max(0, g.mem + (this.rnd() - 0.5) * 64 * 1024 ** 2)) : 0,
      uptime: running ? g.uptime + 1 : 0,
      netin: running ? Math.floor(this.rnd() * 2e6) : 0,
      netout: running ? Math.floor(this.rnd() * 1e6) : 0,
      diskread: running ? Math.floor(this.rnd() * 4e6) : 0,
      diskwrite: running ? Math.floor(this.rnd() * 8e6) : 0,
    });
    this.changes++;
  }

  private startStopSome(count: number): void {
    for (let i = 0; i < count; i++) {
      const node = this.nodes[Math.floor(this.rnd() * this.nodes.length)]!;
      const index = Math.floor(this.rnd() * node.guests.length);
      const g = node.guests[index]!;
      if (g.template) continue;
      const start = g.status !== 'running';
      node.update(index, {
        ...g,
        status: start ? 'running' : 'stopped',
        uptime: 0,
        cpu: start ? 0.3 : 0,
        mem: start ? g.maxmem / 4 : 0,
        netin: 0,
        netout: 0,
        diskread: 0,
        diskwrite: 0,
      });
      this.changes++;
    }
  }
}
