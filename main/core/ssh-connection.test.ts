// Against a real OpenSSH server on 127.0.0.1 (and a real ssh-agent): host key trust, key and agent auth,
// exec, PTY, SFTP, and the errors a person sees when something is wrong.
import { createServer, type Server } from 'node:net';
import { readFile, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../node-agent/src/api';
import { run, runChecked } from '../../node-agent/src/exec/run';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { failure } from './__fixtures__/test-support';
import { acceptHostKey, hostKeyAlgorithms, probeHostKey } from './host-key-probe';
import { KnownHosts } from './known-hosts';
import { openSsh, type SshConnection, type SshOptions } from './ssh-connection';

let sshd: TestSshd;
let knownHosts: KnownHosts;
const opened: SshConnection[] = [];

const fingerprintOf = async (pubPath: string) =>
  (await runChecked('ssh-keygen', ['-lf', pubPath])).stdout.split(' ')[1]!;

const options = (overrides: Partial<SshOptions> = {}): SshOptions => ({
  host: '127.0.0.1',
  port: sshd.port,
  user: 'root',
  auth: { method: 'key', keyPath: sshd.clientKeyPath },
  knownHosts,
  nodeKey: 'test/t1',
  readyTimeoutMs: 10_000,
  ...overrides,
});

const connect = async (overrides: Partial<SshOptions> = {}) => {
  const conn = await openSsh(options(overrides));
  opened.push(conn);
  return conn;
};

/** Run a command on a channel: stdout, stderr and the exit code. */
const collect = (channel: ClientChannel): Promise<{ stdout: string; stderr: string; code: number | null }> =>
  new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    channel.on('exit', (exitCode: number | null) => (code = exitCode));
    channel.on('close', () => resolve({ stdout, stderr, code }));
  });

beforeAll(async () => {
  sshd = await startTestSshd();
  knownHosts = await KnownHosts.load(join(sshd.dir, 'app_known_hosts'));
}, 30_000);

afterAll(async () => {
  for (const conn of opened) conn.close();
  await sshd?.dispose();
}, 30_000);

