// PVE's arrangement: top bar; resource tree left, content right; the task panel along the bottom.
import Box from '@mui/material/Box';
import { TopBar } from './top-bar';
import { ResourceTree } from './resource-tree';
import { Content } from './content';
import { AllOfflineBanner } from './all-offline-banner';
import { TaskPanel } from '../features/tasks/task-panel';

export function Layout() {
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100vh', bgcolor: 'background.default' }}>
      <TopBar />
      <AllOfflineBanner />
      <Box sx={{ display: 'flex', flex: 1, minHeight: 0 }}>
        <Box
          component="nav"
          sx={{
            width: 264,
            flexShrink: 0,
            borderRight: 1,
            borderColor: 'divider',
            bgcolor: 'background.paper',
            display: 'flex',
            flexDirection: 'column',
          }}
        >
          <ResourceTree />
        </Box>
        <Box component="main" sx={{ flex: 1, minWidth: 0, overflow: 'auto' }}>
          <Content />
        </Box>
      </Box>
      <TaskPanel />
    </Box>
  );
}
