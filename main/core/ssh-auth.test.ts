// Password and keyboard-interactive logins. Multi-round keyboard-interactive runs against ssh2's own
// SSH server (OpenSSH here cannot be made to ask two rounds without editing /etc/pam.d); password and
// PAM's keyboard-interactive run against a real sshd with a throwaway local user, removed afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runChecked } from '../../node-agent/src/exec/run';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { failure, trustHostKey } from './__fixtures__/test-support';
import { KnownHosts } from './known-hosts';
import type { AuthPromptRequest } from './node-session-api';
import { openSsh, type SshOptions } from './ssh-connection';

describe('keyboard-interactive with several rounds (ssh2 server)', { timeout: 30_000 }, () => {
  let dir: string;
  let server: ssh2.Server;
  let port: number;
  let knownHosts: KnownHosts;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hd-kbd-'));
    await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
    server = new ssh2.Server({ hostKeys: [await readFile(join(dir, 'host'))] }, (client) => {
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
        ctx.prompt([{ prompt: 'Password: ', echo: false }], 'Log in', 'Round one of two', (first) => {
          if (first[0] !== 'hunter2') return ctx.reject();
          ctx.prompt(
            [
              { prompt: 'Token: ', echo: true },
              { prompt: 'PIN: ', echo: false },
            ],
            'Second factor',
            'Round two of two',
            (second) => (second[0] === '123456' && second[1] === '0000' ? ctx.accept() : ctx.reject()),
          );
        });
      });
      client.on('error', () => undefined);
    });
    port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    knownHosts = await KnownHosts.load(join(dir, 'known_hosts'));
    await trustHostKey(knownHosts, port);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const options = (prompt: SshOptions['prompt']): SshOptions => ({
    host: '127.0.0.1',
    port,
    user: 'alice',
    auth: { method: 'keyboard-interactive' },
    knownHosts,
    nodeKey: 'lab/kbd',
    prompt,
  });

  it('passes every round to the prompter as the server asked it, and logs in', async () => {
    const seen: AuthPromptRequest[] = [];
    const answers = [['hunter2'], ['123456', '0000']];
    const conn = await openSsh(
      options((request) => {
        seen.push(request);
        return Promise.resolve(answers.shift() ?? null);
      }),
    );
    conn.close();
    expect(seen).toEqual([
      {
        node: 'lab/kbd',
        name: 'Log in',
        instructions: 'Round one of two',
        prompts: [{ prompt: 'Password: ', echo: false }],
      },
      {
        node: 'lab/kbd',
        name: 'Second factor',
        instructions: 'Round two of two',
        prompts: [
          { prompt: 'Token: ', echo: true },
          { prompt: 'PIN: ', echo: false },
        ],
      },
    ]);
  });

  it('fails as auth with a wrong answer', async () => {
    const error = await failure(openSsh(options(() => Promise.resolve(['wrong']))));
    expect(error.code).toBe('access-denied');
    expect(error.message).toBe('authentication as alice@127.0.0.1 failed (methods tried: keyboard-interactive)');
  });

  it('is cancelled when the person cancels a round', async () => {
    let rounds = 0;
    const error = await failure(
      openSsh(
        options(() => {
          rounds += 1;
          return Promise.resolve(rounds === 1 ? ['hunter2'] : null);
        }),
      ),
    );
    expect(error.code).toBe('cancelled');
    expect(rounds).toBe(2);
  });

  it('fails as auth, not a hang, when nobody can answer', async () => {
    const error = await failure(openSsh(options(undefined)));
    expect(error.code).toBe('access-denied');
    expect(error.details).toMatchObject({ reason: 'auth' });
  });
});

describe('password and PAM keyboard-interactive (real sshd, throwaway user)', { timeout: 60_000 }, () => {
  const user = `hdt${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let sshd: TestSshd;
  let knownHosts: KnownHosts;

  beforeAll(async () => {
    await runChecked('useradd', [
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/bin/sh',
      '--comment',
      'hyperdesk test',
      user,
    ]);
    await runChecked('chpasswd', [], { input: `${user}:${password}\n` });
    sshd = await startTestSshd({
      usePam: true,
      config: ['PasswordAuthentication yes', 'KbdInteractiveAuthentication yes', `AllowUsers ${user}`],
    });
    knownHosts = await KnownHosts.load(join(sshd.dir, 'known_hosts'));
    await trustHostKey(knownHosts, sshd.port);
  }, 60_000);

  afterAll(async () => {
    await sshd?.dispose();
    await run('userdel', [user]);
  }, 60_000);

  const options = (overrides: Partial<SshOptions>): SshOptions => ({
    host: '127.0.0.1',
    port: sshd.port,
    user,
    auth: { method: 'password' },
    knownHosts,
    nodeKey: 'lab/pam',
    ...overrides,
  });

  it('logs in with the saved password', async () => {
    const conn = await openSsh(options({ secret: password }));
    const channel = await conn.exec('id -un');
    let out = '';
    channel.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => channel.on('close', resolve));
    expect(out).toBe(`${user}\n`);
    conn.close();
    await sshd.waitForLog(new RegExp(`Accepted (password|keyboard-interactive/pam) for ${user}`));
  });

  it('asks for the password when none is saved', async () => {
    const asked: AuthPromptRequest[] = [];
    const conn = await openSsh(options({ prompt: (request) => (asked.push(request), Promise.resolve([password])) }));
    conn.close();
    expect(asked).toHaveLength(1);
    expect(asked[0]?.prompts).toEqual([{ prompt: `Password for ${user}@127.0.0.1:`, echo: false }]);
  });

  it('refuses a wrong password as auth', async () => {
    const error = await failure(openSsh(options({ secret: 'not-it' })));
    expect(error.code).toBe('access-denied');
    expect(error.details).toMatchObject({ reason: 'auth' });
    expect(error.message).toMatch(new RegExp(`^authentication as ${user}@127.0.0.1 failed \\(methods tried: password`));
  });

  it("shows PAM's own question in keyboard-interactive and logs in with the answer", async () => {
    const asked: AuthPromptRequest[] = [];
    const conn = await openSsh(
      options({
        auth: { method: 'keyboard-interactive' },
        prompt: (request) => (asked.push(request), Promise.resolve([password])),
      }),
    );
    conn.close();
    expect(asked).toHaveLength(1);
    expect(asked[0]?.prompts).toEqual([{ prompt: 'Password: ', echo: false }]);
    await sshd.waitForLog(new RegExp(`Accepted keyboard-interactive/pam for ${user}`));
  });
});
