// Applies the theme and language preferences to MUI's color scheme, <html lang> and the window title.
import { useEffect } from 'react';
import { useColorScheme } from '@mui/material/styles';
import { useAppStore } from '../store/store';
import { localeOf } from '../i18n/translate';

export function PreferenceSync() {
  const theme = useAppStore((s) => s.theme);
  const language = useAppStore((s) => s.language);
  const { setMode } = useColorScheme();
  useEffect(() => setMode(theme), [theme, setMode]);
  useEffect(() => {
    document.documentElement.lang = localeOf(language);
  }, [language]);
  return null;
}
