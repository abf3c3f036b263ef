// One terminal that outlives the component showing it: xterm.js, its connection (a one-shot console WebSocket from
// a connector), flow control, search, font size and reconnect. Views attach its element to a box and detach it
// again, so switching tabs or pages keeps the shell running; only dispose() ends it.
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { UiError } from '../../app-error';
import { fitSize, measureCell, type CellSize } from '../console/fit-terminal';
import { findMatch, rowFromCells, type SearchMatch, type SearchRows } from './buffer-search';
import { FlowControl } from './flow-control';
import { clampFontSize, rememberFontSize } from './font-size';

/** How a terminal reaches what it shows: a node shell (actions.ts), a container console or shell (cts/ct-console.tsx). */
export interface TerminalConnector {
  open(size: { cols: number; rows: number }): Promise<{ consoleId: string; url: string }>;
  resize(consoleId: string, cols: number, rows: number): Promise<void>;
  close(consoleId: string): void;
}

export type TerminalPhase = 'opening' | 'connecting' | 'connected' | 'disconnected' | 'failed';

export interface TerminalSnapshot {
  phase: TerminalPhase;
  fontSize: number;
  /** Why opening failed (phase failed). */
  message?: string;
}

const FONT_FAMILY = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace';
/** Rows a little taller than the glyphs: at 1, xterm's DOM rows clip what hangs below the baseline (`_` vanished). */
const LINE_HEIGHT = 1.2;
const encoder = new TextEncoder();
/** onBinary strings are bytes already (mouse reports in X10 mode). */
const binaryBytes = (data: string): Uint8Array => Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff);

export class TerminalSession {
  readonly term: Terminal;
  /** The element views move between boxes; xterm opens into it once. */
  private readonly host = document.createElement('div');
  private opened = false;
  private cell: CellSize | undefined;
  private ws: WebSocket | undefined;
  private consoleId: string | undefined;
  /** Bumped per connection, so callbacks of an earlier one (writes, closes) are ignored. */
  private generation = 0;
  private readonly flow = new FlowControl();
  private state: TerminalSnapshot;
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  private connectedOnce = false;

  constructor(
    private readonly connector: TerminalConnector,
    fontSize: number,
    /** Written into the terminal when a dropped connection is replaced by a new shell. */
    private readonly reconnectedNote: () => string,
  ) {
    this.state = { phase: 'opening', fontSize: clampFontSize(fontSize) };
    this.host.style.cssText = 'width:100%;height:100%';
    this.term = new Terminal({
      fontFamily: FONT_FAMILY,
      fontSize: this.state.fontSize,
      lineHeight: LINE_HEIGHT,
      scrollback: 10_000,
    });
    this.term.onData((data) => this.send(encoder.encode(data)));
    this.term.onBinary((data) => this.send(binaryBytes(data)));
    this.term.onResize(({ cols, rows }) => {
      if (this.consoleId !== undefined) this.connector.resize(this.consoleId, cols, rows).catch(() => undefined);
    });
  }

  // For useSyncExternalStore: a stable snapshot object until something changes.
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  readonly snapshot = (): TerminalSnapshot => this.state;

