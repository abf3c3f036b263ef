// Theme and language: applied to the store at once, then saved through main (preferences.json).
import type { Language, Preferences } from '../../../../main/core/app-api';
import { invoke } from '../../api';
import { UiError } from '../../app-error';
import { appStore } from '../../store/store';
import type { ThemePreference } from '../../store/ui-slice';

export async function loadPreferences(): Promise<void> {
  try {
    applyPreferences(await invoke('preferences.get', {}));
  } catch (error) {
    report(error);
  }
}

function applyPreferences(preferences: Preferences): void {
  const state = appStore.getState();
  state.setTheme(preferences.theme);
  state.setLanguage(preferences.language);
}

async function save(patch: Partial<Preferences>): Promise<void> {
  try {
    await invoke('preferences.set', patch);
  } catch (error) {
    report(error);
  }
}

export function setLanguage(language: Language): void {
  appStore.getState().setLanguage(language);
  void save({ language });
}

export function toggleLanguage(): void {
  setLanguage(appStore.getState().language === 'en' ? 'zh-CN' : 'en');
}

export function setTheme(theme: ThemePreference): void {
  appStore.getState().setTheme(theme);
  void save({ theme });
}

const themeCycle: Record<ThemePreference, ThemePreference> = { light: 'dark', dark: 'system', system: 'light' };
export function cycleTheme(): void {
  setTheme(themeCycle[appStore.getState().theme]);
}

function report(error: unknown): void {
  const e = UiError.from(error);
  appStore
    .getState()
    .pushNotice({ severity: 'error', key: 'notice.preferencesFailed', error: { code: e.code, message: e.message } });
}
