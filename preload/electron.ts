// window.hyperdesk in the Electron app: the typed API over two IPC channels. Runs sandboxed and
// context-isolated, so it may import only electron (and types); the channel names repeat
// main/electron/ipc-channels.ts on purpose (ipc-channels.test.ts keeps them equal).
import { contextBridge, ipcRenderer } from 'electron';
import type { AppEventData, AppEventName, AppMethodName, AppParams, AppResult, Envelope, HyperdeskApi } from './api';

const INVOKE_CHANNEL = 'hyperdesk:invoke';
const EVENT_CHANNEL = 'hyperdesk:event';

type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

// One IPC listener for every event; subscribers are kept here, so the renderer never touches ipcRenderer.
ipcRenderer.on(EVENT_CHANNEL, (_event, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { event, data } = message as { event?: unknown; data?: unknown };
  if (typeof event !== 'string') return;
  for (const listener of [...(listeners.get(event) ?? [])]) {
    try {
      listener(data);
    } catch (error) {
      console.error(`hyperdesk: a listener for ${event} threw`, error);
    }
  }
});

const api: HyperdeskApi = {
  transport: 'electron',
  async invoke<M extends AppMethodName>(method: M, params: AppParams<M>): Promise<Envelope<AppResult<M>>> {
    try {
      return (await ipcRenderer.invoke(INVOKE_CHANNEL, method, params)) as Envelope<AppResult<M>>;
    } catch (error) {
      // main rejects only when it refuses the caller or has no handler yet; the API itself never rejects.
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'internal-error', message: `${method} could not reach main: ${message}` } };
    }
  },
  on<E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void): () => void {
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    // A fresh wrapper per subscription, so subscribing the same function twice needs two unsubscribes.
    const entry: Listener = (data) => listener(data as AppEventData<E>);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  },
};

contextBridge.exposeInMainWorld('hyperdesk', api);
