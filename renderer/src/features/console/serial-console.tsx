// A VM's serial port in xterm.js: raw bytes over the one-shot console WebSocket both ways (binary frames), the
// terminal fitted to its box, and each new size reported so main can resize the node's pty.
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import OpenInNewRounded from '@mui/icons-material/OpenInNewRounded';
import RefreshRounded from '@mui/icons-material/RefreshRounded';
import { fitSize, measureCell } from './fit-terminal';
import { useT } from '../../i18n/use-t';

export interface SerialConsoleProps {
  url: string;
  onResize: (cols: number, rows: number) => void;
  onReconnect: () => void;
  onDetach?: (() => void) | undefined;
}

const FONT = { family: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace', size: 14, lineHeight: 1 };

/** xterm's input is a JS string of UTF-16; the guest wants UTF-8 bytes. onBinary strings are bytes already. */
const encoder = new TextEncoder();
const binaryBytes = (data: string): Uint8Array => Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff);

export function SerialConsole({ url, onResize, onReconnect, onDetach }: SerialConsoleProps) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const [phase, setPhase] = useState<'connecting' | 'connected' | 'disconnected'>('connecting');
  // The latest callback without restarting the terminal when the parent passes a new function.
  const resizeRef = useRef(onResize);
  useEffect(() => {
    resizeRef.current = onResize;
  }, [onResize]);

  useEffect(() => {
    const parent = box.current;
    if (parent === null) return undefined;
    const term = new Terminal({
      fontFamily: FONT.family,
      fontSize: FONT.size,
      lineHeight: FONT.lineHeight,
      scrollback: 5000,
      convertEol: false,
    });
    term.open(parent);
    const cell = measureCell(parent, FONT);
    const fit = () => {
      const size = fitSize({ width: parent.clientWidth, height: parent.clientHeight }, cell);
      if (size === undefined || (size.cols === term.cols && size.rows === term.rows)) return;
      term.resize(size.cols, size.rows);
    };
    const sized = term.onResize(({ cols, rows }) => resizeRef.current(cols, rows));
    const observer = new ResizeObserver(fit);
    observer.observe(parent);
    fit();

    let ws: WebSocket | null = null;
    // A tick later, so a mount undone at once never spends the one-shot URL.
    const start = setTimeout(() => {
      ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        setPhase('connected');
        resizeRef.current(term.cols, term.rows);
        term.focus();
      };
      ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) =>
        term.write(typeof event.data === 'string' ? event.data : new Uint8Array(event.data));
      ws.onclose = () => setPhase('disconnected');
    }, 0);
    const send = (bytes: Uint8Array) => {
      if (ws?.readyState === WebSocket.OPEN) ws.send(bytes);
    };
    const typed = term.onData((data) => send(encoder.encode(data)));
    const binary = term.onBinary((data) => send(binaryBytes(data)));
    return () => {
      clearTimeout(start);
      observer.disconnect();
      typed.dispose();
      binary.dispose();
      sized.dispose();
      ws?.close();
      term.dispose();
    };
  }, [url]);

  return (
    <Box sx={{ flex: 1, minHeight: 320, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Chip
          size="small"
          color={phase === 'connected' ? 'success' : phase === 'connecting' ? 'default' : 'warning'}
          label={t(`console.state.${phase}`)}
        />
        {phase === 'disconnected' && (
          <Button size="small" startIcon={<RefreshRounded />} onClick={onReconnect}>
            {t('console.reconnect')}
          </Button>
        )}
        <Box sx={{ flex: 1 }} />
        {onDetach && (
          <Tooltip title={t('console.detach')}>
            <IconButton size="small" aria-label={t('console.detach')} onClick={onDetach}>
              <OpenInNewRounded fontSize="small" />
            </IconButton>
          </Tooltip>
        )}
      </Box>
      <Box
        ref={box}
        data-testid="serial-screen"
        data-state={phase}
        sx={{ flex: 1, minHeight: 0, bgcolor: 'common.black', overflow: 'hidden' }}
      />
    </Box>
  );
}
