import { describe, expect, it } from 'vitest';
import { EventMessage } from '../api/events';
import { isAppError } from '../api/errors';
import { RpcSession } from '../rpc/server';
import { EventsHub } from './events-hub';
import type { TaskInfo } from '../api/task';

const task: TaskInfo = {
  upid: 'UPID:n1:00000001:00000002:00000003:test::root@pam:',
  node: 'n1',
  type: 'test',
  id: '',
  user: 'root@pam',
  starttime: 3,
  status: 'running',
};

/** A real session whose output we read; it needs no handlers for notifications. */
const session = () => {
  const lines: unknown[] = [];
  const rpc = new RpcSession({} as never, (line) => lines.push(JSON.parse(line)));
  const events = () => lines.map((line) => EventMessage.parse((line as { params: unknown }).params));
  return { rpc, lines, events };
};

describe('EventsHub', () => {
  it('sends event notifications to the subscribed topics only, with one epoch and increasing revisions', () => {
    const hub = new EventsHub();
    const a = session();
    const b = session();
    const subA = hub.subscribe(a.rpc, ['task.update']);
    const subB = hub.subscribe(b.rpc, ['task.update', 'node.metrics']);
    hub.publish('task.update', task);
    hub.publish('node.metrics', {
      t: 1,
      cpu: 0,
      load: 0,
      memUsed: 0,
      memTotal: 0,
      swapUsed: 0,
      swapTotal: 0,
      netIn: 0,
      netOut: 0,
      diskRead: 0,
      diskWrite: 0,
      rootUsed: 0,
      rootTotal: 0,
    });
    hub.publish('task.update', { ...task, status: 'stopped', exitstatus: 'OK' });

    expect(a.lines[0]).toMatchObject({ jsonrpc: '2.0', method: 'event' });
    expect(a.events().map((event) => [event.subscription, event.topic, event.revision])).toEqual([
      [subA, 'task.update', 1],
      [subA, 'task.update', 3],
    ]);
    expect(b.events().map((event) => [event.subscription, event.topic, event.revision])).toEqual([
      [subB, 'task.update', 1],
      [subB, 'node.metrics', 2],
      [subB, 'task.update', 3],
    ]);
    expect(new Set([...a.events(), ...b.events()].map((event) => event.epoch))).toEqual(new Set([hub.epoch]));
    expect(a.events()[1]!.data).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    expect(new EventsHub().epoch).not.toBe(hub.epoch);
  });

  it('stops sending after unsubscribe; a session cannot end another session’s subscription', () => {
    const hub = new EventsHub();
    const a = session();
    const b = session();
    const sub = hub.subscribe(a.rpc, ['task.update']);
    let error: unknown;
    try {
      hub.unsubscribe(b.rpc, sub);
    } catch (caught) {
      error = caught;
    }
    expect(isAppError(error, 'not-found')).toBe(true);
    hub.unsubscribe(a.rpc, sub);
    hub.publish('task.update', task);
    expect(a.lines).toHaveLength(0);
  });

  it('drops every subscription of a session when the session ends', () => {
    const hub = new EventsHub();
    const a = session();
    hub.subscribe(a.rpc, ['task.update']);
    hub.subscribe(a.rpc, ['node.status']);
    const b = session();
    hub.subscribe(b.rpc, ['task.update']);
    expect(hub.subscriptionCount).toBe(3);
    a.rpc.dispose();
    expect(hub.subscriptionCount).toBe(1);
    hub.publish('task.update', task);
    expect(a.lines).toHaveLength(0);
    expect(b.lines).toHaveLength(1);
  });
});
