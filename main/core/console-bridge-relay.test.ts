// The whole path a console takes, all real: ws client → ConsoleBridges → OpenSSH → the agent's console relay
// (run from source with tsx, as the node would run the bundle) → a VM's socket. VNC ends at a real QEMU read with
// the test RFB client; serial ends at a unix socket server, to prove the pty passes every byte through untouched.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket } from 'ws';
import { run } from '../../node-agent/src/exec/run';
import { vmRunPaths } from '../../node-agent/src/vm/run-paths';
import { connectRfb } from '../../test/support/rfb-client';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { connectToTestSshd } from './__fixtures__/test-support';
import { consoleSubcommand } from './console-api';
import { ConsoleBridges } from './console-bridge';
import type { SshConnection } from './ssh-connection';

let sshd: TestSshd;
let ssh: SshConnection;
let root: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  sshd = await startTestSshd();
  ssh = await connectToTestSshd(sshd, 'test/console');
  root = await mkdtemp(join(tmpdir(), 'hd-cons-'));
  await mkdir(vmRunPaths({ run: join(root, 'run/hyperdesk') }, 101).dir, { recursive: true });
}, 30_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  ssh?.close();
  await sshd?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
}, 30_000);

const runPaths = () => vmRunPaths({ run: join(root, 'run/hyperdesk') }, 101);

/** Stands in for `hyperdesk-agent console …` (a constant launcher + validated words), run from source with tsx. */
const agentCommand = (vmid: number, kind: 'vnc' | 'serial0'): string => {
  const tsx = resolve('node_modules/tsx/dist/esm/index.mjs');
  const relay = resolve('node-agent/src/vm/console-relay.ts');
  const code = `const m = await import("${relay}"); process.exitCode = await m.runConsole(process.argv.slice(1), { run: "${join(root, 'run/hyperdesk')}" });`;
  const [, ...words] = consoleSubcommand(vmid, kind).split(' ');
  return `'${process.execPath}' --import '${tsx}' --input-type=module -e '${code}' ${words.join(' ')}`;
};

const until = async (condition: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const openWs = async (url: string): Promise<WebSocket> => {
  const ws = new WebSocket(url);
  await new Promise<void>((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  return ws;
};

describe('console bridge → agent relay', () => {
  it('shows a real QEMU display to an RFB client over the bridge', async () => {
    const controller = new AbortController();
    const qemu = run(
      'qemu-system-x86_64',
      [
        '-machine',
        'pc',
        '-accel',
        'tcg',
        '-nodefaults',
        '-vga',
        'std',
        '-display',
        'none',
        '-S',
        '-vnc',
        `unix:${runPaths().vnc}`,
      ],
      { timeoutMs: 120_000, signal: controller.signal },
    ).catch(() => undefined);
    cleanups.push(async () => {
      controller.abort();
      await qemu;
    });
    await until(() => existsSync(runPaths().vnc), 'the VNC socket');
    const bridges = new ConsoleBridges();
    cleanups.push(() => bridges.dispose());
    const { url } = await bridges.open({ ssh, command: agentCommand(101, 'vnc'), kind: 'vnc' });
    const session = await connectRfb(createWebSocketStream(await openWs(url)), 20_000);
    expect(`${session.width}x${session.height}`).toBe('640x480');
    const frame = await session.requestFrame();
    expect(frame.pixels.length).toBe(640 * 480 * 4);
    session.close();
  }, 60_000);

  it('passes every byte of a serial console through the pty unchanged, both ways', async () => {
    const server = createServer();
    const clients: Socket[] = [];
    server.on('connection', (socket) => clients.push(socket));
    await new Promise<void>((res) => server.listen(runPaths().serial(0), res));
    cleanups.push(() => {
      for (const c of clients) c.destroy();
      return new Promise<void>((res) => server.close(() => res()));
    });
    const bridges = new ConsoleBridges();
    cleanups.push(() => bridges.dispose());
    const { url } = await bridges.open({ ssh, command: agentCommand(101, 'serial0'), kind: 'serial0' });
    const ws = await openWs(url);
    const fromVm: Buffer[] = [];
    ws.on('message', (raw: Buffer) => fromVm.push(raw));
    await until(() => clients.length === 1, 'the relay to reach the serial socket');
    const guest = clients[0]!;
    const toVm: Buffer[] = [];
    guest.on('data', (chunk: Buffer) => toVm.push(chunk));
    // CR, LF, ^C, ^D, ^Z, DEL, ESC and high bytes: a cooked pty would echo, translate or act on these.
    const tricky = Buffer.from([13, 10, 3, 4, 26, 127, 27, 91, 65, 0, 200, 255]);
    ws.send(tricky);
    await until(() => Buffer.concat(toVm).length >= tricky.length, 'the bytes at the guest');
    expect(Buffer.concat(toVm)).toEqual(tricky);
    guest.write(tricky);
    await until(() => Buffer.concat(fromVm).length >= tricky.length, 'the bytes at the viewer');
    expect(Buffer.concat(fromVm)).toEqual(tricky);
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    guest.end();
    expect(await closed).toBe(1000);
  }, 60_000);
});
