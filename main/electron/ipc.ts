// IPC wiring: one invoke channel checked by sender, one event channel pushed to the app's windows.
import { BrowserWindow, ipcMain } from 'electron';
import { appEvents, type AppEventName } from '../core/app-api';
import type { HyperdeskCoreHandle } from '../core/core-api';
import { invokeAsEnvelope } from '../web/envelope';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type EventMessage } from './ipc-channels';
import { isAppUrl, isTrustedSender } from './origin-policy';

/** Registers the handlers; returns a function that removes them and the core subscriptions. */
export const registerIpc = (core: HyperdeskCoreHandle, appOrigin: string): (() => void) => {
  ipcMain.handle(INVOKE_CHANNEL, async (event, method: unknown, params: unknown) => {
    const frame = event.senderFrame;
    // parent === null: the top-level frame; an iframe of the same origin is still refused.
    if (frame === null || !isTrustedSender(frame.url, frame.parent === null, appOrigin)) {
      // Rejecting (not an envelope) tells a foreign frame nothing beyond "no".
      throw new Error(`refused a Hyperdesk call from ${frame?.url ?? 'a closed frame'}: only the app's own page may call main`);
    }
    return invokeAsEnvelope(core, method, params);
  });

  const send = (message: EventMessage): void => {
    for (const window of BrowserWindow.getAllWindows()) {
      const contents = window.webContents;
      if (!contents.isDestroyed() && isAppUrl(contents.getURL(), appOrigin)) contents.send(EVENT_CHANNEL, message);
    }
  };
  const unsubscribe = (Object.keys(appEvents) as AppEventName[]).map((event) => core.on(event, (data) => send({ event, data })));

  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    for (const stop of unsubscribe) stop();
  };
};
