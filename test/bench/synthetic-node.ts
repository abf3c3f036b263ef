// One synthetic node for the renderer-scale benchmark: a NodeSessionHandle that goes online, says hello, reports its
// guests and sends whatever changes it is told to, as an agent over SSH would. Seeded, so runs show the same guests.
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type EventMessage,
  type GuestStatus,
  type Hello,
  type MethodName,
  type NodeStatus,
  type Params,
  type Result,
  type Topic,
} from '../../node-agent/src/api';
import type { NodeKey } from '../../main/core/config-schema';
import type { ConnectionState } from '../../main/core/inventory-schema';
import type { NodeSessionHandle, NodeSessionListeners } from '../../main/core/node-session-api';
import { SessionListeners } from '../../main/core/session-listeners';

const GiB = 1024 ** 3;

const ROLES = ['web', 'db', 'cache', 'worker', 'ci', 'proxy', 'mail', 'build'] as const;

const makeGuest = (vmid: number, rnd: () => number): GuestStatus => {
  const type = vmid % 10 === 3 ? 'lxc' : 'qemu';
  const template = vmid % 97 === 0;
  const roll = rnd();
  const status = template ? 'stopped' : roll < 0.8 ? 'running' : roll < 0.97 ? 'stopped' : 'paused';
  const running = status === 'running';
  const maxmem = [1, 2, 4, 8, 16][vmid % 5]! * GiB;
  const guest: GuestStatus = {
    vmid,
    type,
    name: `${ROLES[vmid % ROLES.length]}-${String(vmid).padStart(5, '0')}`,
    status,
    cpu: running ? rnd() * 0.5 : 0,
    maxcpu: [1, 2, 4, 8][vmid % 4]!,
    mem: running ? maxmem * (0.2 + rnd() * 0.6) : 0,
    maxmem,
    disk: type === 'lxc' ? 3 * GiB : 0,
    maxdisk: (type === 'lxc' ? 8 : 32) * GiB,
    uptime: running ? Math.floor(rnd() * 30 * 86_400) : 0,
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
  };
  if (template) guest.template = true;
  if (vmid % 7 === 0) guest.tags = ['prod'];
  if (vmid % 53 === 0 && !template) guest.lock = 'backup';
  return guest;
};

/** One node: its session state, hello and events are what a real agent over SSH would produce. */
export class SyntheticNode implements NodeSessionHandle {
  state: ConnectionState = 'connecting';
  hello: Hello | undefined;
  readonly guests: GuestStatus[] = [];
  private readonly epoch = randomUUID();
  private revision = 0;
  private disposed = false;
  private readonly listeners = new SessionListeners();

  constructor(
    readonly key: NodeKey,
    readonly name: string,
    firstVmid: number,
    guests: number,
    private readonly rnd: () => number,
  ) {
    for (let i = 0; i < guests; i++) this.guests.push(makeGuest(firstVmid + i, rnd));
  }

  /** Online on the next turn of the event loop, as a session is after its handshake: hello, then every guest. */
  start(): void {
    setImmediate(() => {
      if (this.disposed) return;
      this.setState('online');
      this.hello = {
        protocolVersion: 1,
        agentVersion: '0.1.0',
        agentDigest: '0'.repeat(64),
        node: this.name,
        capabilities: ['node.metrics', 'events'],
      };
      this.listeners.emit('hello', this.hello);
      this.emit('node.status', this.status());
      for (const guest of this.guests) this.emit('guest.update', guest);
    });
  }

  reconnect(): void {}

  call<M extends MethodName>(method: M, _params: Params<M>): Promise<Result<M>> {
    if (method === 'node.status') return Promise.resolve(this.status() as Result<M>);
    return Promise.reject(new AppError('not-supported', `the synthetic node ${this.name} does not answer ${method}`));
  }

  on<E extends keyof NodeSessionListeners>(event: E, listener: NodeSessionListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }

  dispose(): Promise<void> {
    this.disposed = true;
    this.setState('offline');
    return Promise.resolve();
  }

  /** Replace guest `index` with `next` and tell the aggregator, as the qemu/lxc areas will. */
  update(index: number, next: GuestStatus): void {
    this.guests[index] = next;
    this.emit('guest.update', next);
  }

  sendStatus(): void {
    this.emit('node.status', this.status());
  }

  status(): NodeStatus {
    const running = this.guests.filter((g) => g.status === 'running');
    const used = running.reduce((sum, g) => sum + g.mem, 0);
    const total = 3 * 1024 * GiB;
    return {
      node: this.name,
      hostname: this.name,
      kernel: '6.1.0-28-amd64',
      cpuModel: 'AMD EPYC 9965 192-Core Processor',
      cpus: 384,
      // Guests rarely use all their vCPUs at once: a plausible host load, not a sum of peaks.
      cpu: Math.min(1, (running.reduce((sum, g) => sum + g.cpu * g.maxcpu, 0) * 0.5) / 384),
      loadavg: [12, 11, 10],
      uptime: 3_000_000,
      memory: { total, used: Math.min(total, used), free: Math.max(0, total - used) },
      swap: { total: 8 * GiB, used: 0 },
      rootfs: { total: 100 * GiB, used: 20 * GiB, avail: 80 * GiB },
      agentVersion: '0.1.0',
      time: Date.now(),
    };
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.listeners.emit('state', state, undefined);
  }

  private emit(topic: Topic, data: unknown): void {
    if (this.disposed) return;
    const event: EventMessage = {
      subscription: 'synthetic',
      topic,
      revision: ++this.revision,
      epoch: this.epoch,
      data,
    };
    this.listeners.emit('event', event);
  }
}
