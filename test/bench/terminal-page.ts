// The page of the terminal benchmarks, bundled by terminal-browser.ts and loaded in Chromium: the renderer's own
// TerminalSession (xterm.js, its WebSocket protocol and flow control), opened through functions the benchmark exposes
// in place of window.hyperdesk, with a TerminalDriver on its output. Every write to xterm is watched: arrival when
// TerminalSession hands the bytes to xterm, rendering when xterm's write callback runs (the bytes are parsed into the
// buffer; the screen follows at the next frame). Also replays captured output into xterm.js alone, without SSH.
import { FlowControl } from '../../renderer/src/features/terminal/flow-control';
import { TerminalSession, type TerminalConnector } from '../../renderer/src/features/terminal/terminal-session';
import { TerminalDriver, type EchoTimes, type ThroughputMarks } from './terminal-driver';

/** What a terminal in the page connects to: the node's shell or a container's (terminal-browser.ts opens it). */
export type TerminalTarget = { kind: 'shell' } | { kind: 'ct-shell'; vmid: number };

/** Exposed by the benchmark (page.exposeFunction): the app contract's console calls, through the core. */
export interface TerminalHost {
  hdBenchOpen(target: TerminalTarget, cols: number, rows: number): Promise<{ consoleId: string; url: string }>;
  hdBenchResize(consoleId: string, cols: number, rows: number): Promise<void>;
  hdBenchClose(consoleId: string): Promise<void>;
}

export interface TerminalBench {
  /** Open a terminal on `target` and wait until its shell runs commands; its size in cells. */
  open(target: TerminalTarget): Promise<{ cols: number; rows: number }>;
  /**
   * Run `command` between markers; `capture` keeps the output for replay(); without `render` the bytes reach the
   * page but not xterm.js (what the path alone delivers). `pauses`: flow control's pause requests.
   */
  throughput(
    command: string,
    options: { capture: boolean; render: boolean; timeoutMs: number },
  ): Promise<ThroughputMarks & { pauses: number }>;
  startCat(): Promise<void>;
  echo(count: number, paceMs: number): Promise<EchoTimes>;
  stopCat(): Promise<void>;
  /** End the open terminal. */
  close(): void;
  /** The captured output written into a fresh, unconnected TerminalSession, as fast as its flow control lets it. */
  replay(timeoutMs: number): Promise<{ bytes: number; ms: number }>;
}

export type TerminalBenchWindow = Window & TerminalHost & { hdTerminalBench: TerminalBench };

const page = window as unknown as TerminalBenchWindow;
const box = (): HTMLElement => {
  const element = document.getElementById('terminal');
  if (element === null) throw new Error('the page has no #terminal box');
  return element;
};

let open: { session: TerminalSession; driver: TerminalDriver; detach: () => void } | undefined;
let capturing = false;
let captured: Uint8Array[] = [];
let pauses = 0;
/** Off: TerminalSession's writes are counted and dropped, their callbacks run at once. */
let rendering = true;

// Count the pause requests TerminalSession's flow control sends to the bridge (text frames; its bytes are binary).
const nativeSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
  if (data === '{"pause":true}') pauses++;
  nativeSend.call(this, data);
};

const connectorFor = (target: TerminalTarget): TerminalConnector => ({
  open: ({ cols, rows }) => page.hdBenchOpen(target, cols, rows),
  resize: (consoleId, cols, rows) => page.hdBenchResize(consoleId, cols, rows),
  close: (consoleId) => void page.hdBenchClose(consoleId),
});

/** Report every write TerminalSession makes to `driver`: arrival now, rendering in xterm's write callback. */
const watchWrites = (session: TerminalSession, driver: TerminalDriver): void => {
  const term = session.term;
  const write = term.write.bind(term);
  term.write = (data: string | Uint8Array, callback?: () => void) => {
    const rendered = typeof data === 'string' ? undefined : driver.arrived(data);
    if (!rendering && rendered !== undefined) {
      callback?.();
      return rendered();
    }
    write(data, () => {
      callback?.();
      rendered?.();
    });
  };
};

const connected = (session: TerminalSession, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the terminal is ${session.snapshot().phase} after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const check = () => {
      const { phase, message } = session.snapshot();
      if (phase === 'connected' || phase === 'failed' || phase === 'disconnected') {
        clearTimeout(timer);
        stop();
        if (phase === 'connected') resolve();
        else reject(new Error(`the terminal ${phase}${message ? `: ${message}` : ''}`));
      }
    };
    const stop = session.subscribe(check);
    check();
  });

/** The last lines with text in the terminal's buffer, for errors. */
const screenText = (session: TerminalSession, lines = 8): string => {
  const buffer = session.term.buffer.active;
  const text: string[] = [];
  for (let y = buffer.length - 1; y >= 0 && text.length < lines; y--) {
    const line = buffer.getLine(y)?.translateToString(true) ?? '';
    if (line !== '') text.unshift(line);
  }
  return text.join('\n');
};

const current = () => {
  if (open === undefined) throw new Error('no terminal is open');
  return open;
};

const bench: TerminalBench = {
  async open(target) {
    bench.close();
    const session = new TerminalSession(connectorFor(target), 14, () => 'reconnected');
    const driver = new TerminalDriver(
      (text) => session.term.input(text, true),
      (chunk) => {
        if (capturing) captured.push(chunk.slice());
      },
    );
    watchWrites(session, driver);
    open = { session, driver, detach: session.attach(box()) };
    await connected(session, 30_000);
    await driver.ready().catch((error: Error) => {
      throw new Error(`${error.message} — the terminal shows: ${JSON.stringify(screenText(session))}`);
    });
    return { cols: session.term.cols, rows: session.term.rows };
  },
  async throughput(command, { capture, render, timeoutMs }) {
    const { driver } = current();
    capturing = capture;
    if (capture) captured = [];
    pauses = 0;
    rendering = render;
    try {
      return { ...(await driver.throughput(command, timeoutMs)), pauses };
    } finally {
      capturing = false;
      rendering = true;
    }
  },
  startCat: () => current().driver.startCat(),
  echo: (count, paceMs) => current().driver.echo(count, paceMs),
  stopCat: () => current().driver.stopCat(),
  close() {
    open?.detach();
    open?.session.dispose();
    open = undefined;
  },
  async replay(timeoutMs) {
    bench.close();
    if (captured.length === 0) throw new Error('nothing was captured to replay');
    // Never connects: the terminal only shows what is written into it here.
    const session = new TerminalSession(
      { open: () => new Promise(() => undefined), resize: () => Promise.resolve(), close: () => undefined },
      14,
      () => '',
    );
    const detach = session.attach(box());
    const flow = new FlowControl();
    const bytes = captured.reduce((sum, chunk) => sum + chunk.length, 0);
    try {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the replay took over ${timeoutMs} ms`)), timeoutMs);
        let resume: (() => void) | undefined;
        let left = captured.length;
        const feed = async () => {
          for (const chunk of captured) {
            const paused = flow.written(chunk.length) !== undefined;
            session.term.write(chunk, () => {
              if (flow.rendered(chunk.length) !== undefined) resume?.();
              if (--left === 0) {
                clearTimeout(timer);
                resolve();
              }
            });
            // As the bridge does for TerminalSession: no more bytes until xterm has caught up.
            if (paused) await new Promise<void>((done) => (resume = done));
          }
        };
        feed().catch(reject);
      });
      return { bytes, ms: performance.now() - started };
    } finally {
      detach();
      session.dispose();
    }
  },
};

page.hdTerminalBench = bench;
