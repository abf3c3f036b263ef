// Schemas shared by several areas: names, ids and the task reference every long operation returns.
import { z } from 'zod';

/** A node name: a DNS label, as PVE requires. */
export const NodeName = z
  .string()
  .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/, 'a node name is a DNS label: letters, digits and inner hyphens');

/** PVE-style unique process id: UPID:node:pid:pstart:starttime:type:id:user: */
export const Upid = z.string().regex(/^UPID:[^:]+:[0-9A-F]{8}:[0-9A-F]{8,}:[0-9A-F]{8}:[a-z0-9.-]+:[^:]*:[^:]+:$/, 'not a UPID');
export type Upid = z.infer<typeof Upid>;

export const TaskRef = z.object({ upid: Upid });
export type TaskRef = z.infer<typeof TaskRef>;

export const Empty = z.object({}).strict();
