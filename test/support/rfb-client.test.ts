// The test RFB client against a real QEMU VNC display on a unix socket: the handshake, a full Raw frame of the
// VGA's size, and — with the CPU running — SeaBIOS's text on screen.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../node-agent/src/exec/run';
import { connectRfb, isNonBlack, measureFrameLatency, type RfbFrame } from './rfb-client';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A QEMU with only a std VGA and a VNC display on a unix socket; stopped (by its own signal) after the test. */
const startQemu = async (paused: boolean): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'hd-rfb-'));
  const socket = join(dir, 'v.sock');
  const controller = new AbortController();
  const args = [
    '-machine',
    'pc',
    '-accel',
    'tcg',
    '-nodefaults',
    '-vga',
    'std',
    '-display',
    'none',
    '-vnc',
    `unix:${socket}`,
  ];
  const exited = run('qemu-system-x86_64', paused ? [...args, '-S'] : args, {
    timeoutMs: 120_000,
    signal: controller.signal,
  });
  cleanups.push(async () => {
    controller.abort();
    await exited.catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) throw new Error(`QEMU did not create ${socket} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return socket;
};

const open = (path: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });

const VGA_SIZES = ['640x480', '720x400'];

describe('rfb-client against QEMU', () => {
  it('reads the server init and one full Raw frame of the VGA size', async () => {
    const socket = await open(await startQemu(true));
    const session = await connectRfb(socket);
    cleanups.push(() => Promise.resolve(session.close()));
    expect(VGA_SIZES).toContain(`${session.width}x${session.height}`);
    expect(session.name).toBe('QEMU');
    const frame = await session.requestFrame();
    expect(`${frame.width}x${frame.height}`).toBe(`${session.width}x${session.height}`);
    expect(frame.pixels.length).toBe(frame.width * frame.height * 4);
    const [latency] = await measureFrameLatency(session, 1);
    expect(latency).toBeGreaterThan(0);
  }, 30_000);

  it('sees SeaBIOS draw on the screen once the CPU runs', async () => {
    const socket = await open(await startQemu(false));
    const session = await connectRfb(socket);
    cleanups.push(() => Promise.resolve(session.close()));
    const deadline = Date.now() + 20_000;
    // Before the guest sets a mode QEMU shows its own grey "Display output is not active" at 640x480; SeaBIOS
    // switches to 80x25 text (720x400), black at first, then prints its banner.
    const seabios = (frame: RfbFrame) => frame.width === 720 && frame.height === 400 && isNonBlack(frame);
    let frame: RfbFrame = await session.requestFrame();
    while (!seabios(frame) && Date.now() < deadline) frame = await session.requestFrame();
    expect(`${frame.width}x${frame.height}`).toBe('720x400');
    expect(isNonBlack(frame)).toBe(true);
  }, 30_000);

  it('isNonBlack ignores the unused fourth byte', () => {
    const black = { width: 2, height: 1, pixels: Buffer.from([0, 0, 0, 255, 0, 0, 0, 255]) };
    expect(isNonBlack(black)).toBe(false);
    expect(isNonBlack({ ...black, pixels: Buffer.from([0, 0, 0, 255, 0, 1, 0, 0]) })).toBe(true);
  });
});
