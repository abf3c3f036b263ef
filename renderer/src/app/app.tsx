// The root component: theme, global dialogs, shortcuts, and the PVE-like layout.
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { theme } from './theme';
import { PreferenceSync } from './preference-sync';
import { Layout } from './layout';
import { Shortcuts } from './shortcuts';
import { CommandPalette } from './command-palette';
import { Notices } from './notices';
import { AddNodeDialog } from '../features/connections/add-node-dialog';
import { RemoveNodeDialog } from '../features/connections/remove-node-dialog';
import { AuthPromptDialog } from '../features/connections/auth-prompt-dialog';
import { TaskLogDialog } from '../features/tasks/task-log-dialog';

export function App() {
  return (
    // storageManager null: the theme preference lives in preferences.json through main, not in localStorage.
    <ThemeProvider
      theme={theme}
      storageManager={null}
      defaultMode="system"
      disableTransitionOnChange
      forceThemeRerender
    >
      <CssBaseline />
      <PreferenceSync />
      <Shortcuts />
      <Layout />
      <AddNodeDialog />
      <RemoveNodeDialog />
      <AuthPromptDialog />
      <TaskLogDialog />
      <CommandPalette />
      <Notices />
    </ThemeProvider>
  );
}
