// The VM's Console tab: asks main for a console (display or serial port 0), shows it, and asks again for a new
// one-shot URL on reconnect or when the person switches between display and serial. Closes it when left.
import { useCallback, useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import DesktopWindowsRounded from '@mui/icons-material/DesktopWindowsRounded';
import TerminalRounded from '@mui/icons-material/TerminalRounded';
import { UiError } from '../../app-error';
import { closeConsole, openConsole, resizeConsole } from './actions';
import { SerialConsole } from './serial-console';
import { useT } from '../../i18n/use-t';
import { VncConsole } from './vnc-console';

/** What the switch offers: the display, or the first serial port (where PVE's `vga: serial0` points). */
export type ConsoleView = 'vnc' | 'serial0';

/** The answer to one request (kind and attempt): anything else is an earlier request's and is not shown. */
type Answer = { request: string } & (
  { phase: 'open'; consoleId: string; url: string } | { phase: 'failed'; message: string }
);
type Opened = { phase: 'opening' } | Answer;

export interface ConsoleTabProps {
  nodeKey: string;
  vmid: number;
  /** The console to show first (a VM configured with `vga: serial0` wants serial). */
  initialKind?: ConsoleView;
  /** Shown as a button when given: open this console in a window of its own. */
  onDetach?: (kind: ConsoleView) => void;
}

export function ConsoleTab({ nodeKey, vmid, initialKind = 'vnc', onDetach }: ConsoleTabProps) {
  const t = useT();
  const [kind, setKind] = useState<ConsoleView>(initialKind);
  // Bumped to ask for a fresh console: a console URL is good for one connection only.
  const [attempt, setAttempt] = useState(0);
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  const request = `${nodeKey} ${vmid} ${kind} ${attempt}`;
  const opened: Opened = answer?.request === request ? answer : { phase: 'opening' };

  useEffect(() => {
    let cancelled = false;
    let consoleId: string | undefined;
    openConsole(nodeKey, vmid, kind).then(
      (result) => {
        if (cancelled) return closeConsole(result.consoleId);
        consoleId = result.consoleId;
        setAnswer({ request, phase: 'open', ...result });
      },
      (error: unknown) => {
        if (!cancelled) setAnswer({ request, phase: 'failed', message: UiError.from(error).message });
      },
    );
    return () => {
      cancelled = true;
      if (consoleId !== undefined) closeConsole(consoleId);
    };
  }, [nodeKey, vmid, kind, request]);

  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);
  const consoleId = opened.phase === 'open' ? opened.consoleId : undefined;
  const resize = useCallback(
    (cols: number, rows: number) => {
      if (consoleId !== undefined) resizeConsole(consoleId, cols, rows).catch(() => undefined);
    },
    [consoleId],
  );
  const detach = onDetach === undefined ? undefined : () => onDetach(kind);

  return (
    <Box
      data-testid="vm-console"
      data-node={nodeKey}
      data-vmid={vmid}
      sx={{ flex: 1, minHeight: 320, display: 'flex', flexDirection: 'column', gap: 1 }}
    >
      <ToggleButtonGroup
        size="small"
        exclusive
        value={kind}
        aria-label={t('console.kindLabel')}
        onChange={(_, value: ConsoleView | null) => value && setKind(value)}
      >
        <ToggleButton value="vnc">
          <DesktopWindowsRounded fontSize="small" sx={{ mr: 0.5 }} />
          {t('console.kind.vnc')}
        </ToggleButton>
        <ToggleButton value="serial0">
          <TerminalRounded fontSize="small" sx={{ mr: 0.5 }} />
          {t('console.kind.serial', { port: 0 })}
        </ToggleButton>
      </ToggleButtonGroup>
      {opened.phase === 'opening' && (
        <Box>
          <LinearProgress aria-label={t('console.state.opening')} />
        </Box>
      )}
      {opened.phase === 'failed' && (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={reconnect}>
              {t('console.reconnect')}
            </Button>
          }
        >
          {t('console.state.failed', { message: opened.message })}
        </Alert>
      )}
      {opened.phase === 'open' && kind === 'vnc' && (
        <VncConsole key={opened.url} url={opened.url} vmid={vmid} onReconnect={reconnect} onDetach={detach} />
      )}
      {opened.phase === 'open' && kind !== 'vnc' && (
        <SerialConsole key={opened.url} url={opened.url} onResize={resize} onReconnect={reconnect} onDetach={detach} />
      )}
    </Box>
  );
}
