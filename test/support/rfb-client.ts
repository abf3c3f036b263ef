// Test support: the smallest RFB 3.8 client that can prove a VNC display works end to end — security type None,
// 32 bpp true colour, Raw encoding only, one full framebuffer update on request. Works on any Duplex: a unix
// socket to QEMU, or the console bridge's WebSocket through ws's createWebSocketStream.
import type { Duplex } from 'node:stream';

export interface RfbFrame {
  width: number;
  height: number;
  /** width × height pixels, 4 bytes each: blue, green, red, unused (little-endian 0x00RRGGBB). */
  pixels: Buffer;
}

export interface RfbSession {
  readonly width: number;
  readonly height: number;
  /** The desktop name from ServerInit (QEMU: "QEMU" or the -name). */
  readonly name: string;
  /** Ask for the whole screen (non-incremental) and wait for the update carrying it. */
  requestFrame(timeoutMs?: number): Promise<RfbFrame>;
  close(): void;
}

const VERSION = 'RFB 003.008\n';
const SECURITY_NONE = 1;
const ENCODING_RAW = 0;
/** Pseudo-encoding: the server tells of a new screen size (SeaBIOS and guests switch VGA modes). */
const ENCODING_DESKTOP_SIZE = -223;

/** Reads exact byte counts from a stream, in order, with a deadline; the stream's end fails pending reads. */
class ByteReader {
  private buffered = Buffer.alloc(0);
  private waiting: { bytes: number; resolve: (data: Buffer) => void; reject: (error: Error) => void } | undefined;
  private ended: Error | undefined;

  constructor(stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.serve();
    });
    const end = (error?: Error) => {
      this.ended ??= error ?? new Error('the VNC server closed the connection');
      this.serve();
    };
    stream.once('end', () => end());
    stream.once('close', () => end());
    stream.once('error', end);
  }

  read(bytes: number, timeoutMs: number): Promise<Buffer> {
    if (this.waiting !== undefined) return Promise.reject(new Error('RFB: one read at a time'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`RFB: timed out waiting for ${bytes} bytes (have ${this.buffered.length})`));
      }, timeoutMs);
      this.waiting = {
        bytes,
        resolve: (data) => (clearTimeout(timer), resolve(data)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.serve();
    });
  }

  private serve(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    if (this.buffered.length >= waiting.bytes) {
      this.waiting = undefined;
      const data = this.buffered.subarray(0, waiting.bytes);
      this.buffered = this.buffered.subarray(waiting.bytes);
      waiting.resolve(data);
    } else if (this.ended !== undefined) {
      this.waiting = undefined;
      waiting.reject(this.ended);
    }
  }
}

const pixelFormat32 = (): Buffer => {
  const format = Buffer.alloc(16);
  format.writeUInt8(32, 0); // bits per pixel
  format.writeUInt8(24, 1); // depth
  format.writeUInt8(0, 2); // little-endian
  format.writeUInt8(1, 3); // true colour
  format.writeUInt16BE(255, 4);
  format.writeUInt16BE(255, 6);
  format.writeUInt16BE(255, 8);
  format.writeUInt8(16, 10); // red shift
  format.writeUInt8(8, 11); // green shift
  format.writeUInt8(0, 12); // blue shift
  return format;
};

