// Where the app's windows may be, who may call main over IPC, and which links leave the app.
// Pure decisions, kept apart from the electron module so they can be tested under plain Node.

/** The renderer's origin: a privileged standard scheme served by protocol.handle (see app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'hyperdesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

const parse = (url: string): URL | undefined => {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
};

/**
 * True when `url` is on `appOrigin`. Compares scheme and host by hand: Node's URL gives the origin
 * 'null' for custom schemes, and a userinfo part (app://hyperdesk@evil/) must not pass.
 */
export const isAppUrl = (url: string, appOrigin: string): boolean => {
  const parsed = parse(url);
  const origin = parse(appOrigin);
  if (parsed === undefined || origin === undefined) return false;
  if (parsed.username !== '' || parsed.password !== '') return false;
  return parsed.protocol === origin.protocol && parsed.host === origin.host && parsed.host !== '';
};

/** A detached console window: the app's own page asking for one console (`#console=…`, see renderer detached-console). */
export const isConsoleWindowUrl = (url: string, appOrigin: string): boolean =>
  isAppUrl(url, appOrigin) && (parse(url)?.hash.startsWith('#console=') ?? false);

/** Only the app's own top-level document may call main; iframes (even same-origin) and other pages may not. */
export const isTrustedSender = (url: string | undefined, isMainFrame: boolean, appOrigin: string): boolean =>
  isMainFrame && url !== undefined && isAppUrl(url, appOrigin);

/**
 * Browser permissions the app's own page holds: writing plain text to the clipboard (copy an address, a task
 * log), nothing else — no camera, notifications, clipboard reading, devices. Permission *requests* are all denied.
 */
export const isPermissionGranted = (permission: string, requestingUrl: string, appOrigin: string): boolean =>
  permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, appOrigin);

/** Links the app hands to the system browser: http(s) only, never file:, javascript:, custom schemes. */
export const isExternalLink = (url: string): boolean => {
  const parsed = parse(url);
  return parsed !== undefined && (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.host !== '';
};
