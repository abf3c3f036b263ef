// Installs the application menu built in menu-template.ts.
import { Menu } from 'electron';
import { menuTemplate } from './menu-template';

export const setAppMenu = (isDev: boolean): void => {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(isDev, process.platform)));
};
