// The application menu as data: Quit always, Reload and DevTools only in development.
// Edit roles are kept because on macOS copy/paste shortcuts only work through the menu.
import type { MenuItemConstructorOptions } from 'electron';

export const menuTemplate = (isDev: boolean, platform: NodeJS.Platform): MenuItemConstructorOptions[] => {
  const devItems: MenuItemConstructorOptions[] = isDev
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }]
    : [];
  const app: MenuItemConstructorOptions =
    platform === 'darwin'
      ? { role: 'appMenu', submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }] }
      : { label: 'File', submenu: [{ role: 'quit' }] };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [...devItems, ...(devItems.length > 0 ? [{ type: 'separator' } as const] : []), { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
  };
  return [app, { role: 'editMenu' }, view, { role: 'windowMenu' }];
};
