// The node area: status now, metrics history, and the prerequisite check task.
import { z } from 'zod';
import { defineMethod } from './method';
import { Empty, NodeName, TaskRef } from './common';

const Bytes = z.number().nonnegative();

export const NodeStatus = z.object({
  node: NodeName,
  hostname: z.string(),
  kernel: z.string(),
  cpuModel: z.string(),
  cpus: z.number().int().positive(),
  /** Busy fraction of all CPUs over the last sample interval, 0..1. */
  cpu: z.number().min(0).max(1),
  loadavg: z.tuple([z.number(), z.number(), z.number()]),
  uptime: z.number().nonnegative(),
  memory: z.object({ total: Bytes, used: Bytes, free: Bytes }),
  swap: z.object({ total: Bytes, used: Bytes }),
  rootfs: z.object({ total: Bytes, used: Bytes, avail: Bytes }),
  agentVersion: z.string(),
  /** Node's wall clock, ms since the epoch, when this status was taken. */
  time: z.number(),
});
export type NodeStatus = z.infer<typeof NodeStatus>;

/** One metrics sample (or the consolidation of several). Rates are per second. */
export const MetricsPoint = z.object({
  /** Start of the sample's slot, ms since the epoch. */
  t: z.number(),
  cpu: z.number(),
  load: z.number(),
  memUsed: Bytes,
  memTotal: Bytes,
  swapUsed: Bytes,
  swapTotal: Bytes,
  netIn: Bytes,
  netOut: Bytes,
  diskRead: Bytes,
  diskWrite: Bytes,
  rootUsed: Bytes,
  rootTotal: Bytes,
});
export type MetricsPoint = z.infer<typeof MetricsPoint>;

export const Timeframe = z.enum(['hour', 'day', 'week', 'month']);
export type Timeframe = z.infer<typeof Timeframe>;

export const Consolidation = z.enum(['average', 'max']);
export type Consolidation = z.infer<typeof Consolidation>;

export const CheckId = z.enum(['qemu', 'kvm', 'lxc', 'nftables', 'btrfs-progs', 'free-space', 'time-sync']);
export type CheckId = z.infer<typeof CheckId>;

export const CheckResult = z.object({
  id: CheckId,
  status: z.enum(['ok', 'warning', 'failed']),
  message: z.string(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const nodeMethods = {
  'node.status': defineMethod({
    params: Empty,
    result: NodeStatus,
    privilege: 'read',
    doc: "The node's current status: CPU, load, memory, swap, root file system, uptime.",
  }),
  'node.metrics': defineMethod({
    params: z
      .object({ timeframe: Timeframe.default('hour'), cf: Consolidation.default('average') })
      .strict(),
    result: z.object({ step: z.number().int().positive(), points: z.array(MetricsPoint) }),
    privilege: 'read',
    doc: 'Metrics history for a timeframe: 10 s steps for the last hour and day, coarser beyond.',
  }),
  'node.check': defineMethod({
    params: Empty,
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: "Check the node's prerequisites (QEMU, KVM, LXC, nftables, btrfs-progs, free space, time sync) as a task.",
  }),
};
