// The one door out of the renderer: window.hyperdesk, with envelopes turned into values or thrown UiErrors.
import type { AppEventData, AppEventName, AppMethodName, AppParams, AppResult, HyperdeskApi } from '../../preload/api';
import type { MethodName, Params, Result } from '../../node-agent/src/api';
import { UiError } from './app-error';

// Looked up on every call, not at import time, so a dev harness can install its API before the first call.
const bridge = (): HyperdeskApi => {
  const api = (globalThis as { hyperdesk?: HyperdeskApi }).hyperdesk;
  if (api === undefined)
    throw new UiError('internal-error', 'window.hyperdesk is missing: the preload script did not run');
  return api;
};

/** Call main; resolves with the value or throws a UiError carrying the wire error's code, message and details. */
export async function invoke<M extends AppMethodName>(method: M, params: AppParams<M>): Promise<AppResult<M>> {
  let envelope;
  try {
    envelope = await bridge().invoke(method, params);
  } catch (error) {
    throw UiError.from(error);
  }
  if (envelope.ok) return envelope.value;
  throw UiError.fromWire(envelope.error);
}

/** Forward one agent method to one node; main validates params and result against the agent contract. */
export async function agentCall<M extends MethodName>(node: string, method: M, params: Params<M>): Promise<Result<M>> {
  // agent.call's result is `unknown` at the app boundary; main has already validated it against Result<M>.
  return (await invoke('agent.call', { node, method, params })) as Result<M>;
}

/** Listen to an event from main; returns the unsubscribe function. */
export function listen<E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void): () => void {
  return bridge().on(event, listener);
}