  private update(change: Partial<TerminalSnapshot>): void {
    const next: TerminalSnapshot = { ...this.state, ...change };
    if (change.phase !== undefined && change.phase !== 'failed') delete next.message;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Show the terminal in `parent` (opening the connection the first time); returns the detach function. */
  attach(parent: HTMLElement): () => void {
    parent.appendChild(this.host);
    if (!this.opened) {
      this.term.open(this.host);
      this.opened = true;
    }
    this.cell = undefined;
    const observer = new ResizeObserver(() => this.fit());
    observer.observe(parent);
    this.fit();
    if (this.ws === undefined && this.state.phase === 'opening') void this.connect();
    return () => {
      observer.disconnect();
      if (this.host.parentElement === parent) this.host.remove();
    };
  }

  /** Columns and rows that fill the box the terminal sits in. */
  fit(): void {
    const parent = this.host.parentElement;
    if (parent === null || this.disposed) return;
    this.cell ??= measureCell(parent, { family: FONT_FAMILY, size: this.state.fontSize, lineHeight: LINE_HEIGHT });
    const size = fitSize({ width: parent.clientWidth, height: parent.clientHeight }, this.cell);
    if (size !== undefined && (size.cols !== this.term.cols || size.rows !== this.term.rows))
      this.term.resize(size.cols, size.rows);
  }

  /** Ask for a console and connect to it; a reconnect keeps the scrollback and writes a note first. */
  async connect(): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    this.flow.reset();
    this.update({ phase: this.connectedOnce ? 'connecting' : 'opening' });
    let opened: { consoleId: string; url: string };
    try {
      opened = await this.connector.open({ cols: this.term.cols, rows: this.term.rows });
    } catch (error) {
      if (generation === this.generation && !this.disposed)
        this.update({ phase: 'failed', message: UiError.from(error).message });
      return;
    }
    if (generation !== this.generation || this.disposed) return this.connector.close(opened.consoleId);
    this.consoleId = opened.consoleId;
    this.update({ phase: 'connecting' });
    const ws = new WebSocket(opened.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      if (generation !== this.generation) return;
      if (this.connectedOnce) this.term.write(`\r\n\x1b[2m— ${this.reconnectedNote()} —\x1b[0m\r\n`);
      this.connectedOnce = true;
      this.update({ phase: 'connected' });
      // The size may have changed while the console was being opened.
      this.connector.resize(opened.consoleId, this.term.cols, this.term.rows).catch(() => undefined);
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (generation !== this.generation || typeof event.data === 'string') return;
      const bytes = new Uint8Array(event.data);
      this.flowMessage(ws, this.flow.written(bytes.length));
      this.term.write(bytes, () => {
        if (generation === this.generation) this.flowMessage(ws, this.flow.rendered(bytes.length));
      });
    };
    ws.onclose = () => {
      if (generation !== this.generation) return;
      this.ws = undefined;
      this.consoleId = undefined;
      if (!this.disposed) this.update({ phase: 'disconnected' });
    };
  }

  /** After a dropped connection: a new shell in the same terminal. */
  reconnect(): void {
    this.closeConnection();
    void this.connect();
  }

  private flowMessage(ws: WebSocket, message: string | undefined): void {
    // Flow control travels as text frames; the console's bytes are always binary.
    if (message !== undefined && ws.readyState === WebSocket.OPEN) ws.send(message);
  }

  private send(bytes: Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  setFontSize(size: number): void {
    const fontSize = clampFontSize(size);
    if (fontSize === this.state.fontSize) return;
    this.term.options.fontSize = fontSize;
    rememberFontSize(fontSize);
    this.cell = undefined;
    this.update({ fontSize });
    this.fit();
  }

  /** The selection to the clipboard (writing is allowed; see main/electron/origin-policy.ts). */
  async copy(): Promise<void> {
    const text = this.term.getSelection();
    if (text !== '') await navigator.clipboard.writeText(text);
  }

  /** Reading the clipboard may be refused (Electron denies clipboard-read); the caller says how to paste instead. */
  async pasteFromClipboard(): Promise<void> {
    this.term.paste(await navigator.clipboard.readText());
    this.term.focus();
  }

  /** Select the next (or previous) match after the current selection and scroll it into view. */
  find(query: string, options: { backwards?: boolean; caseSensitive?: boolean } = {}): SearchMatch | undefined {
    const buffer = this.term.buffer.active;
    const cell = buffer.getNullCell();
    const rows: SearchRows = {
      length: buffer.length,
      row: (index) => {
        const line = buffer.getLine(index);
        const cells = [];
        for (let x = 0; line !== undefined && x < line.length; x++) {
          const c = line.getCell(x, cell);
          if (c !== undefined) cells.push({ chars: c.getChars(), width: c.getWidth() });
        }
        return rowFromCells(cells);
      },
    };
    const at = this.term.getSelectionPosition();
    const match = findMatch(
      rows,
      query,
      at === undefined ? undefined : { row: at.start.y, column: at.start.x },
      options,
    );
    if (match === undefined) {
      this.term.clearSelection();
      return undefined;
    }
    this.term.select(match.column, match.row, match.length);
    this.term.scrollToLine(Math.max(0, match.row - Math.floor(this.term.rows / 2)));
    return match;
  }

  focus(): void {
    this.term.focus();
  }

  private closeConnection(): void {
    this.generation++;
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
    if (this.consoleId !== undefined) this.connector.close(this.consoleId);
    this.consoleId = undefined;
  }

  /** End the shell and free the terminal. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closeConnection();
    this.host.remove();
    this.term.dispose();
    this.listeners.clear();
  }
}
