// Lock-down applied to every web contents the app ever creates: no navigation away from the app,
// no new windows but detached consoles, no <webview>, no permissions.
import { shell, type Session, type WebContents } from 'electron';
import { isAppUrl, isConsoleWindowUrl, isExternalLink, isPermissionGranted } from './origin-policy';

export const guardWebContents = (contents: WebContents, appOrigin: string): void => {
  const stayInApp = (event: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => stayInApp(event, event.url));
  contents.on('will-frame-navigate', (event) => stayInApp(event, event.url));
  contents.on('will-redirect', (event) => stayInApp(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // A detached VM console is the app's own page: it opens as a child window with the same locked-down
    // preferences (inherited) and these same guards (web-contents-created).
    if (isConsoleWindowUrl(url, appOrigin)) return { action: 'allow', overrideBrowserWindowOptions: { width: 1100, height: 780, autoHideMenuBar: true } };
    // A link with target=_blank: the system browser may open http(s); nothing else opens inside the app.
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
};

/** The renderer asks for no browser permission (camera, notifications, clipboard-read…): refuse every request. */
export const denyAllPermissions = (session: Session, appOrigin: string): void => {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin, appOrigin));
  session.setDevicePermissionHandler(() => false);
};
