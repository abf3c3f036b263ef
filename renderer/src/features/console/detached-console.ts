// A console in its own window: the app's page with `#console=<node>&vmid=<vmid>&kind=<kind>` shows only that
// console. The window is opened by the app (window.open: same origin, same session), so it needs no new login.
export interface DetachedConsole {
  nodeKey: string;
  vmid: number;
  kind: 'vnc' | 'serial0';
}

export const consoleWindowHash = ({ nodeKey, vmid, kind }: DetachedConsole): string =>
  `#${new URLSearchParams({ console: nodeKey, vmid: String(vmid), kind }).toString()}`;

/** The console a window's hash asks for, or undefined for the main window (anything malformed included). */
export const detachedConsoleOf = (hash: string): DetachedConsole | undefined => {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const nodeKey = params.get('console');
  const vmid = Number(params.get('vmid'));
  const kind = params.get('kind');
  if (nodeKey === null || nodeKey === '' || !Number.isInteger(vmid) || vmid < 100 || vmid > 999_999_999)
    return undefined;
  if (kind !== 'vnc' && kind !== 'serial0') return undefined;
  return { nodeKey, vmid, kind };
};

/** Open the console in a window of its own (Electron allows exactly these; see main/electron/guards.ts). */
export const openConsoleWindow = (console: DetachedConsole): void => {
  window.open(
    `${location.pathname}${location.search}${consoleWindowHash(console)}`,
    `console-${console.nodeKey}-${console.vmid}`,
    'popup,width=1100,height=780',
  );
};

// terminal feature: a node shell in its own window, `#console=<node>&kind=shell&font=<px>` (the `#console=` prefix
// is what main/electron/origin-policy.ts lets open as a child window). detachedConsoleOf refuses kind=shell.
export interface DetachedShell {
  nodeKey: string;
  fontSize: number;
}

export const shellWindowHash = ({ nodeKey, fontSize }: DetachedShell): string =>
  `#${new URLSearchParams({ console: nodeKey, kind: 'shell', font: String(fontSize) }).toString()}`;

/** The shell a window's hash asks for, or undefined; an unreadable font size is left to the terminal's default. */
export const detachedShellOf = (hash: string): DetachedShell | undefined => {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const nodeKey = params.get('console');
  if (nodeKey === null || nodeKey === '' || params.get('kind') !== 'shell') return undefined;
  return { nodeKey, fontSize: Number(params.get('font') ?? Number.NaN) };
};

let shellWindows = 0;
/** A new window per detach: each is its own shell, so several may be open for one node. */
export const openShellWindow = (shell: DetachedShell): void => {
  window.open(
    `${location.pathname}${location.search}${shellWindowHash(shell)}`,
    `shell-${shell.nodeKey}-${Date.now()}-${shellWindows++}`,
    'popup,width=1000,height=640',
  );
};
