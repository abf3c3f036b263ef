// Dev only: deterministic synthetic nodes, statuses, metrics and tasks for the fake window.hyperdesk.
import type { MetricsPoint, NodeStatus, TaskInfo, Timeframe } from '../../../node-agent/src/api';
import type { ClusterEntry, ConnectionState, GuestEntry, NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import { random } from './seeded-random';

const GiB = 1024 ** 3;
const hash = (text: string) => [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);

export function makeStatus(name: string, time: number, rnd: () => number): NodeStatus {
  const h = hash(name);
  const cpus = [4, 8, 16, 32][h % 4] ?? 8;
  const memTotal = [16, 32, 64, 128][(h >> 3) % 4]! * GiB;
  const cpu = Math.min(1, 0.04 + rnd() * 0.35);
  return {
    node: name,
    hostname: name,
    kernel: '6.1.0-28-amd64',
    cpuModel: [
      'AMD EPYC 7313P 16-Core Processor',
      'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz',
      'AMD Ryzen 9 7950X 16-Core Processor',
    ][h % 3]!,
    cpus,
    cpu,
    loadavg: [cpu * cpus, cpu * cpus * 0.9, cpu * cpus * 0.8],
    uptime: 86_400 * (3 + (h % 40)) + (h % 86_400),
    memory: { total: memTotal, used: memTotal * (0.3 + rnd() * 0.3), free: memTotal * 0.3 },
    swap: { total: 8 * GiB, used: 0.2 * GiB * rnd() },
    rootfs: { total: 100 * GiB, used: (35 + (h % 50)) * GiB, avail: (65 - (h % 50)) * GiB },
    agentVersion: '0.1.0',
    time,
  };
}

export function makeNode(
  cluster: string,
  name: string,
  index: number,
  state: ConnectionState,
  now: number,
  rnd: () => number,
): NodeEntry {
  const entry: NodeEntry = {
    key: `${cluster}/${name}`,
    cluster,
    name,
    host: `198.18.0.${10 + (index % 240)}`,
    state,
    agentVersion: '0.1.0',
  };
  if (state === 'online') {
    entry.status = makeStatus(name, now, rnd);
    entry.asOf = now;
  } else if (state === 'offline' || state === 'agent-error') {
    const asOf = now - 7 * 60_000 - index * 60_000;
    entry.status = makeStatus(name, asOf, rnd);
    entry.asOf = asOf;
  }
  if (state === 'offline')
    entry.error = { code: 'unreachable', message: `${entry.host}:22 did not answer within 10 s` };
  if (state === 'host-key-changed')
    entry.error = { code: 'access-denied', message: `the host key of ${entry.host} does not match known_hosts` };
  if (state === 'auth-failed')
    entry.error = { code: 'access-denied', message: `root@${entry.host}: all authentication methods failed` };
  if (state === 'agent-error')
    entry.error = { code: 'protocol-error', message: `the agent on ${name} speaks protocol 0; this app needs 1` };
  return entry;
}

const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');
export const makeUpid = (node: string, pid: number, starttime: number, type: string, id: string, user: string) =>
  `UPID:${node}:${hex(pid, 8)}:${hex(pid * 7, 8)}:${hex(starttime, 8)}:${type}:${id}:${user}:`;

export function makeTask(
  node: NodeEntry,
  pid: number,
  starttime: number,
  type: string,
  done?: { seconds: number; exit: string },
): TaskEntry {
  const task: TaskInfo = {
    upid: makeUpid(node.name, pid, starttime, type, '', 'root@pam'),
    node: node.name,
    type,
    id: '',
    user: 'root@pam',
    starttime,
    status: done ? 'stopped' : 'running',
  };
  if (done) {
    task.endtime = starttime + done.seconds;
    task.exitstatus = done.exit;
  }
  return { ...task, nodeKey: node.key };
}

const steps: Record<Timeframe, { step: number; count: number }> = {
  hour: { step: 10, count: 360 },
  day: { step: 60, count: 1440 },
  week: { step: 600, count: 1008 },
  month: { step: 3600, count: 720 },
};

/** A plausible history: a daily rhythm plus noise, ending at `endMs`. Times are ms, like NodeStatus.time. */
export function makeHistory(
  name: string,
  timeframe: Timeframe,
  max: boolean,
  endMs: number,
): { step: number; points: MetricsPoint[] } {
  const { step, count } = steps[timeframe];
  const rnd = random(hash(name) + step);
  const status = makeStatus(name, endMs, rnd);
  const end = Math.floor(endMs / 1000 / step) * step;
  const points: MetricsPoint[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const t = end - i * step;
    const rhythm = 0.5 + 0.5 * Math.sin((t / 86_400) * 2 * Math.PI);
    const noise = rnd() * (max ? 1.6 : 1);
    const cpu = Math.min(1, 0.05 + 0.25 * rhythm + 0.1 * noise);
    points.push({
      t: t * 1000,
      cpu,
      load: cpu * status.cpus,
      memUsed: status.memory.total * (0.35 + 0.2 * rhythm + 0.03 * noise),
      memTotal: status.memory.total,
      swapUsed: 0,
      swapTotal: status.swap.total,
      netIn: 2e6 * rhythm + 4e5 * noise,
      netOut: 8e5 * rhythm + 3e5 * noise,
      diskRead: 5e6 * rhythm * noise,
      diskWrite: 1.2e7 * rhythm + 2e6 * noise,
      rootUsed: status.rootfs.used,
      rootTotal: status.rootfs.total,
    });
  }
  return { step, points };
}

export function clusterEntry(id: string, name: string, nodes: NodeEntry[]): ClusterEntry {
  return { id, name, nodes: nodes.map((n) => n.key) };
}

/** A stable, well-formed SHA256 fingerprint per host (43 base64 characters). */
export function fingerprintOf(host: string): string {
  const rnd = random([...host].reduce((h, c) => h * 33 + c.charCodeAt(0), 5381) >>> 0);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return `SHA256:${Array.from({ length: 43 }, () => alphabet[Math.floor(rnd() * 64)]).join('')}`;
}

export function checkLog(node: string): string[] {
  return [
    `checking prerequisites on ${node}`,
    '# /usr/bin/qemu-system-x86_64 --version',
    'QEMU emulator version 7.2.15 (Debian 1:7.2+dfsg-7+deb12u12)',
    'kvm: /dev/kvm is present and writable',
    '# /usr/bin/lxc-info --version',
    '5.0.2',
    '# /usr/sbin/nft --version',
    'nftables v1.0.6 (Lester Gooch #5)',
    '# /usr/bin/btrfs --version',
    'btrfs-progs v6.2',
    'WARNING: time-sync: systemd-timesyncd is not synchronized yet',
    'free-space: / has 61.2 GiB available',
    'TASK WARNINGS: 1',
  ];
}

/** A guest on a node, as the qemu/lxc areas will report it; stopped and template guests show no usage. */
export function makeGuest(
  node: NodeEntry,
  vmid: number,
  type: GuestEntry['type'],
  name: string,
  status: GuestEntry['status'],
  rnd: () => number,
  extra: Partial<Pick<GuestEntry, 'template' | 'tags' | 'lock'>> = {},
): GuestEntry {
  const running = status === 'running';
  const maxmem = [1, 2, 4, 8][vmid % 4]! * GiB;
  return {
    vmid,
    type,
    name,
    status,
    cpu: running ? rnd() * 0.6 : 0,
    maxcpu: [1, 2, 4][vmid % 3]!,
    mem: running ? maxmem * (0.2 + rnd() * 0.6) : 0,
    maxmem,
    disk: type === 'lxc' ? 2 * GiB : 0,
    maxdisk: (type === 'lxc' ? 8 : 32) * GiB,
    uptime: running ? 3_600 + (vmid % 50) * 7_200 : 0,
    netin: running ? rnd() * 2e5 : 0,
    netout: running ? rnd() * 1e5 : 0,
    diskread: running ? rnd() * 1e6 : 0,
    diskwrite: running ? rnd() * 2e6 : 0,
    ...extra,
    key: `${node.key}/${vmid}`,
    nodeKey: node.key,
  };
}
