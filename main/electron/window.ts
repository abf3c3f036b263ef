// The main window: sandboxed, context-isolated, loaded from app://hyperdesk.
import { BrowserWindow } from 'electron';

export interface MainWindowOptions {
  /** dist/preload/electron.cjs */
  preload: string;
  /** app://hyperdesk/index.html */
  url: string;
  isDev: boolean;
}

export const createMainWindow = ({ preload, url, isDev }: MainWindowOptions): BrowserWindow => {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    title: 'Hyperdesk',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: isDev,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(url);
  return window;
};
