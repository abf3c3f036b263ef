// The interface of the composition root (core.ts) as the front ends use it: Electron IPC, browser host, CLI.
import type { AppEventData, AppEventName, AppMethodName, AppResult } from './app-api';

export interface CoreOptions {
  /** Where connections.json, known_hosts, preferences.json and the offline cache live. */
  configDir: string;
  secrets: SecretStore;
  /** Path of the agent bundle the app carries (dist/agent/hyperdesk-agent.js); its manifest.json sits beside it. */
  agentBundle: string;
}

/** Secrets go through the OS keychain (Electron safeStorage) or stay in memory (CLI, browser host). */
export interface SecretStore {
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
}

export interface HyperdeskCoreHandle {
  /** Validate `params` against appMethods[method].params, then run it. Throws AppError. */
  handle<M extends AppMethodName>(method: M, params: unknown): Promise<AppResult<M>>;
  on<E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void): () => void;
  dispose(): Promise<void>;
}
