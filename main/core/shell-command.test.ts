// A node shell through the console bridge, against a real OpenSSH server on 127.0.0.1 (logged in as root) and a
// real `ws` client: a login shell in a pty that runs what is typed, follows resizes, and ends with `exit`.
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { connectToTestSshd } from './__fixtures__/test-support';
import { ConsoleBridges } from './console-bridge';
import { shellMethods } from './shell-api';
import { NODE_SHELL_COMMAND, openNodeShell } from './shell-command';
import type { SshConnection } from './ssh-connection';

let sshd: TestSshd;
let ssh: SshConnection;

beforeAll(async () => {
  sshd = await startTestSshd();
  ssh = await connectToTestSshd(sshd, 'test/shell');
}, 30_000);

afterAll(async () => {
  ssh?.close();
  await sshd?.dispose();
}, 30_000);

const until = async (condition: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const terminal = async (url: string) => {
  const ws = new WebSocket(url);
  let text = '';
  ws.on(
    'message',
    (raw: RawData) => (text += (Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer)).toString('utf8')),
  );
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  /** Type a line; the typed text is echoed, so callers wait for what only the command's output contains. */
  const type = (line: string) => ws.send(Buffer.from(`${line}\r`));
  return { ws, text: () => text, type, closed };
};

describe('node shell', () => {
  it('runs the login shell of the SSH user in a pty and shows what commands print', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { url } = await openNodeShell(bridges, ssh);
      const t = await terminal(url);
      t.type('echo "ok-$((40 + 2))"; hostname; id -u; tty');
      await until(() => t.text().includes('ok-42'), 'the echo');
      await until(() => /\/dev\/pts\/\d+/.test(t.text()), 'the tty');
      const after = t.text().slice(t.text().indexOf('ok-42'));
      expect(after).toContain(hostname());
      expect(after).toMatch(/\r\n0\r\n/);
      // root's shell here is bash, which says whether it is a login shell (it read the profile).
      t.type('shopt -q login_shell && echo "login-$((6 * 7))"');
      await until(() => t.text().includes('login-42'), 'a login shell');
      t.type('exit');
      expect(await t.closed).toBe(1000);
      expect(bridges.openIds()).toEqual([]);
    } finally {
      bridges.dispose();
    }
  }, 30_000);

  it('starts with the size asked for and follows a resize (stty size)', async () => {
    const bridges = new ConsoleBridges();
    try {
      const { url, consoleId } = await openNodeShell(bridges, ssh, { cols: 100, rows: 30 });
      const t = await terminal(url);
      t.type('stty size | sed "s/^/size:/"');
      await until(() => t.text().includes('size:30 100'), 'the first size');
      bridges.resize(consoleId, 132, 43);
      t.type('stty size | sed "s/^/size:/"');
      await until(() => t.text().includes('size:43 132'), 'the new size');
      expect(t.text().indexOf('size:30 100')).toBeLessThan(t.text().indexOf('size:43 132'));
    } finally {
      bridges.dispose();
    }
  }, 30_000);

  it('takes the node only as a node key and sizes only as whole numbers', () => {
    const params = shellMethods['shell.open'].params;
    expect(params.safeParse({ node: 'lab/n1', cols: 80, rows: 24 }).success).toBe(true);
    expect(params.safeParse({ node: 'lab/n1' }).success).toBe(true);
    expect(params.safeParse({ node: 'lab/n1; reboot' }).success).toBe(false);
    expect(params.safeParse({ node: 'lab/n1', cols: 80.5 }).success).toBe(false);
    expect(params.safeParse({ node: 'lab/n1', command: 'reboot' }).success).toBe(false);
    // The command is the constant, with no place for input.
    expect(NODE_SHELL_COMMAND).toBe('exec "$SHELL" -l');
  });
});
