// Starts the renderer: preferences, inventory and storage sync, auth prompts, then the React tree.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startInventorySync } from '../features/inventory/actions';
import { loadPreferences } from '../features/preferences/actions';
import { listenAuthPrompts } from '../features/connections/actions';
import { startStorageSync } from '../features/storage/storage-sync';
import { listenUploadProgress } from '../features/storage/upload-actions';
import { App } from './app';
import { ConsoleWindow } from '../features/console/console-window';
import { detachedConsoleOf, detachedShellOf } from '../features/console/detached-console';
import { ShellWindow } from '../features/terminal/shell-window';

export function mount(element: HTMLElement): () => void {
  // A detached console window shows that console only, and needs no inventory of its own.
  const detached = detachedConsoleOf(location.hash);
  const shell = detachedShellOf(location.hash);
  const stops = detached || shell ? [] : [startInventorySync(), listenAuthPrompts(), startStorageSync(), listenUploadProgress()];
  void loadPreferences();
  const root = createRoot(element);
  root.render(
    <StrictMode>
      {detached ? <ConsoleWindow {...detached} /> : shell ? <ShellWindow {...shell} /> : <App />}
    </StrictMode>,
  );
  return () => {
    root.unmount();
    for (const stop of stops) stop();
  };
}
