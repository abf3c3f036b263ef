// The whole page of a detached console window: the console alone, titled with the VM it shows.
import Box from '@mui/material/Box';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { useEffect } from 'react';
import { theme } from '../../app/theme';
import { PreferenceSync } from '../../app/preference-sync';
import { ConsoleTab } from './console-tab';
import type { DetachedConsole } from './detached-console';

export function ConsoleWindow({ nodeKey, vmid, kind }: DetachedConsole) {
  useEffect(() => {
    document.title = `${vmid} — ${nodeKey.split('/').at(-1) ?? nodeKey} — Hyperdesk`;
  }, [nodeKey, vmid]);
  return (
    <ThemeProvider theme={theme} storageManager={null} defaultMode="system" disableTransitionOnChange forceThemeRerender>
      <CssBaseline />
      <PreferenceSync />
      <Box data-testid="console-window" sx={{ height: '100vh', display: 'flex', flexDirection: 'column', p: 1 }}>
        <ConsoleTab nodeKey={nodeKey} vmid={vmid} initialKind={kind} />
      </Box>
    </ThemeProvider>
  );
}
