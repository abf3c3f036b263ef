// A VM's display in noVNC: one RFB session on a one-shot console URL, with scaling, the key combinations the
// local OS would swallow, the clipboard both ways, the connection state and a reconnect (which needs a new URL).
import { useEffect, useRef, useState } from 'react';
import RFB from '@novnc/novnc';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Popover from '@mui/material/Popover';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AspectRatioRounded from '@mui/icons-material/AspectRatioRounded';
import ContentPasteRounded from '@mui/icons-material/ContentPasteRounded';
import FitScreenRounded from '@mui/icons-material/FitScreenRounded';
import KeyboardRounded from '@mui/icons-material/KeyboardRounded';
import OpenInNewRounded from '@mui/icons-material/OpenInNewRounded';
import RefreshRounded from '@mui/icons-material/RefreshRounded';
import { combos, strokes, type ComboId } from './key-combos';
import { useT } from '../../i18n/use-t';

export type VncState =
  | { phase: 'connecting' }
  | { phase: 'connected' }
  | { phase: 'disconnected'; clean: boolean }
  | { phase: 'refused'; reason: string };

export interface VncConsoleProps {
  /** ws://127.0.0.1:<port>/console/<token> from console.open; good for one connection. */
  url: string;
  vmid: number;
  /** Ask for a new console (a new URL): the old one cannot be reused. */
  onReconnect: () => void;
  /** Shown only when given: move this console to a window of its own. */
  onDetach?: (() => void) | undefined;
}

const comboLabel = (t: ReturnType<typeof useT>, id: ComboId): string => {
  if (id === 'ctrl-alt-del') return t('console.keys.ctrlAltDel');
  if (id === 'ctrl-alt-backspace') return t('console.keys.ctrlAltBackspace');
  return t('console.keys.ctrlAltF', { n: id.slice('ctrl-alt-f'.length) });
};

const stateLabel = (t: ReturnType<typeof useT>, state: VncState): string => {
  switch (state.phase) {
    case 'connecting':
      return t('console.state.connecting');
    case 'connected':
      return t('console.state.connected');
    case 'disconnected':
      return t('console.state.disconnected');
    case 'refused':
      return t('console.state.securityFailure', { reason: state.reason });
  }
};

