// Fans events out to the sessions that subscribed. One epoch per daemon run and one revision counter
// across all topics, so a client can drop stale events and tell a restart from old news.
import { randomBytes } from 'node:crypto';
import { AppError } from '../api/errors';
import type { EventData, EventMessage, Topic } from '../api/events';
import type { RpcSession } from '../rpc/server';

interface Subscription {
  readonly session: RpcSession;
  readonly topics: ReadonlySet<Topic>;
}

export class EventsHub {
  readonly epoch = randomBytes(8).toString('hex');
  private revision = 0;
  private nextId = 1;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly sessions = new WeakSet<RpcSession>();

  /** Subscribe a session to topics; the subscription ends with the session at the latest. */
  subscribe(session: RpcSession, topics: readonly Topic[]): string {
    const id = `${this.epoch}-${this.nextId++}`;
    this.subscriptions.set(id, { session, topics: new Set(topics) });
    if (!this.sessions.has(session)) {
      this.sessions.add(session);
      session.onDispose(() => {
        for (const [key, subscription] of this.subscriptions)
          if (subscription.session === session) this.subscriptions.delete(key);
      });
    }
    return id;
  }

  /** End a subscription; a session can only end its own. */
  unsubscribe(session: RpcSession, id: string): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.session !== session)
      throw new AppError('not-found', `subscription ${id} does not exist on this connection`);
    this.subscriptions.delete(id);
  }

  /** Send an event to every subscription to its topic; the revision advances once per event. */
  publish<T extends Topic>(topic: T, data: EventData<T>): void {
    this.revision += 1;
    for (const [subscription, { session, topics }] of this.subscriptions) {
      if (!topics.has(topic)) continue;
      const message: EventMessage = { subscription, topic, revision: this.revision, epoch: this.epoch, data };
      session.notify('event', message);
    }
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }
}
