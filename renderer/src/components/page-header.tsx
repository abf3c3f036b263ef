// The band at the top of a page (datacenter, cluster, guest): icon, title and whatever the page adds, in one line
// that wraps on narrow windows.
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';

export function PageHeader({ children }: { children: ReactNode }) {
  return (
    <Box
      sx={{
        px: 2.5,
        py: 1.5,
        display: 'flex',
        alignItems: 'center',
        gap: 1.5,
        flexWrap: 'wrap',
        bgcolor: 'background.paper',
        borderBottom: 1,
        borderColor: 'divider',
      }}
    >
      {children}
    </Box>
  );
}
