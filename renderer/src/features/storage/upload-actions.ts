// The adapter to main's upload API (storage.upload, storage.upload.cancel, dialogs.openFile, upload.progress):
// the one file that knows it, so the rest of the storage UI stays the same if it changes. Uploads are kept in a
// small store of their own, so progress survives closing the dialog or leaving the page.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { UploadProgress } from '../../../../main/core/app-api';
import { invoke, listen } from '../../api';
import { UiError } from '../../app-error';
import { appStore } from '../../store/store';

export type { UploadProgress };
export type UploadContent = UploadProgress['content'];

const uploadStore = createStore<{ uploads: Readonly<Record<string, UploadProgress>> }>()(() => ({ uploads: {} }));

export const isFinished = (state: UploadProgress['state']): boolean =>
  state === 'done' || state === 'failed' || state === 'cancelled';

/** Follow upload.progress; a finished upload makes open content lists reload. Returns the unsubscribe function. */
export function listenUploadProgress(): () => void {
  return listen('upload.progress', (progress) => {
    const before = uploadStore.getState().uploads[progress.uploadId];
    uploadStore.setState((s) => ({ uploads: { ...s.uploads, [progress.uploadId]: progress } }));
    if (progress.state === 'done' && before?.state !== 'done') appStore.getState().bumpStorageEpoch();
  });
}

/** The uploads into one storage of one node, oldest first. */
export const useUploads = (nodeKey: string, storage: string): UploadProgress[] =>
  useStore(
    uploadStore,
    useShallow((s) => Object.values(s.uploads).filter((u) => u.node === nodeKey && u.storage === storage)),
  );

export const dismissUpload = (uploadId: string): void =>
  uploadStore.setState((s) => {
    const uploads = { ...s.uploads };
    delete uploads[uploadId];
    return { uploads };
  });

/** What the picker gave: a path, nothing (cancelled), or no picker here (the browser host: a path is typed). */
export type Picked = { path: string | null } | 'unsupported';

/** The native file picker, where there is one. */
export async function pickLocalFile(content: UploadContent): Promise<Picked> {
  const filters =
    content === 'iso'
      ? [{ name: 'ISO', extensions: ['iso', 'img'] }]
      : [{ name: 'Templates', extensions: ['gz', 'xz', 'zst'] }];
  try {
    return await invoke('dialogs.openFile', { filters });
  } catch (error) {
    if (UiError.from(error).code === 'not-supported') return 'unsupported';
    throw error;
  }
}

/** Start an upload; its progress arrives through upload.progress. */
export async function startUpload(request: {
  node: string;
  storage: string;
  content: UploadContent;
  path: string;
}): Promise<string> {
  const { uploadId } = await invoke('storage.upload', request);
  // Shown at once, before main's first progress event.
  const name = request.path.split(/[\\/]/).pop() ?? request.path;
  uploadStore.setState((s) =>
    s.uploads[uploadId] !== undefined
      ? s
      : {
          uploads: {
            ...s.uploads,
            [uploadId]: { uploadId, ...request, filename: name, state: 'hashing', sent: 0, total: 0 },
          },
        },
  );
  return uploadId;
}

export async function cancelUpload(uploadId: string): Promise<void> {
  try {
    await invoke('storage.upload.cancel', { uploadId });
  } catch (error) {
    const e = UiError.from(error);
    appStore
      .getState()
      .pushNotice({ severity: 'error', key: 'notice.cancelFailed', error: { code: e.code, message: e.message } });
  }
}
