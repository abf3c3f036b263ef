import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runChecked } from '../exec/run';
import { EXIT_UNAVAILABLE } from '../bridge/bridge';
import { tempDirForTest } from '../fs/temp-dir';
import { parseConsoleArgs, readSerialTail, relayConsole, SERIAL_REPLAY_BYTES } from './console-relay';
import { vmRunPaths } from './run-paths';

const setup = async () => {
  const root = await tempDirForTest('hd-console-');
  const paths = { run: join(root, 'run') };
  const run = vmRunPaths(paths, 101);
  await mkdir(run.dir, { recursive: true });
  return { paths, run };
};

/** A unix socket server standing in for QEMU's chardev; hands over each accepted client. */
const listen = async (path: string): Promise<{ server: Server; client: Promise<Socket> }> => {
  const server = createServer();
  const client = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, client };
};

const collect = (stream: PassThrough) => {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks);
};

const until = async (condition: () => boolean, what: string, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('parseConsoleArgs', () => {
  it('accepts a vmid and a kind', () => {
    expect(parseConsoleArgs(['101', 'vnc'])).toEqual({ vmid: 101, kind: 'vnc' });
    expect(parseConsoleArgs(['999999999', 'serial3'])).toEqual({ vmid: 999999999, kind: 'serial3' });
  });
  it.each([
    [['101']],
    [['101', 'vnc', 'x']],
    [['99', 'vnc']],
    [['0101', 'vnc']],
    [['101;id', 'vnc']],
    [['101', 'serial4']],
    [['101', '../x']],
  ])('refuses %j', (args) => {
    expect(() => parseConsoleArgs(args)).toThrow(expect.objectContaining({ code: 'invalid-params' }));
  });
});

describe('readSerialTail', () => {
  it('gives a short log whole, a missing one as nothing', async () => {
    const { run } = await setup();
    expect((await readSerialTail(run.serialLog(0))).length).toBe(0);
    await writeFile(run.serialLog(0), 'SeaBIOS\r\npartial');
    expect((await readSerialTail(run.serialLog(0))).toString()).toBe('SeaBIOS\r\npartial');
    expect((await readSerialTail(run.serialLog(0), 10)).toString()).toBe('partial');
  });
});

describe('relayConsole', () => {
  it('says the VM is not running when its VNC socket is missing, and exits non-zero', async () => {
    const { paths } = await setup();
    const stderr = new PassThrough();
    const err = collect(stderr);
    const code = await relayConsole({
      paths,
      vmid: 101,
      kind: 'vnc',
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
    });
    expect(code).toBe(EXIT_UNAVAILABLE);
    const text = err().toString();
    expect(text).toMatch(/^error \(not-found\): VM 101 is not running .*101\.vnc.*\n$/);
    expect(text.split('\n')).toHaveLength(2);
  });

  it('treats a stale socket file (nobody listening) as not running', async () => {
    const { paths, run } = await setup();
    // What a killed QEMU leaves behind: a socket file nobody listens on (bound, then the process exited).
    await runChecked('python3', [
      '-c',
      'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
      run.serial(0),
    ]);
    const stderr = new PassThrough();
    const err = collect(stderr);
    const code = await relayConsole({
      paths,
      vmid: 101,
      kind: 'serial0',
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
    });
    expect(code).not.toBe(0);
    expect(err().toString()).toMatch(/VM 101 is not running or has no serial port 0/);
  });

  it('relays bytes both ways and ends when the VM side closes', async () => {
    const { paths, run } = await setup();
    const { client } = await listen(run.vnc);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const out = collect(stdout);
    const done = relayConsole({ paths, vmid: 101, kind: 'vnc', stdin, stdout });
    const qemu = await client;
    const received: Buffer[] = [];
    qemu.on('data', (chunk: Buffer) => received.push(chunk));
    qemu.write(Buffer.from('RFB 003.008\n'));
    stdin.write(Buffer.from([0, 1, 2, 255]));
    await until(() => Buffer.concat(received).length === 4, 'bytes at the VM side');
    expect(Buffer.concat(received)).toEqual(Buffer.from([0, 1, 2, 255]));
    await until(() => out().toString() === 'RFB 003.008\n', 'bytes at stdout');
    qemu.end();
    expect(await done).toBe(0);
  });

  it('ends the VM side when stdin ends (the app hung up)', async () => {
    const { paths, run } = await setup();
    const { client } = await listen(run.serial(1));
    const stdin = new PassThrough();
    const done = relayConsole({ paths, vmid: 101, kind: 'serial1', stdin, stdout: new PassThrough() });
    const qemu = await client;
    let ended = false;
    qemu.on('end', () => (ended = true));
    qemu.resume();
    stdin.end();
    await until(() => ended, 'the VM side to see the end');
    qemu.end();
    expect(await done).toBe(0);
  });

  it('stops when its signal is aborted', async () => {
    const { paths, run } = await setup();
    const { client } = await listen(run.vnc);
    const controller = new AbortController();
    const done = relayConsole({
      paths,
      vmid: 101,
      kind: 'vnc',
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      signal: controller.signal,
    });
    const qemu = await client;
    let closed = false;
    qemu.on('close', () => (closed = true));
    qemu.resume();
    controller.abort();
    expect(await done).toBe(1);
    await until(() => closed, 'the VM side to close');
  });

  it('replays the tail of the serial log before live output', async () => {
    const { paths, run } = await setup();
    const lines = Array.from({ length: 5000 }, (_, i) => `boot line ${i}\r\n`).join('');
    expect(lines.length).toBeGreaterThan(SERIAL_REPLAY_BYTES);
    await writeFile(run.serialLog(0), lines);
    const { client } = await listen(run.serial(0));
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const out = collect(stdout);
    const done = relayConsole({ paths, vmid: 101, kind: 'serial0', stdin, stdout });
    const qemu = await client;
    qemu.write('login: ');
    await until(() => out().toString().endsWith('login: '), 'live output after the replay');
    const text = out().toString();
    expect(text.startsWith('boot line ')).toBe(true);
    expect(text).toContain('boot line 4999\r\n');
    expect(text).not.toContain('boot line 0\r\n');
    expect(text.length - 'login: '.length).toBeLessThanOrEqual(SERIAL_REPLAY_BYTES);
    qemu.end();
    expect(await done).toBe(0);
  });

  it("relays a real QEMU's VNC display (the RFB banner arrives)", async () => {
    const { paths, run } = await setup();
    const controller = new AbortController();
    onTestFinished(() => controller.abort());
    const qemu = runChecked(
      'qemu-system-x86_64',
      [
        '-machine',
        'pc',
        '-accel',
        'tcg',
        '-nodefaults',
        '-vga',
        'std',
        '-S',
        '-display',
        'none',
        '-vnc',
        `unix:${run.vnc}`,
      ],
      { timeoutMs: 60_000, signal: controller.signal },
    ).catch(() => undefined);
    const stdout = new PassThrough();
    const out = collect(stdout);
    const stdin = new PassThrough();
    // QEMU creates the socket a moment after it starts: retry while the relay reports "not running" at once.
    const deadline = Date.now() + 10_000;
    let attempt: Promise<number> | undefined;
    while (attempt === undefined && Date.now() < deadline) {
      const next = relayConsole({ paths, vmid: 101, kind: 'vnc', stdin, stdout, stderr: new PassThrough() });
      const early = await Promise.race([next, new Promise<undefined>((resolve) => setTimeout(resolve, 100))]);
      if (early === undefined) attempt = next;
    }
    await until(() => out().length >= 12, 'the RFB banner');
    expect(out().subarray(0, 12).toString()).toBe('RFB 003.008\n');
    stdin.end();
    expect(await attempt).toBe(0);
    controller.abort();
    await qemu;
  }, 20_000);
});
