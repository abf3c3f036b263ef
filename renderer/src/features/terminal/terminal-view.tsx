// One terminal on screen: its session's xterm attached to a box, a toolbar (state, reconnect, find, text size,
// detach) and a context menu (copy, paste, select all, find, text size). The session outlives this view.
import { useEffect, useRef, useState, useSyncExternalStore, type MouseEvent } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import Alert from '@mui/material/Alert';
import OpenInNewRounded from '@mui/icons-material/OpenInNewRounded';
import RefreshRounded from '@mui/icons-material/RefreshRounded';
import SearchRounded from '@mui/icons-material/SearchRounded';
import TextDecreaseRounded from '@mui/icons-material/TextDecreaseRounded';
import TextIncreaseRounded from '@mui/icons-material/TextIncreaseRounded';
import { useT } from '../../i18n/use-t';
import { appStore } from '../../store/store';
import { stepFontSize } from './font-size';
import { terminalKeyAction, type TerminalKeyAction } from './terminal-keys';
import type { TerminalSession } from './terminal-session';
import { TerminalSearch } from './terminal-search';

const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform);

export interface TerminalViewProps {
  session: TerminalSession;
  /** Shown as a button when given: this terminal in a window of its own. */
  onDetach?: (() => void) | undefined;
}

export function TerminalView({ session, onDetach }: TerminalViewProps) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const snap = useSyncExternalStore(session.subscribe, session.snapshot);
  const [menu, setMenu] = useState<{ top: number; left: number } | null>(null);
  const [searching, setSearching] = useState(false);

  const act = (action: TerminalKeyAction): void => {
    switch (action) {
      case 'copy':
        session.copy().catch(() => undefined);
        return;
      case 'paste':
        session
          .pasteFromClipboard()
          .catch(() => appStore.getState().pushNotice({ severity: 'info', key: 'terminal.pasteBlocked' }));
        return;
      case 'search':
        setSearching(true);
        return;
      case 'font-bigger':
        return session.setFontSize(stepFontSize(snap.fontSize, 1));
      case 'font-smaller':
        return session.setFontSize(stepFontSize(snap.fontSize, -1));
      case 'font-reset':
        return session.setFontSize(stepFontSize(snap.fontSize, 0));
    }
  };
  // The key handler is installed once per session; it calls the latest `act`.
  const actRef = useRef(act);
  useEffect(() => {
    actRef.current = act;
  });

  useEffect(() => {
    const parent = box.current;
    if (parent === null) return undefined;
    const detach = session.attach(parent);
    session.term.attachCustomKeyEventHandler((event) => {
      const action = terminalKeyAction(event, isMac);
      if (action === undefined) return true;
      // Ctrl+Shift+V: the browser's own paste reaches xterm's textarea (no clipboard-read permission needed).
      if (action === 'paste') return false;
      if (event.type === 'keydown') {
        event.preventDefault();
        actRef.current(action);
      }
      return false;
    });
    session.focus();
    return () => {
      session.term.attachCustomKeyEventHandler(() => true);
      detach();
    };
  }, [session]);

  const openMenu = (event: MouseEvent) => {
    event.preventDefault();
    setMenu({ top: event.clientY, left: event.clientX });
  };
  const fromMenu = (run: () => void) => () => {
    setMenu(null);
    run();
    session.focus();
  };
  const phase = snap.phase;

  return (
    <Box sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
      {/* A fixed height: the find field must not resize the terminal (xterm drops the selection when rows change). */}
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, height: 36, flexShrink: 0 }}>
        <Chip
          size="small"
          color={
            phase === 'connected' ? 'success' : phase === 'disconnected' || phase === 'failed' ? 'warning' : 'default'
          }
          label={t(phase === 'failed' ? 'terminal.state.disconnected' : `terminal.state.${phase}`)}
        />
        {(phase === 'disconnected' || phase === 'failed') && (
          <Button
            size="small"
            startIcon={<RefreshRounded />}
            onClick={() => session.reconnect()}
            data-testid="terminal-reconnect"
          >
            {t('terminal.reconnect')}
          </Button>
        )}
        <Box sx={{ flex: 1 }} />
        {searching && <TerminalSearch session={session} onClose={() => setSearching(false)} />}
        <Tooltip title={t('terminal.search')}>
          <IconButton
            size="small"
            aria-label={t('terminal.search')}
            onClick={() => setSearching((s) => !s)}
            data-testid="terminal-search-toggle"
          >
            <SearchRounded fontSize="small" />
          </IconButton>
        </Tooltip>
        <Tooltip title={t('terminal.fontSmaller')}>
          <IconButton
            size="small"
            aria-label={t('terminal.fontSmaller')}
            onClick={() => act('font-smaller')}
            data-testid="terminal-font-smaller"
          >
            <TextDecreaseRounded fontSize="small" />
          </IconButton>
        </Tooltip>
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ minWidth: 36, textAlign: 'center' }}
          data-testid="terminal-font-size"
        >
          {t('terminal.fontSize', { size: snap.fontSize })}
        </Typography>
        <Tooltip title={t('terminal.fontBigger')}>
          <IconButton
            size="small"
            aria-label={t('terminal.fontBigger')}
            onClick={() => act('font-bigger')}
            data-testid="terminal-font-bigger"
          >
            <TextIncreaseRounded fontSize="small" />
          </IconButton>
        </Tooltip>
        {onDetach && (
          <Tooltip title={t('terminal.detach')}>
            <IconButton size="small" aria-label={t('terminal.detach')} onClick={onDetach}>
              <OpenInNewRounded fontSize="small" />
            </IconButton>
          </Tooltip>
        )}
      </Box>
      {phase === 'failed' && (
        <Alert severity="error">{t('terminal.state.failed', { message: snap.message ?? '' })}</Alert>
      )}
      <Box
        ref={box}
        data-testid="terminal-screen"
        data-state={phase}
        onContextMenu={openMenu}
        sx={{ flex: 1, minHeight: 240, bgcolor: 'common.black', overflow: 'hidden' }}
      />
      <Menu
        open={menu !== null}
        onClose={() => setMenu(null)}
        anchorReference="anchorPosition"
        anchorPosition={menu ?? undefined}
      >
        <MenuItem
          disabled={!session.term.hasSelection()}
          onClick={fromMenu(() => act('copy'))}
          data-testid="terminal-menu-copy"
        >
          {t('terminal.copy')}
        </MenuItem>
        <MenuItem onClick={fromMenu(() => act('paste'))} data-testid="terminal-menu-paste">
          {t('terminal.paste')}
        </MenuItem>
        <MenuItem onClick={fromMenu(() => session.term.selectAll())} data-testid="terminal-menu-select-all">
          {t('terminal.selectAll')}
        </MenuItem>
        <MenuItem onClick={fromMenu(() => act('search'))} data-testid="terminal-menu-search">
          {t('terminal.search')}
        </MenuItem>
        <MenuItem onClick={fromMenu(() => act('font-bigger'))}>{t('terminal.fontBigger')}</MenuItem>
        <MenuItem onClick={fromMenu(() => act('font-smaller'))}>{t('terminal.fontSmaller')}</MenuItem>
        <MenuItem onClick={fromMenu(() => act('font-reset'))} data-testid="terminal-menu-font-reset">
          {t('terminal.fontReset')}
        </MenuItem>
      </Menu>
    </Box>
  );
}
