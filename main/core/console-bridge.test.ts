// Against a real OpenSSH server on 127.0.0.1 and a real `ws` client: the token, one-shot use, bytes both ways,
// the pty size, the connect timeout, and closing from either side.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { connectToTestSshd } from './__fixtures__/test-support';
import { ConsoleBridges, parseFlowControl } from './console-bridge';
import { consoleSubcommand } from './console-api';
import type { SshConnection } from './ssh-connection';

let sshd: TestSshd;
let ssh: SshConnection;

beforeAll(async () => {
  sshd = await startTestSshd();
  ssh = await connectToTestSshd(sshd, 'test/console');
}, 30_000);

afterAll(async () => {
  ssh?.close();
  await sshd?.dispose();
}, 30_000);

const until = async (condition: () => boolean, what: string, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

interface Viewer {
  ws: WebSocket;
  received: () => Buffer;
  closed: Promise<{ code: number; reason: string }>;
}

const viewer = async (url: string): Promise<Viewer> => {
  const ws = new WebSocket(url);
  const chunks: Buffer[] = [];
  ws.on('message', (raw: RawData) => chunks.push(Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, received: () => Buffer.concat(chunks), closed };
};

/** The HTTP status an upgrade attempt is refused with (0 when it was accepted). */
const refusedWith = (url: string): Promise<number> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(0);
      ws.terminate();
    });
    ws.once('error', () => resolve(-1));
  });

