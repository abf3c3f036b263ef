// The task area: every long operation is a task with a UPID, a paged log, progress and a final status.
import { z } from 'zod';
import { defineMethod } from './method';
import { Empty, NodeName, Upid } from './common';

export const TaskInfo = z.object({
  upid: Upid,
  node: NodeName,
  type: z.string(),
  id: z.string(),
  user: z.string(),
  /** Seconds since the epoch, as in the UPID. */
  starttime: z.number().int(),
  endtime: z.number().int().optional(),
  status: z.enum(['running', 'stopped']),
  /** 'OK', 'WARNINGS: n' or the error text; set once stopped. */
  exitstatus: z.string().optional(),
  /** 0..1 while running, when the task can tell. */
  progress: z.number().min(0).max(1).optional(),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

export const TaskLogLine = z.object({ n: z.number().int().positive(), t: z.string() });
export type TaskLogLine = z.infer<typeof TaskLogLine>;

export const taskMethods = {
  'task.list': defineMethod({
    params: z
      .object({
        limit: z.number().int().min(1).max(10_000).default(50),
        source: z.enum(['all', 'active', 'archive']).default('all'),
        type: z.string().max(64).optional(),
      })
      .strict(),
    result: z.array(TaskInfo),
    privilege: 'read',
    doc: 'Recent tasks on this node, newest first.',
  }),
  'task.status': defineMethod({
    params: z.object({ upid: Upid }).strict(),
    result: TaskInfo,
    privilege: 'read',
    doc: "A task's status, progress and exit status.",
  }),
  'task.log': defineMethod({
    params: z
      .object({
        upid: Upid,
        start: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict(),
    result: z.object({ total: z.number().int().nonnegative(), lines: z.array(TaskLogLine) }),
    privilege: 'read',
    doc: "A page of a task's log: lines start+1 … start+limit, and the count so far.",
  }),
  'task.cancel': defineMethod({
    params: z.object({ upid: Upid }).strict(),
    result: Empty,
    privilege: 'operate',
    doc: 'Ask a running task to stop; it ends with ERROR: cancelled.',
  }),
};
