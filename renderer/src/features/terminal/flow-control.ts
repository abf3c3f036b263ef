// Output backpressure for a terminal: xterm.js parses and renders writes later, and a browser WebSocket cannot be
// paused, so the terminal counts what it handed xterm and not yet rendered and asks the console bridge to pause the
// node's output above a high mark and to resume below a low one (main/core/console-bridge.ts parseFlowControl).

/** Pause above this many bytes queued for rendering (xterm's own guidance is to stay well under its 50 MB limit). */
export const FLOW_HIGH_WATER = 1024 * 1024;
/** Resume once this little is left, so pause and resume do not alternate on every chunk. */
export const FLOW_LOW_WATER = 128 * 1024;

export type FlowMessage = '{"pause":true}' | '{"pause":false}';

export class FlowControl {
  private queued = 0;
  private paused = false;

  constructor(
    private readonly high = FLOW_HIGH_WATER,
    private readonly low = FLOW_LOW_WATER,
  ) {}

  /** `bytes` were handed to xterm.write; the message to send the bridge, if the state changed. */
  written(bytes: number): FlowMessage | undefined {
    this.queued += bytes;
    if (this.paused || this.queued <= this.high) return undefined;
    this.paused = true;
    return '{"pause":true}';
  }

  /** xterm.write's callback for `bytes` ran: they are parsed. */
  rendered(bytes: number): FlowMessage | undefined {
    this.queued = Math.max(0, this.queued - bytes);
    if (!this.paused || this.queued > this.low) return undefined;
    this.paused = false;
    return '{"pause":false}';
  }

  /** A new connection starts unpaused with nothing of its own queued (the old one's callbacks no longer count). */
  reset(): void {
    this.queued = 0;
    this.paused = false;
  }

  get pending(): number {
    return this.queued;
  }

  get isPaused(): boolean {
    return this.paused;
  }
}
