// The Console tab's slot: the console feature's ConsoleTab (noVNC or xterm.js), which picks its own view. A
// failure inside it is contained here, so the VM page (and the app) stay usable.
import { Component, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import { useT } from '../../i18n/use-t';
import { ConsoleTab } from '../console/console-tab';
import { openConsoleWindow } from '../console/detached-console';

export function VmConsoleSlot({ nodeKey, vmid }: { nodeKey: string; vmid: number }) {
  const t = useT();
  return (
    <Box data-testid="vm-console-tab" sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
      <ConsoleBoundary key={`${nodeKey}/${vmid}`} fallback={(message) => <Alert severity="error">{t('common.labelValue', { label: t('error.internal-error'), value: message })}</Alert>}>
        <ConsoleTab nodeKey={nodeKey} vmid={vmid} onDetach={(kind) => openConsoleWindow({ nodeKey, vmid, kind })} />
      </ConsoleBoundary>
    </Box>
  );
}

class ConsoleBoundary extends Component<{ children: ReactNode; fallback: (message: string) => ReactNode }, { message: string | null }> {
  override state: { message: string | null } = { message: null };
  static getDerivedStateFromError(error: unknown) {
    return { message: error instanceof Error ? error.message : String(error) };
  }
  override render() {
    return this.state.message === null ? this.props.children : this.props.fallback(this.state.message);
  }
}