describe('ConsoleBridges', () => {
  it('listens on 127.0.0.1 at /console/<64 hex digits> and relays bytes both ways', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { url, consoleId } = await bridges.open({ ssh, command: 'cat', kind: 'vnc' });
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/console\/[0-9a-f]{64}$/);
      expect(bridges.openIds()).toEqual([consoleId]);
      const v = await viewer(url);
      const bytes = Buffer.from([0, 1, 2, 3, 254, 255, 13, 10]);
      v.ws.send(bytes);
      await until(() => v.received().length >= bytes.length, 'the echo');
      expect(v.received()).toEqual(bytes);
    } finally {
      bridges.dispose();
    }
  });

  it('refuses a wrong token and a second connection with the right one', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { url } = await bridges.open({ ssh, command: 'cat', kind: 'vnc' });
      const wrong = url.replace(/[0-9a-f]$/, (d) => (d === '0' ? '1' : '0'));
      expect(await refusedWith(wrong)).toBe(403);
      expect(await refusedWith(url.replace(/\/console\/.*/, '/console/'))).toBe(403);
      const first = await viewer(url);
      // The listener is gone once the viewer is in: a second try cannot even connect.
      expect(await refusedWith(url)).not.toBe(0);
      first.ws.send(Buffer.from('still here'));
      await until(() => first.received().toString() === 'still here', 'the first viewer to keep working');
    } finally {
      bridges.dispose();
    }
  });

  it('gives a serial console a pty and resizes it', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { url, consoleId } = await bridges.open({
        ssh,
        command: 'stty size; read line; stty size',
        kind: 'serial0',
        cols: 100,
        rows: 30,
      });
      const v = await viewer(url);
      await until(() => v.received().toString().includes('30 100'), 'the first size');
      bridges.resize(consoleId, 132, 43);
      // The pty's size changes on the node before the line that asks for it again.
      await new Promise<void>((resolve) => v.ws.send(Buffer.from('\r'), () => resolve()));
      await until(() => v.received().toString().includes('43 132'), 'the new size');
      const { code } = await v.closed;
      expect(code).toBe(1000);
    } finally {
      bridges.dispose();
    }
  });

  it('starts the pty with a size asked for before the viewer connected', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { url, consoleId } = await bridges.open({ ssh, command: 'stty size', kind: 'serial1' });
      bridges.resize(consoleId, 90, 20);
      const v = await viewer(url);
      await v.closed;
      expect(v.received().toString().trim()).toBe('20 90');
    } finally {
      bridges.dispose();
    }
  });

  it('refuses impossible sizes and unknown consoles', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { consoleId } = await bridges.open({ ssh, command: 'cat', kind: 'serial0' });
      expect(() => bridges.resize(consoleId, 0, 24)).toThrow(expect.objectContaining({ code: 'invalid-params' }));
      expect(() => bridges.resize('nope', 80, 24)).toThrow(expect.objectContaining({ code: 'not-found' }));
    } finally {
      bridges.dispose();
    }
  });

  it('gives up when no viewer connects in time', async () => {
    const closed: string[] = [];
    const bridges = new ConsoleBridges({ connectTimeoutMs: 200, onClosed: (id) => closed.push(id) });
    const { url, consoleId } = await bridges.open({ ssh, command: 'cat', kind: 'vnc' });
    await until(() => closed.includes(consoleId), 'the timeout');
    expect(bridges.openIds()).toEqual([]);
    expect(await refusedWith(url)).not.toBe(0);
    bridges.dispose();
  });

  it('closes the WebSocket with the node side’s last words when the command fails', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { url } = await bridges.open({
        ssh,
        command: 'echo "error (not-found): VM 101 is not running" >&2; exit 69',
        kind: 'vnc',
      });
      const v = await viewer(url);
      expect(await v.closed).toEqual({ code: 4000, reason: 'error (not-found): VM 101 is not running' });
      expect(bridges.openIds()).toEqual([]);
    } finally {
      bridges.dispose();
    }
  });

  it('ends the command on the node when the viewer goes away', async () => {
    const closed: string[] = [];
    const bridges = new ConsoleBridges({ onClosed: (id) => closed.push(id) });
    const ended = join(sshd.dir, `ended-${Date.now()}`);
    try {
      // The node side writes a file once its stdin ends: proof the relay there was told, not left running.
      const { url, consoleId } = await bridges.open({ ssh, command: `cat; echo ended > ${ended}`, kind: 'vnc' });
      const v = await viewer(url);
      v.ws.send(Buffer.from('x'));
      await until(() => v.received().toString() === 'x', 'the echo');
      v.ws.close();
      await until(() => closed.includes(consoleId), 'the console to close');
      await until(() => existsSync(ended), 'the command on the node to end');
      expect(bridges.openIds()).toEqual([]);
    } finally {
      bridges.dispose();
    }
  });

  // terminal feature: flow control from the viewer ({"pause":true|false} text frames) pauses the SSH channel.
  it('stops reading from the node while the viewer asks for a pause, and delivers everything after resume', async () => {
    const total = 50_000_000;
    const bridges = new ConsoleBridges();
    try {
      const { url } = await bridges.open({ ssh, command: `yes | head -c ${total}`, kind: 'vnc' });
      const ws = new WebSocket(url);
      let received = 0;
      let receivedAtPause = -1;
      ws.on('message', (raw: RawData, isBinary) => {
        expect(isBinary).toBe(true);
        received += Buffer.isBuffer(raw) ? raw.length : Buffer.from(raw as ArrayBuffer).length;
        if (receivedAtPause < 0 && received >= 1024 * 1024) {
          receivedAtPause = received;
          ws.send(JSON.stringify({ pause: true }));
        }
      });
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await until(() => receivedAtPause > 0, 'the first megabyte');
      // What was under way when the pause arrived still comes (the WebSocket's queue, the SSH window); then nothing.
      let last = -1;
      let stableSince = Date.now();
      await until(
        () => {
          if (received !== last) [last, stableSince] = [received, Date.now()];
          return Date.now() - stableSince >= 500;
        },
        'the stream to stand still',
        15_000,
      );
      const whilePaused = received - receivedAtPause;
      expect(whilePaused).toBeLessThan(8 * 1024 * 1024);
      expect(received).toBeLessThan(total);
      // Text frames are never data: a stray one neither reaches the node nor resumes the stream.
      ws.send('not flow control');
      ws.send(JSON.stringify({ pause: 'no' }));
      ws.send(JSON.stringify({ pause: false }));
      await until(() => received === total, 'the rest after resume', 60_000);
      expect(await closed).toBe(1000);
      expect(received).toBe(total);
    } finally {
      bridges.dispose();
    }
  }, 90_000);

  it('reads flow-control messages strictly', () => {
    expect(parseFlowControl('{"pause":true}')).toEqual({ pause: true });
    expect(parseFlowControl('{"pause":false}')).toEqual({ pause: false });
    for (const text of ['', 'pause', '{"pause":1}', 'null', '[true]', '{"resume":true}', '{"pause":'])
      expect(parseFlowControl(text)).toBeUndefined();
  });

  it('builds the agent subcommand from a vmid and kind only', () => {
    expect(consoleSubcommand(101, 'serial0')).toBe('console 101 serial0');
    expect(() => consoleSubcommand(99, 'vnc')).toThrow(expect.objectContaining({ code: 'invalid-params' }));
    expect(() => consoleSubcommand(101.5, 'vnc')).toThrow(expect.objectContaining({ code: 'invalid-params' }));
    expect(() => consoleSubcommand(101, 'vnc; rm -rf /' as never)).toThrow(
      expect.objectContaining({ code: 'invalid-params' }),
    );
  });
});
