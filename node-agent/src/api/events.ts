// Push events: subscribe to topics, receive `event` notifications carrying a revision.
import { z } from 'zod';
import { defineEvent, defineMethod } from './method';
import { Empty } from './common';
import { MetricsPoint, NodeStatus } from './node';
import { TaskInfo } from './task';
import { GuestRef, GuestStatus } from './guest';
import { StorageStatusEvent } from './storage';

export const events = {
  'node.status': defineEvent({ data: NodeStatus, doc: 'The node status changed (sent every sample).' }),
  'node.metrics': defineEvent({ data: MetricsPoint, doc: 'A new 10 s metrics sample.' }),
  'task.update': defineEvent({ data: TaskInfo, doc: 'A task started, progressed or ended.' }),
  'guest.update': defineEvent({
    data: GuestStatus,
    doc: 'A guest appeared or its status changed (sent by the qemu/lxc areas).',
  }),
  'guest.remove': defineEvent({
    data: GuestRef,
    doc: 'A guest was destroyed or left this node (sent by the qemu/lxc areas).',
  }),
  'storage.status': defineEvent({
    data: StorageStatusEvent,
    doc: "Every storage enabled on the node with its usage and whether it is active (sent every sample).",
  }),
};
export type Events = typeof events;
export type Topic = keyof Events;
export const Topic = z.enum(Object.keys(events) as [Topic, ...Topic[]]);

export type EventData<T extends Topic> = z.infer<Events[T]['data']>;

/** The notification the agent sends: `{"jsonrpc":"2.0","method":"event","params":EventMessage}`. */
export const EventMessage = z.object({
  subscription: z.string(),
  topic: Topic,
  /** Strictly increasing per agent run; ties to `epoch` so a restart is never mistaken for old news. */
  revision: z.number().int().nonnegative(),
  epoch: z.string(),
  data: z.unknown(),
});
export type EventMessage = z.infer<typeof EventMessage>;

export const eventMethods = {
  'events.subscribe': defineMethod({
    params: z.object({ topics: z.array(Topic).min(1) }).strict(),
    result: z.object({ subscription: z.string() }),
    privilege: 'read',
    doc: 'Start receiving `event` notifications for the given topics.',
  }),
  'events.unsubscribe': defineMethod({
    params: z.object({ subscription: z.string() }).strict(),
    result: Empty,
    privilege: 'read',
    doc: 'Stop a subscription.',
  }),
  'rpc.cancel': defineMethod({
    params: z.object({ id: z.union([z.number(), z.string()]) }).strict(),
    result: Empty,
    privilege: 'read',
    doc: 'Abort the in-flight request with this id (its handler sees an aborted signal).',
  }),
};
