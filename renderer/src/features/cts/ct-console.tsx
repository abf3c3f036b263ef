// A container's terminal (PVE's CT >_ Console): xterm.js over a one-shot console from main, either the
// container's console (lxc-console: its getty, as after boot) or a shell inside it (lxc-attach). Switching kinds
// ends one terminal and starts the other; leaving the tab ends it.
import { useEffect, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import { translatorFor } from '../../i18n/translate';
import { useT } from '../../i18n/use-t';
import { appStore } from '../../store/store';
import { closeConsole, openConsole, resizeConsole } from '../console/actions';
import { initialFontSize } from '../terminal/font-size';
import { TerminalSession, type TerminalConnector } from '../terminal/terminal-session';
import { TerminalView } from '../terminal/terminal-view';

export type CtConsoleKind = 'ct-console' | 'ct-shell';

/** The console or a shell of one container, sized as the terminal is. */
export const ctConsoleConnector = (nodeKey: string, vmid: number, kind: CtConsoleKind): TerminalConnector => ({
  open: (size) => openConsole(nodeKey, vmid, kind, size),
  resize: (consoleId, cols, rows) => resizeConsole(consoleId, cols, rows),
  close: (consoleId) => closeConsole(consoleId),
});

/** Written into the terminal after a reconnect: the console is the same tty again; a shell is a new one. */
const reconnectedNote = (kind: CtConsoleKind) => (): string =>
  translatorFor(appStore.getState().language)(
    kind === 'ct-console' ? 'ct.console.reconnected' : 'terminal.reconnected',
  );

export function ContainerConsole({ nodeKey, vmid }: { nodeKey: string; vmid: number }) {
  const t = useT();
  const [kind, setKind] = useState<CtConsoleKind>('ct-console');
  return (
    <Box
      data-testid="ct-console"
      data-kind={kind}
      sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 1 }}
    >
      <ToggleButtonGroup
        size="small"
        exclusive
        value={kind}
        onChange={(_, value: CtConsoleKind | null) => value !== null && setKind(value)}
        sx={{ alignSelf: 'flex-start' }}
      >
        <ToggleButton value="ct-console" data-testid="ct-console-kind-console">
          {t('ct.console.console')}
        </ToggleButton>
        <ToggleButton value="ct-shell" data-testid="ct-console-kind-shell">
          {t('ct.console.shell')}
        </ToggleButton>
      </ToggleButtonGroup>
      <CtTerminal
        key={`${nodeKey}/${vmid}/${kind}`}
        connector={ctConsoleConnector(nodeKey, vmid, kind)}
        note={reconnectedNote(kind)}
      />
    </Box>
  );
}

/** One terminal for the life of this component (a new kind or container is a new component, by key). */
function CtTerminal({ connector, note }: { connector: TerminalConnector; note: () => string }) {
  const [session] = useState(() => new TerminalSession(connector, initialFontSize(), note));
  // Disposed a tick after unmounting, so StrictMode's unmount-and-remount of effects keeps the same terminal.
  const disposal = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(disposal.current);
    return () => {
      disposal.current = setTimeout(() => session.dispose(), 0);
    };
  }, [session]);
  return <TerminalView session={session} />;
}
