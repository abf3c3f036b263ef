// window.hyperdesk in the Electron app: the typed API over two IPC channels. Runs sandboxed and
// context-isolated, so it may import only electron, types and other preload files; the channel names repeat
// main/electron/ipc-channels.ts on purpose (ipc-channels.test.ts keeps them equal).
import { contextBridge, ipcRenderer } from 'electron';
import type { AppMethodName, AppParams, AppResult, Envelope, HyperdeskApi } from './api';
import { createEventListeners } from './event-listeners';

const INVOKE_CHANNEL = 'hyperdesk:invoke';
const EVENT_CHANNEL = 'hyperdesk:event';

const listeners = createEventListeners();

// One IPC listener for every event; subscribers are kept here, so the renderer never touches ipcRenderer.
ipcRenderer.on(EVENT_CHANNEL, (_event, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { event, data } = message as { event?: unknown; data?: unknown };
  if (typeof event === 'string') listeners.dispatch(event, data);
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
  on: listeners.on,
};

contextBridge.exposeInMainWorld('hyperdesk', api);
