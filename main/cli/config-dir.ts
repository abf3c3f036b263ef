// Where hdctl finds the app's config dir: --config-dir, else HYPERDESK_CONFIG_DIR, else the folder the desktop
// app uses (Electron's userData for the app name Hyperdesk), so the CLI sees the connections the app saved.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Electron's userData for app name Hyperdesk on each platform (appData + name). */
export const defaultConfigDir = (env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string => {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Hyperdesk');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Hyperdesk');
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(home, '.config'), 'Hyperdesk');
};

export const resolveConfigDir = (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string => {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env.HYPERDESK_CONFIG_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaultConfigDir(env);
};
