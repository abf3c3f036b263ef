// The Electron binary cannot run here; this tests the menu template the shell hands to Menu.buildFromTemplate.
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from './menu-template';

const roles = (items: MenuItemConstructorOptions[]): string[] =>
  items.flatMap((item) => [...(item.role ? [item.role] : []), ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]);

describe('menuTemplate (the Electron binary cannot run here; tests the template)', () => {
  it('has Reload and DevTools in development', () => {
    expect(roles(menuTemplate(true, 'linux'))).toEqual(expect.arrayContaining(['reload', 'toggleDevTools', 'quit']));
  });

  it('has neither Reload nor DevTools in the packaged app, but still Quit', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const all = roles(menuTemplate(false, platform));
      expect(all).not.toContain('reload');
      expect(all).not.toContain('forceReload');
      expect(all).not.toContain('toggleDevTools');
      expect(all).toContain('quit');
    }
  });

  it('uses the app menu on macOS', () => {
    expect(menuTemplate(false, 'darwin')[0]?.role).toBe('appMenu');
  });
});
