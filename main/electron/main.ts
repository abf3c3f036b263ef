// The Electron shell's entry: app lifecycle, one instance, the core, the window. Everything else lives in main/core.
import { app, BrowserWindow, dialog, safeStorage, session } from 'electron';
import { join } from 'node:path';
import { createCore } from '../core/core';
import type { HyperdeskCoreHandle } from '../core/core-api';
import { AppError } from '../../node-agent/src/api/errors';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { denyAllPermissions, guardWebContents } from './guards';
import { registerIpc } from './ipc';
import { setAppMenu } from './menu';
import { APP_ORIGIN } from './origin-policy';
import { SafeStorageSecretStore } from './secrets-safe-storage';
import { createMainWindow } from './window';

const isDev = !app.isPackaged;
const DISPOSE_TIMEOUT_MS = 5_000;
// Same folder the CLI uses on Linux (~/.config/Hyperdesk); in development package.json's lowercase name would win.
app.setPath('userData', join(app.getPath('appData'), 'Hyperdesk'));
app.enableSandbox();
registerAppScheme();

const agentBundle = (): string =>
  app.isPackaged
    ? join(process.resourcesPath, 'agent', 'hyperdesk-agent.js')
    : join(app.getAppPath(), 'dist', 'agent', 'hyperdesk-agent.js');

const start = (): void => {
  let core: HyperdeskCoreHandle | undefined;
  let stopIpc: (() => void) | undefined;
  let quitting = false;

  const openWindow = (): BrowserWindow =>
    createMainWindow({ preload: join(app.getAppPath(), 'dist', 'preload', 'electron.cjs'), url: `${APP_ORIGIN}/index.html`, isDev });

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, APP_ORIGIN));

  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window === undefined) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (core !== undefined && BrowserWindow.getAllWindows().length === 0) openWindow();
  });

  // The core owns SSH connections and timers: dispose it before the process goes.
  app.on('before-quit', (event) => {
    if (quitting || core === undefined) return;
    event.preventDefault();
    quitting = true;
    stopIpc?.();
    // A core that cannot let go (a stuck SSH channel) must not keep the app from quitting.
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DISPOSE_TIMEOUT_MS).unref());
    void Promise.race([core.dispose(), timeout])
      .catch((error: unknown) => console.error('hyperdesk: disposing the core failed:', error))
      .finally(() => app.quit());
  });

  app
    .whenReady()
    .then(async () => {
      denyAllPermissions(session.defaultSession, APP_ORIGIN);
      serveRenderer(join(app.getAppPath(), 'dist', 'renderer'));
      const userData = app.getPath('userData');
      const created: HyperdeskCoreHandle = await createCore({
        configDir: userData,
        secrets: new SafeStorageSecretStore(join(userData, 'secrets.json'), safeStorage),
        agentBundle: agentBundle(),
      });
      core = created;
      stopIpc = registerIpc(created, APP_ORIGIN);
      setAppMenu(isDev);
      openWindow();
    })
    .catch((error: unknown) => {
      dialog.showErrorBox('Hyperdesk could not start', AppError.from(error).message);
      app.exit(1);
    });
};

if (app.requestSingleInstanceLock()) start();
else app.quit();
