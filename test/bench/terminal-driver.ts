// Drives a shell on a terminal for the terminal benchmarks the same way in the page (xterm.js behind the console
// bridge) and here (ssh -tt): types commands and keys, finds markers in the output as it arrives, and times arrival
// and rendering. Pure: the caller feeds output chunks in and says when each one is rendered (at once where nothing
// renders), so it runs unchanged in Chromium and in Node.js.
import { AppError, isAppError } from '../../node-agent/src/api/errors';

/** Printed by the shell; typed as printMarker() so the echo of the command line never contains the marker. */
export const MARKERS = { ready: 'HD_READY', begin: 'HD_BEGIN', end: 'HD_END', cat: 'HD_CAT' } as const;

/** `echo HD_""END`: its echo shows the quotes, its output is the marker alone. */
export const printMarker = (marker: string): string => `echo ${marker.slice(0, 3)}""${marker.slice(3)}`;

const encoder = new TextEncoder();

/** Where `needle` starts in `hay` at or after `from`; -1 when it is not there. */
export const indexOfBytes = (hay: Uint8Array, needle: Uint8Array, from = 0): number => {
  const first = needle[0];
  if (first === undefined) return from;
  for (let i = hay.indexOf(first, from); i !== -1 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
};

/**
 * Where `needle` ends in `chunk` (the offset just after it), searching from `from`; at `from` 0 it may begin in
 * `tail`, the bytes that came just before the chunk. -1 when it is not there.
 */
export const findEnd = (tail: Uint8Array, chunk: Uint8Array, needle: Uint8Array, from = 0): number => {
  if (from === 0 && tail.length > 0 && needle.length > 1) {
    const before = tail.subarray(Math.max(0, tail.length - (needle.length - 1)));
    const seam = new Uint8Array(before.length + Math.min(chunk.length, needle.length - 1));
    seam.set(before);
    seam.set(chunk.subarray(0, seam.length - before.length), before.length);
    const at = indexOfBytes(seam, needle);
    if (at !== -1) return at + needle.length - before.length;
  }
  const at = indexOfBytes(chunk, needle, from);
  return at === -1 ? -1 : at + needle.length;
};

/** Times (ms on the driver's clock) a marker reached the terminal and was rendered. */
export interface Mark {
  arrived: number;
  rendered: number;
}

export interface Watched {
  sent: number;
  marks: Mark[];
  /** Bytes of the chunks from the one with the first marker to the one with the last, both included, and how many. */
  bytes: number;
  chunks: number;
}

interface Watch {
  markers: Uint8Array[];
  arrived: number[];
  marks: Mark[];
  bytes: number;
  chunks: number;
  resolve(watch: Watch): void;
}

const TAIL_BYTES = 64;
const READY_RETRY_MS = 2_000;

export class TerminalDriver {
  private tail: Uint8Array = new Uint8Array(0);
  private watch: Watch | undefined;

  constructor(
    /** Keystrokes to the terminal's program. */
    private readonly send: (text: string) => void,
    /** Chunks between the first and last marker of a watch, for those that keep them (the page's replay). */
    private readonly counted?: (chunk: Uint8Array) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A chunk of output reached the terminal; call what this returns once the terminal has rendered it. */
  arrived(chunk: Uint8Array): () => void {
    const at = this.now();
    const watch = this.watch;
    const found: number[] = [];
    if (watch !== undefined) {
      const counting = watch.arrived.length > 0;
      let from = 0;
      for (
        let next = watch.markers[watch.arrived.length];
        next !== undefined;
        next = watch.markers[watch.arrived.length]
      ) {
        const end = findEnd(this.tail, chunk, next, from);
        if (end === -1) break;
        watch.arrived.push(at);
        found.push(watch.arrived.length - 1);
        from = Math.max(end, 0);
      }
      if (counting || found.length > 0) {
        watch.bytes += chunk.length;
        watch.chunks += 1;
        this.counted?.(chunk);
      }
    }
    this.tail = keepTail(this.tail, chunk);
    if (watch === undefined || found.length === 0) return noop;
    return () => {
      const rendered = this.now();
      for (const index of found) watch.marks[index] = { arrived: watch.arrived[index] ?? at, rendered };
      if (watch.marks.filter(Boolean).length === watch.markers.length) {
        if (this.watch === watch) this.watch = undefined;
        watch.resolve(watch);
      }
    };
  }

  /** Type `keys` and wait until every marker (in order) has been rendered. */
  type(keys: string, markers: readonly string[], timeoutMs: number): Promise<Watched> {
    if (this.watch !== undefined)
      throw new AppError('internal-error', 'the terminal driver is already waiting for output');
    return new Promise<Watched>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watch = undefined;
        reject(
          new AppError(
            'timeout',
            `the terminal did not show ${markers.join(', ')} within ${timeoutMs} ms of typing ${JSON.stringify(keys)}`,
          ),
        );
      }, timeoutMs);
      let sent = 0;
      this.watch = {
        markers: markers.map((m) => encoder.encode(m)),
        arrived: [],
        marks: [],
        bytes: 0,
        chunks: 0,
        resolve: ({ marks, bytes, chunks }) => {
          clearTimeout(timer);
          resolve({ sent, marks, bytes, chunks });
        },
      };
      sent = this.now();
      this.send(keys);
    });
  }

  /**
   * Until the shell has run a command: the login is over and it reads what is typed. Typed again every
   * READY_RETRY_MS: what is typed before lxc-attach has set up its terminal is discarded (it flushes the input).
   */
  async ready(timeoutMs = 30_000, retryMs = READY_RETRY_MS): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const wait = Math.max(1, Math.min(retryMs, deadline - this.now()));
      try {
        await this.type(`${printMarker(MARKERS.ready)}\r`, [MARKERS.ready], wait);
        return;
      } catch (error) {
        if (!isAppError(error, 'timeout')) throw error;
        if (this.now() >= deadline)
          throw new AppError(
            'timeout',
            `the terminal's shell did not print ${MARKERS.ready} within ${timeoutMs} ms (\`${printMarker(MARKERS.ready)}\` typed every ${retryMs} ms)`,
          );
      }
    }
  }

  /** Run `command` between a begin and an end marker: the output's bytes and when it came and was rendered. */
  async throughput(command: string, timeoutMs: number): Promise<ThroughputMarks> {
    const line = `${printMarker(MARKERS.begin)}; ${command}; ${printMarker(MARKERS.end)}\r`;
    const { sent, marks, bytes, chunks } = await this.type(line, [MARKERS.begin, MARKERS.end], timeoutMs);
    const [begin, end] = marks as [Mark, Mark];
    return { sent, begin, end, bytes, chunks };
  }

  /** Start `cat` on the pty: from then on every key typed comes back as the line discipline's echo, and only that. */
  async startCat(timeoutMs = 10_000): Promise<void> {
    await this.type(`${printMarker(MARKERS.cat)}; cat\r`, [MARKERS.cat], timeoutMs);
  }

  /** Type `count` letters, one at a time `paceMs` apart, timing each to its echo; cat must be running. */
  async echo(count: number, paceMs: number, timeoutMs = 10_000): Promise<EchoTimes> {
    const times: EchoTimes = { arrived: [], rendered: [] };
    for (let i = 0; i < count; i++) {
      const key = String.fromCharCode(97 + (i % 26));
      const { sent, marks } = await this.type(key, [key], timeoutMs);
      times.arrived.push(marks[0]!.arrived - sent);
      times.rendered.push(marks[0]!.rendered - sent);
      // A typist's pace, so every key starts from an idle path, as a person's do.
      await new Promise((resolve) => setTimeout(resolve, paceMs));
    }
    return times;
  }

  /**
   * End cat with Enter and Ctrl-D (end of file: no signal, so the line discipline keeps what is typed after it) and
   * wait for the shell to take commands again.
   */
  async stopCat(timeoutMs = 10_000): Promise<void> {
    await this.type(`\r\x04${printMarker(MARKERS.ready)}\r`, [MARKERS.ready], timeoutMs);
  }
}

export interface ThroughputMarks {
  sent: number;
  begin: Mark;
  end: Mark;
  bytes: number;
  chunks: number;
}

/** Milliseconds from each key to its echo reaching the terminal, and to its echo rendered. */
export interface EchoTimes {
  arrived: number[];
  rendered: number[];
}

const noop = (): void => undefined;

const keepTail = (tail: Uint8Array, chunk: Uint8Array): Uint8Array => {
  if (chunk.length >= TAIL_BYTES) return chunk.slice(chunk.length - TAIL_BYTES);
  const joined = new Uint8Array(tail.length + chunk.length);
  joined.set(tail);
  joined.set(chunk, tail.length);
  return joined.slice(Math.max(0, joined.length - TAIL_BYTES));
};