/** Handshake (version, security None, init), then set 32 bpp and Raw. Rejects with the server's reason. */
export const connectRfb = async (stream: Duplex, timeoutMs = 10_000): Promise<RfbSession> => {
  const reader = new ByteReader(stream);
  const read = (bytes: number) => reader.read(bytes, timeoutMs);
  const reason = async (): Promise<string> => (await read((await read(4)).readUInt32BE(0))).toString('utf8');

  const version = (await read(12)).toString('latin1');
  if (!version.startsWith('RFB 003.')) throw new Error(`RFB: not a VNC server (greeting ${JSON.stringify(version)})`);
  stream.write(VERSION);
  const count = (await read(1)).readUInt8(0);
  if (count === 0) throw new Error(`RFB: the server refused the connection: ${await reason()}`);
  const types = [...(await read(count))];
  if (!types.includes(SECURITY_NONE))
    throw new Error(`RFB: the server wants authentication (security types ${types.join(', ')})`);
  stream.write(Buffer.from([SECURITY_NONE]));
  if ((await read(4)).readUInt32BE(0) !== 0) throw new Error(`RFB: security handshake failed: ${await reason()}`);
  stream.write(Buffer.from([1])); // shared: do not disconnect other viewers
  const init = await read(24);
  let width = init.readUInt16BE(0);
  let height = init.readUInt16BE(2);
  const name = (await read(init.readUInt32BE(20))).toString('utf8');

  const setPixelFormat = Buffer.concat([Buffer.from([0, 0, 0, 0]), pixelFormat32()]);
  const setEncodings = Buffer.alloc(12);
  setEncodings.writeUInt8(2, 0);
  setEncodings.writeUInt16BE(2, 2);
  setEncodings.writeInt32BE(ENCODING_RAW, 4);
  setEncodings.writeInt32BE(ENCODING_DESKTOP_SIZE, 8);
  stream.write(Buffer.concat([setPixelFormat, setEncodings]));

  /** Read server messages until a FramebufferUpdate; others (bell, clipboard, colour map) are skipped. */
  const readUpdate = async (deadlineMs: number): Promise<Buffer> => {
    let pixels = Buffer.alloc(width * height * 4);
    const readBy = (bytes: number) => reader.read(bytes, Math.max(1, deadlineMs - Date.now()));
    for (;;) {
      const type = (await readBy(1)).readUInt8(0);
      if (type === 0) {
        const rects = (await readBy(3)).readUInt16BE(1);
        for (let i = 0; i < rects; i += 1) {
          const header = await readBy(12);
          const [x, y, w, h] = [0, 2, 4, 6].map((at) => header.readUInt16BE(at)) as [number, number, number, number];
          const encoding = header.readInt32BE(8);
          if (encoding === ENCODING_DESKTOP_SIZE) {
            [width, height] = [w, h];
            pixels = Buffer.alloc(width * height * 4);
            continue;
          }
          if (x + w > width || y + h > height)
            throw new Error(`RFB: rectangle ${w}x${h}+${x}+${y} outside ${width}x${height}`);
          if (encoding !== ENCODING_RAW) throw new Error(`RFB: unexpected encoding ${encoding} (asked for Raw only)`);
          const data = await readBy(w * h * 4);
          for (let row = 0; row < h; row += 1)
            data.copy(pixels, ((y + row) * width + x) * 4, row * w * 4, (row + 1) * w * 4);
        }
        return pixels;
      }
      if (type === 2) continue; // Bell
      if (type === 3) {
        await readBy(3);
        await readBy((await readBy(4)).readUInt32BE(0));
        continue;
      }
      if (type === 1) {
        const entries = (await readBy(5)).readUInt16BE(3);
        await readBy(entries * 6);
        continue;
      }
      throw new Error(`RFB: unknown server message type ${type}`);
    }
  };

  return {
    get width() {
      return width;
    },
    get height() {
      return height;
    },
    name,
    async requestFrame(frameTimeoutMs = timeoutMs) {
      const request = Buffer.alloc(10);
      request.writeUInt8(3, 0);
      request.writeUInt8(0, 1); // not incremental: the whole screen
      request.writeUInt16BE(width, 6);
      request.writeUInt16BE(height, 8);
      stream.write(request);
      const pixels = await readUpdate(Date.now() + frameTimeoutMs);
      return { width, height, pixels };
    },
    close() {
      width = 0;
      height = 0;
      stream.destroy();
    },
  };
};

/** Any pixel that is not black (the unused fourth byte ignored). */
export const isNonBlack = (frame: RfbFrame): boolean => {
  const { pixels } = frame;
  for (let i = 0; i + 2 < pixels.length; i += 4)
    if (pixels[i] !== 0 || pixels[i + 1] !== 0 || pixels[i + 2] !== 0) return true;
  return false;
};

/** Milliseconds from each FramebufferUpdateRequest to the complete full-screen update, `samples` times. */
export const measureFrameLatency = async (session: RfbSession, samples = 10): Promise<number[]> => {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = performance.now();
    await session.requestFrame();
    times.push(performance.now() - start);
  }
  return times;
};
