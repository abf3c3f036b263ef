// IPC wiring: one invoke channel checked by sender, one event channel pushed to the app's windows.
import { BrowserWindow, dialog, ipcMain } from 'electron';
import { AppError } from '../../node-agent/src/api/errors';
import { invalidParams } from '../core/core';
import { appEvents, appMethods, type AppEventName, type Envelope } from '../core/app-api';
import type { HyperdeskCoreHandle } from '../core/core-api';
import { invokeAsEnvelope } from '../web/envelope';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type EventMessage } from './ipc-channels';
import { isAppUrl, isTrustedSender } from './origin-policy';

const openFile = async (window: BrowserWindow | null, params: unknown): Promise<Envelope<{ path: string | null }>> => {
  try {
    const parsed = appMethods['dialogs.openFile'].params.safeParse(params ?? {});
    if (!parsed.success) throw invalidParams('dialogs.openFile', parsed.error);
    const options: Electron.OpenDialogOptions = { properties: ['openFile'] };
    if (parsed.data.title !== undefined) options.title = parsed.data.title;
    if (parsed.data.filters !== undefined) options.filters = parsed.data.filters;
    const chosen = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return { ok: true, value: { path: chosen.canceled ? null : (chosen.filePaths[0] ?? null) } };
  } catch (error) {
    return { ok: false, error: AppError.from(error).toWire() };
  }
};

/** Registers the handlers; returns a function that removes them and the core subscriptions. */
export const registerIpc = (core: HyperdeskCoreHandle, appOrigin: string): (() => void) => {
  ipcMain.handle(INVOKE_CHANNEL, async (event, method: unknown, params: unknown) => {
    const frame = event.senderFrame;
    // parent === null: the top-level frame; an iframe of the same origin is still refused.
    if (frame === null || !isTrustedSender(frame.url, frame.parent === null, appOrigin)) {
      // Rejecting (not an envelope) tells a foreign frame nothing beyond "no".
      throw new Error(`refused a Hyperdesk call from ${frame?.url ?? 'a closed frame'}: only the app's own page may call main`);
    }
    // The core cannot open windows: the file dialog is the shell's, on the window that asked.
    if (method === 'dialogs.openFile') return openFile(BrowserWindow.fromWebContents(event.sender), params);
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