describe('host key trust', { timeout: 30_000 }, () => {
  it('refuses a host key that is not in known_hosts yet, naming its fingerprint', async () => {
    const error = await failure(openSsh(options()));
    const expected = await fingerprintOf(`${sshd.hostKeyPath}.pub`);
    expect(error.code).toBe('access-denied');
    expect(error.details).toMatchObject({ reason: 'host-key-unknown', fingerprint: expected, keyType: 'ssh-ed25519' });
    expect(error.message).toContain(`127.0.0.1:${sshd.port}`);
    expect(error.message).toContain(expected);
  });

  it('probes the key without logging in', async () => {
    const since = sshd.log().length;
    const info = await probeHostKey('127.0.0.1', sshd.port, knownHosts);
    expect(info).toEqual({
      host: '127.0.0.1',
      port: sshd.port,
      keyType: 'ssh-ed25519',
      fingerprint: await fingerprintOf(`${sshd.hostKeyPath}.pub`),
      match: 'new',
    });
    await sshd.waitForLog(/Disconnected from 127\.0\.0\.1 port \d+ \[preauth\]/, since);
    expect(sshd.log().slice(since)).not.toMatch(/authenticating user|Accepted|Failed/);
  });

  it('accepts only the fingerprint the person confirmed', async () => {
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const error = await failure(acceptHostKey('127.0.0.1', sshd.port, knownHosts, wrong));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/changed while you were confirming it/);
    expect(await readFile(knownHosts.path, 'utf8').catch(() => '')).toBe('');

    const fingerprint = await fingerprintOf(`${sshd.hostKeyPath}.pub`);
    const info = await acceptHostKey('127.0.0.1', sshd.port, knownHosts, fingerprint);
    expect(info.match).toBe('known');
    const pub = (await readFile(`${sshd.hostKeyPath}.pub`, 'utf8')).split(' ');
    expect(await readFile(knownHosts.path, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ssh-ed25519 ${pub[1]}\n`);
  });

  it('trusts a known_hosts file written by ssh-keyscan, plain or hashed', async () => {
    for (const hashed of [false, true]) {
      const scan = await runChecked('ssh-keyscan', [
        ...(hashed ? ['-H'] : []),
        '-t',
        'ed25519',
        '-p',
        String(sshd.port),
        '127.0.0.1',
      ]);
      const path = join(sshd.dir, hashed ? 'keyscan_hashed' : 'keyscan');
      await writeFile(path, scan.stdout);
      const scanned = await KnownHosts.load(path);
      const conn = await connect({ knownHosts: scanned });
      expect(conn.hostKey.fingerprint).toBe(await fingerprintOf(`${sshd.hostKeyPath}.pub`));
      conn.close();
    }
  });
});

describe('a trusted connection', { timeout: 30_000 }, () => {
  it('logs in with a key and runs commands, with exit codes and stderr', async () => {
    const conn = await connect();
    const result = await collect(await conn.exec('echo hello; echo oops >&2; exit 3'));
    expect(result).toEqual({ stdout: 'hello\n', stderr: 'oops\n', code: 3 });
    await sshd.waitForLog(/Accepted publickey for root/);
  });

  it('gives a command a PTY of the asked size', async () => {
    const conn = await connect();
    const channel = await conn.exec('stty size; echo $TERM', { pty: { rows: 33, cols: 101, term: 'xterm-256color' } });
    const result = await collect(channel);
    expect(result.stdout.replace(/\r/g, '')).toBe('33 101\nxterm-256color\n');
  });

  it('opens SFTP and moves files both ways', async () => {
    const conn = await connect();
    const sftp = await conn.sftp();
    const remote = join(sshd.dir, 'sftp-test.txt');
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(remote, 'through sftp\n', (error) => (error ? reject(error) : resolve())),
    );
    expect(await readFile(remote, 'utf8')).toBe('through sftp\n');
    const back = await new Promise<Buffer>((resolve, reject) =>
      sftp.readFile(remote, (error, data) => (error ? reject(error) : resolve(data))),
    );
    expect(back.toString()).toBe('through sftp\n');
    sftp.end();
  });

  it('tells close listeners nothing went wrong when we close it ourselves', async () => {
    const conn = await openSsh(options());
    const closed = new Promise<AppError | undefined>((resolve) => conn.onClose(resolve));
    conn.close();
    expect(await closed).toBeUndefined();
    expect(conn.closed).toBe(true);
    const error = await failure(conn.exec('true'));
    expect(error.code).toBe('unreachable');
  });

  it('logs in through a real ssh-agent', async () => {
    const socket = join(sshd.dir, 'agent.sock');
    const controller = new AbortController();
    const agent = run('ssh-agent', ['-D', '-a', socket], { signal: controller.signal, timeoutMs: 600_000 }).catch(
      () => undefined,
    );
    try {
      const deadline = Date.now() + 5000;
      let added = await run('ssh-add', [sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      while (added.code !== 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        added = await run('ssh-add', [sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      }
      expect(added.code).toBe(0);
      const conn = await connect({ auth: { method: 'agent', agentSocket: socket } });
      expect((await collect(await conn.exec('echo via-agent'))).stdout).toBe('via-agent\n');
      conn.close();
    } finally {
      controller.abort();
      await agent;
    }
  });
});

describe('failures a person can act on', { timeout: 30_000 }, () => {
  it('names the user, host and methods tried when the key is not authorized', async () => {
    const stranger = join(sshd.dir, 'stranger');
    await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const error = await failure(openSsh(options({ auth: { method: 'key', keyPath: stranger } })));
    expect(error.code).toBe('access-denied');
    expect(error.details).toMatchObject({ reason: 'auth' });
    expect(error.message).toBe('authentication as root@127.0.0.1 failed (methods tried: publickey)');
  });

  it('refuses an encrypted key without its passphrase or with a wrong one, and uses it with the right one', async () => {
    const locked = join(sshd.dir, 'locked');
    await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', locked]);
    await appendFile(join(sshd.dir, 'authorized_keys'), await readFile(`${locked}.pub`));
    const none = await failure(openSsh(options({ auth: { method: 'key', keyPath: locked } })));
    expect(none.code).toBe('access-denied');
    expect(none.details).toMatchObject({ reason: 'auth', needsSecret: true });
    expect(none.message).toMatch(/encrypted/);
    const wrong = await failure(
      openSsh(options({ auth: { method: 'key', keyPath: locked }, secret: 'battery staple' })),
    );
    expect(wrong.details).toMatchObject({ reason: 'auth' });
    expect(wrong.message).toMatch(/passphrase .* is wrong/);
    const conn = await connect({ auth: { method: 'key', keyPath: locked }, secret: 'correct horse' });
    expect((await collect(await conn.exec('echo unlocked'))).stdout).toBe('unlocked\n');
  });

  it('says a missing key file is missing', async () => {
    const error = await failure(openSsh(options({ auth: { method: 'key', keyPath: join(sshd.dir, 'nope') } })));
    expect(error.details).toMatchObject({ reason: 'auth' });
    expect(error.message).toContain(join(sshd.dir, 'nope'));
  });

  it('reports a closed port as unreachable, naming host:port', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise((resolve) => server.close(resolve));
    const error = await failure(openSsh(options({ port })));
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('gives up on a server that never answers with timeout', async () => {
    const silent: Server = createServer(() => undefined);
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)),
    );
    try {
      const error = await failure(openSsh(options({ port, readyTimeoutMs: 300 })));
      expect(error.code).toBe('timeout');
      expect(error.message).toContain(`127.0.0.1:${port}`);
    } finally {
      silent.close();
    }
  });

  it('can be cancelled while connecting', async () => {
    const silent: Server = createServer(() => undefined);
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)),
    );
    try {
      const controller = new AbortController();
      const attempt = openSsh(options({ port, signal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      expect((await failure(attempt)).code).toBe('cancelled');
    } finally {
      silent.close();
    }
  });
});

describe('when the node goes away or is reinstalled', { timeout: 30_000 }, () => {
  it('tells close listeners the connection was lost', async () => {
    const conn = await connect();
    const closed = new Promise<AppError | undefined>((resolve) => conn.onClose(resolve));
    await sshd.stop();
    const error = await closed;
    expect(error?.code).toBe('unreachable');
    await sshd.start();
  });

  it('refuses a changed host key loudly, and replaces it only when the person says so', async () => {
    const before = await fingerprintOf(`${sshd.hostKeyPath}.pub`);
    await sshd.stop();
    await sshd.replaceHostKey();
    await sshd.start();
    const after = await fingerprintOf(`${sshd.hostKeyPath}.pub`);
    const error = await failure(openSsh(options()));
    expect(error.code).toBe('access-denied');
    expect(error.details).toMatchObject({ reason: 'host-key-changed', fingerprint: after, keyType: 'ssh-ed25519' });
    expect(error.message).toContain('has CHANGED');
    expect(error.message).toContain(`expected ${before}`);

    expect((await probeHostKey('127.0.0.1', sshd.port, knownHosts)).match).toBe('changed');
    const refused = await failure(acceptHostKey('127.0.0.1', sshd.port, knownHosts, after));
    expect(refused.code).toBe('conflict');
    expect((await acceptHostKey('127.0.0.1', sshd.port, knownHosts, after, { replace: true })).match).toBe('known');
    const text = await readFile(knownHosts.path, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(1);
    const conn = await connect();
    expect(conn.hostKey.fingerprint).toBe(after);
  });
});

describe('a node with several host keys', { timeout: 30_000 }, () => {
  it('asks first for the key types known_hosts lists for the host, as OpenSSH does', () => {
    expect(hostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])[0]).toBe('ecdsa-sha2-nistp256');
    const rsaFirst = hostKeyAlgorithms(['ssh-rsa']);
    expect(rsaFirst.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(new Set(rsaFirst).size).toBe(rsaFirst.length);
    expect(hostKeyAlgorithms(['x-unknown@example'])[0]).toBe('ssh-ed25519');
  });

  it('connects with the trusted ECDSA key though the server would offer Ed25519 first', async () => {
    const multi = await startTestSshd({ extraHostKeys: ['ecdsa', 'rsa'] });
    try {
      const path = join(multi.dir, 'ecdsa_only');
      const scan = await runChecked('ssh-keyscan', ['-t', 'ecdsa', '-p', String(multi.port), '127.0.0.1']);
      await writeFile(path, scan.stdout);
      const trusted = await KnownHosts.load(path);
      const conn = await openSsh(
        options({ port: multi.port, knownHosts: trusted, auth: { method: 'key', keyPath: multi.clientKeyPath } }),
      );
      expect(conn.hostKey).toEqual({
        keyType: 'ecdsa-sha2-nistp256',
        fingerprint: await fingerprintOf(join(multi.dir, 'host_ecdsa.pub')),
      });
      conn.close();
      // With nothing known, the first algorithm (Ed25519) is the one presented, and it is new.
      const fresh = await KnownHosts.load(join(multi.dir, 'none'));
      expect(await probeHostKey('127.0.0.1', multi.port, fresh)).toMatchObject({
        keyType: 'ssh-ed25519',
        match: 'new',
      });
      // RSA known: the server signs with rsa-sha2-512 and the ssh-rsa entry matches.
      const rsaPath = join(multi.dir, 'rsa_only');
      await writeFile(
        rsaPath,
        (await runChecked('ssh-keyscan', ['-t', 'rsa', '-p', String(multi.port), '127.0.0.1'])).stdout,
      );
      const rsa = await openSsh(
        options({
          port: multi.port,
          knownHosts: await KnownHosts.load(rsaPath),
          auth: { method: 'key', keyPath: multi.clientKeyPath },
        }),
      );
      expect(rsa.hostKey.keyType).toBe('ssh-rsa');
      rsa.close();
    } finally {
      await multi.dispose();
    }
  });
});
