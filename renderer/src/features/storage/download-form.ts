// The "Download from URL" form as data: the file name guessed from the URL, and validation as the person types
// (the agent checks again; this only saves a round trip). Pure, so it is tested without a DOM.
import type { MessageKey } from '../../i18n/translate';

export interface DownloadFormValues {
  url: string;
  filename: string;
  sha256: string;
}
export type DownloadFormErrors = Partial<Record<keyof DownloadFormValues, MessageKey>>;

/** The agent's ContentFileName: no path parts. */
export const CONTENT_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const EXTENSIONS: Record<'iso' | 'vztmpl', RegExp> = {
  iso: /\.(iso|img)$/i,
  vztmpl: /\.tar\.(gz|xz|zst)$/i,
};

/** The last path segment of an http(s) URL, decoded, when it is a usable file name; '' otherwise. */
export function filenameFromUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const last = parsed.pathname.split('/').pop() ?? '';
    const name = decodeURIComponent(last);
    return CONTENT_FILE_NAME.test(name) && name.length <= 255 ? name : '';
  } catch {
    return '';
  }
}

export function validateDownload(values: DownloadFormValues, content: 'iso' | 'vztmpl'): DownloadFormErrors {
  const errors: DownloadFormErrors = {};
  let protocol = '';
  try {
    protocol = new URL(values.url).protocol;
  } catch {
    protocol = '';
  }
  if (values.url === '') errors.url = 'storageForm.invalid.required';
  else if (protocol !== 'http:' && protocol !== 'https:') errors.url = 'download.invalid.url';
  if (values.filename === '') errors.filename = 'storageForm.invalid.required';
  else if (!CONTENT_FILE_NAME.test(values.filename) || values.filename.length > 255)
    errors.filename = 'download.invalid.filename';
  else if (!EXTENSIONS[content].test(values.filename)) errors.filename = 'download.invalid.extension';
  if (values.sha256 !== '' && !/^[0-9a-fA-F]{64}$/.test(values.sha256.trim()))
    errors.sha256 = 'download.invalid.sha256';
  return errors;
}
