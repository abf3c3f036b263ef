// Starts the renderer: preferences, inventory and storage sync, auth prompts, then the React tree.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startInventorySync } from '../features/inventory/actions';
import { loadPreferences } from '../features/preferences/actions';
import { listenAuthPrompts } from '../features/connections/actions';
import { startStorageSync } from '../features/storage/storage-sync';
import { listenUploadProgress } from '../features/storage/upload-actions';
import { App } from './app';

export function mount(element: HTMLElement): () => void {
  const stops = [startInventorySync(), listenAuthPrompts(), startStorageSync(), listenUploadProgress()];
  void loadPreferences();
  const root = createRoot(element);
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  return () => {
    root.unmount();
    for (const stop of stops) stop();
  };
}
