// The window.hyperdesk type: the renderer's only way out. Derived from the app contract in main/core.
import type { AppEventData, AppEventName, AppMethodName, AppParams, AppResult, Envelope } from '../main/core/app-api';

export interface HyperdeskApi {
  /** Call main. Never rejects: failures come back as `{ok: false, error}`. */
  invoke<M extends AppMethodName>(method: M, params: AppParams<M>): Promise<Envelope<AppResult<M>>>;
  /** Listen to an event from main; returns the unsubscribe function. */
  on<E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void): () => void;
  /** 'electron' or 'web' (browser host). */
  readonly transport: 'electron' | 'web';
}

declare global {
  interface Window {
    hyperdesk: HyperdeskApi;
  }
}

export type { AppEventData, AppEventName, AppMethodName, AppParams, AppResult, Envelope };
