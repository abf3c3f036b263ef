// An in-test node session for the aggregator's tests: the test drives its state, hello, events and answers.
import { AppError, type EventMessage, type Hello, type MethodName, type Params, type Result, type Topic } from '../../node-agent/src/api';
import type { NodeMeta } from './aggregator';
import type { NodeKey } from './config-schema';
import type { ConnectionState } from './inventory-schema';
import type { NodeSessionHandle, NodeSessionListeners } from './node-session-api';
import { SessionListeners } from './session-listeners';

/** An in-test NodeSessionHandle: the test drives its state, hello and events by hand. */
export class TestSession implements NodeSessionHandle {
  state: ConnectionState = 'connecting';
  hello: Hello | undefined;
  readonly answers = new Map<MethodName, () => Promise<unknown>>();
  private readonly listeners = new SessionListeners();

  constructor(readonly key: NodeKey) {}
  start(): void {}
  reconnect(): void {}
  call<M extends MethodName>(method: M, _params: Params<M>): Promise<Result<M>> {
    const answer = this.answers.get(method);
    return answer ? (answer() as Promise<Result<M>>) : Promise.reject(new AppError('not-supported', `${method} is not answered in this test`));
  }
  on<E extends keyof NodeSessionListeners>(event: E, listener: NodeSessionListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
  setState(state: ConnectionState, error?: AppError): void {
    this.state = state;
    this.listeners.emit('state', state, error);
  }
  sayHello(hello: Hello): void {
    this.hello = hello;
    this.listeners.emit('hello', hello);
  }
  emit(topic: Topic, data: unknown, revision: number, epoch = 'e1'): void {
    const event: EventMessage = { subscription: 's1', topic, revision, epoch, data };
    this.listeners.emit('event', event);
  }
}

export const meta = (name: string, cluster = 'lab'): NodeMeta => ({ key: `${cluster}/${name}`, cluster, clusterName: cluster.toUpperCase(), name, host: `${name}.lab` });
export const hello = (node: string): Hello => ({ protocolVersion: 1, agentVersion: '0.1.0', agentDigest: 'd'.repeat(64), node, capabilities: ['events', 'tasks'] });
