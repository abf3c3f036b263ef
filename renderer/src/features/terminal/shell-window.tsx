// The whole page of a detached shell window: that node's terminals alone, starting with one new shell.
import Box from '@mui/material/Box';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { useEffect } from 'react';
import { theme } from '../../app/theme';
import { PreferenceSync } from '../../app/preference-sync';
import type { DetachedShell } from '../console/detached-console';
import { clampFontSize, initialFontSize } from './font-size';
import { openNodeShellTab } from './actions';
import { TerminalTabs } from './terminal-tabs';

let started = false;

export function ShellWindow({ nodeKey, fontSize }: DetachedShell) {
  useEffect(() => {
    document.title = `${nodeKey.split('/').at(-1) ?? nodeKey} — Shell — Hyperdesk`;
    // Once per window (StrictMode runs effects twice).
    if (!started) {
      started = true;
      openNodeShellTab(nodeKey, Number.isFinite(fontSize) ? clampFontSize(fontSize) : initialFontSize());
    }
  }, [nodeKey, fontSize]);
  return (
    <ThemeProvider
      theme={theme}
      storageManager={null}
      defaultMode="system"
      disableTransitionOnChange
      forceThemeRerender
    >
      <CssBaseline />
      <PreferenceSync />
      <Box data-testid="shell-window" sx={{ height: '100vh', display: 'flex', flexDirection: 'column', p: 1 }}>
        <TerminalTabs nodeKey={nodeKey} detachable={false} />
      </Box>
    </ThemeProvider>
  );
}
