// The interface of one node's connection (implemented in node-session.ts), as the aggregator and core use it.
import type { AppError, EventMessage, Hello, MethodName, Params, Result } from '../../node-agent/src/api';
import type { CallOptions } from '../../node-agent/src/rpc/client';
import type { NodeKey } from './config-schema';
import type { ConnectionState } from './inventory-schema';

/** A keyboard-interactive (or password) round: the server's prompts, shown to the person as they are. */
export interface AuthPromptRequest {
  node: NodeKey;
  name: string;
  instructions: string;
  prompts: { prompt: string; echo: boolean }[];
}
/** Answers in prompt order, or null when the person cancels. */
export type AuthPrompter = (request: AuthPromptRequest) => Promise<string[] | null>;

export interface NodeSessionListeners {
  state: (state: ConnectionState, error: AppError | undefined) => void;
  hello: (hello: Hello) => void;
  event: (event: EventMessage) => void;
}

export interface NodeSessionHandle {
  readonly key: NodeKey;
  readonly state: ConnectionState;
  readonly hello: Hello | undefined;
  /** Connect now and keep reconnecting with backoff until disposed (not after host-key-changed or auth-failed). */
  start(): void;
  /** Try again at once (after the person fixed auth or accepted a new key). */
  reconnect(): void;
  call<M extends MethodName>(method: M, params: Params<M>, options?: CallOptions): Promise<Result<M>>;
  on<E extends keyof NodeSessionListeners>(event: E, listener: NodeSessionListeners[E]): () => void;
  dispose(): Promise<void>;
}
