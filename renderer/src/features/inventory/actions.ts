// Keeps the store's inventory current: listen for patches first, then load the snapshot, so nothing falls in between.
import { invoke, listen } from '../../api';
import { UiError } from '../../app-error';
import { appStore } from '../../store/store';

/** Start syncing; returns the function that stops listening. */
export function startInventorySync(): () => void {
  const stopPatches = listen('inventory.patch', (patch) => appStore.getState().applyPatch(patch));
  const stopRestored = listen('connection.restored', () => {
    appStore.getState().beginResync();
    void loadSnapshot();
  });
  void loadSnapshot();
  return () => {
    stopPatches();
    stopRestored();
  };
}

async function loadSnapshot(): Promise<void> {
  try {
    appStore.getState().applySnapshot(await invoke('inventory.snapshot', {}));
  } catch (error) {
    const e = UiError.from(error);
    appStore
      .getState()
      .pushNotice({ severity: 'error', key: 'notice.inventoryFailed', error: { code: e.code, message: e.message } });
  }
}