export function VncConsole({ url, vmid, onReconnect, onDetach }: VncConsoleProps) {
  const t = useT();
  const screen = useRef<HTMLDivElement>(null);
  const rfb = useRef<RFB | null>(null);
  const [state, setState] = useState<VncState>({ phase: 'connecting' });
  const [scale, setScale] = useState<'fit' | 'native'>('fit');
  const [keysAnchor, setKeysAnchor] = useState<HTMLElement | null>(null);
  const [clipAnchor, setClipAnchor] = useState<HTMLElement | null>(null);
  const [paste, setPaste] = useState('');
  const [received, setReceived] = useState('');

  useEffect(() => {
    const target = screen.current;
    if (target === null) return undefined;
    // Started a tick later so a mount that is undone at once (StrictMode, a fast tab switch) never spends the
    // one-shot URL.
    let session: RFB | null = null;
    const start = setTimeout(() => {
      session = new RFB(target, url, { shared: true });
      session.scaleViewport = true;
      session.background = '#000';
      session.addEventListener('connect', () => setState({ phase: 'connected' }));
      session.addEventListener('disconnect', (event) => setState({ phase: 'disconnected', clean: event.detail.clean }));
      session.addEventListener('securityfailure', (event) =>
        setState({ phase: 'refused', reason: event.detail.reason ?? String(event.detail.status) }),
      );
      session.addEventListener('clipboard', (event) => setReceived(event.detail.text));
      rfb.current = session;
    }, 0);
    return () => {
      clearTimeout(start);
      session?.disconnect();
      rfb.current = null;
    };
  }, [url]);

  useEffect(() => {
    if (rfb.current !== null) rfb.current.scaleViewport = scale === 'fit';
  }, [scale, state]);

  const send = (id: ComboId) => {
    setKeysAnchor(null);
    const session = rfb.current;
    const combo = combos.find((c) => c.id === id);
    if (session === null || combo === undefined) return;
    // noVNC has its own for Ctrl+Alt+Del; the rest go key by key.
    if (id === 'ctrl-alt-del') session.sendCtrlAltDel();
    else for (const s of strokes(combo.keys)) session.sendKey(s.keysym, s.code, s.down);
    session.focus();
  };

  const connected = state.phase === 'connected';
  return (
    <Box sx={{ flex: 1, minHeight: 320, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
        <Chip
          size="small"
          color={connected ? 'success' : state.phase === 'connecting' ? 'default' : 'warning'}
          label={stateLabel(t, state)}
        />
        {(state.phase === 'disconnected' || state.phase === 'refused') && (
          <Button size="small" startIcon={<RefreshRounded />} onClick={onReconnect}>
            {t('console.reconnect')}
          </Button>
        )}
        <Box sx={{ flex: 1 }} />
        <ToggleButtonGroup
          size="small"
          exclusive
          value={scale}
          onChange={(_, value: 'fit' | 'native' | null) => value && setScale(value)}
        >
          <ToggleButton value="fit" aria-label={t('console.scale.fit')}>
            <Tooltip title={t('console.scale.fit')}>
              <FitScreenRounded fontSize="small" />
            </Tooltip>
          </ToggleButton>
          <ToggleButton value="native" aria-label={t('console.scale.native')}>
            <Tooltip title={t('console.scale.native')}>
              <AspectRatioRounded fontSize="small" />
            </Tooltip>
          </ToggleButton>
        </ToggleButtonGroup>
        <Tooltip title={t('console.keys')}>
          <span>
            <IconButton
              size="small"
              aria-label={t('console.keys')}
              disabled={!connected}
              onClick={(e) => setKeysAnchor(e.currentTarget)}
            >
              <KeyboardRounded fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title={t('console.clipboard')}>
          <span>
            <IconButton
              size="small"
              aria-label={t('console.clipboard')}
              disabled={!connected}
              onClick={(e) => setClipAnchor(e.currentTarget)}
            >
              <ContentPasteRounded fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
        {onDetach && (
          <Tooltip title={t('console.detach')}>
            <IconButton size="small" aria-label={t('console.detach')} onClick={onDetach}>
              <OpenInNewRounded fontSize="small" />
            </IconButton>
          </Tooltip>
        )}
      </Box>
      <Menu anchorEl={keysAnchor} open={keysAnchor !== null} onClose={() => setKeysAnchor(null)}>
        {combos.map((c) => (
          <MenuItem key={c.id} onClick={() => send(c.id)}>
            {comboLabel(t, c.id)}
          </MenuItem>
        ))}
      </Menu>
      <Popover
        anchorEl={clipAnchor}
        open={clipAnchor !== null}
        onClose={() => setClipAnchor(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        transformOrigin={{ vertical: 'top', horizontal: 'right' }}
      >
        <Box sx={{ p: 2, width: 360, display: 'flex', flexDirection: 'column', gap: 1 }}>
          <Typography variant="subtitle2">{t('console.clipboard.title')}</Typography>
          <Typography variant="body2" color="text.secondary">
            {t('console.clipboard.hint')}
          </Typography>
          <TextField
            multiline
            minRows={3}
            maxRows={8}
            value={paste}
            onChange={(e) => setPaste(e.target.value)}
            size="small"
          />
          <Button
            variant="contained"
            size="small"
            disabled={paste === ''}
            onClick={() => {
              rfb.current?.clipboardPasteFrom(paste);
              setClipAnchor(null);
            }}
          >
            {t('console.clipboard.send')}
          </Button>
          <TextField
            label={t('console.clipboard.received')}
            multiline
            minRows={2}
            maxRows={8}
            value={received}
            size="small"
            slotProps={{ input: { readOnly: true } }}
          />
        </Box>
      </Popover>
      {state.phase === 'refused' && <Alert severity="error">{stateLabel(t, state)}</Alert>}
      <Box
        ref={screen}
        data-testid="vnc-screen"
        data-state={state.phase}
        aria-label={t('console.screen', { vmid })}
        sx={{ flex: 1, minHeight: 0, bgcolor: 'common.black', overflow: scale === 'native' ? 'auto' : 'hidden' }}
      />
    </Box>
  );
}
