// A real OpenSSH server for tests: its own host key, config and authorized_keys in a temp dir, on
// 127.0.0.1 and a random high port. Started through the project's run(); stopped (with every
// per-connection child it forked) by pid, never by name.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked } from '../../../node-agent/src/exec/run';

export interface TestSshdOptions {
  /** Extra sshd_config lines (SetEnv, PasswordAuthentication …), or a function of the temp dir giving them. */
  config?: string[] | ((dir: string) => string[]);
  usePam?: boolean;
  /** Host keys to serve besides ed25519, as a node with several host keys does. */
  extraHostKeys?: ('ecdsa' | 'rsa')[];
}

export interface TestSshd {
  readonly dir: string;
  readonly port: number;
  readonly hostKeyPath: string;
  readonly clientKeyPath: string;
  /** sshd's stderr so far (sshd -e), for failure messages. */
  log(): string;
  /** Wait (with a deadline) until sshd has logged a line matching `pattern`, after offset `since` of log(). */
  waitForLog(pattern: RegExp, since?: number): Promise<void>;
  start(): Promise<void>;
  /** Stop the listener and every session it forked, as a crash or reboot of the node would. */
  stop(): Promise<void>;
  /** Generate a new host key (the node was reinstalled); takes effect on the next start. */
  replaceHostKey(): Promise<void>;
  /** stop() and remove the temp dir. */
  dispose(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** Resolves once something on the port speaks SSH (its banner), or rejects at the deadline. */
const waitForBanner = async (port: number, deadlineMs: number, alive: () => boolean): Promise<void> => {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline && alive()) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(1000);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString('latin1').startsWith('SSH-'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not come up on 127.0.0.1:${port}`);
};

/** All processes descended from pid (children first found by scanning /proc/<pid>/stat for the parent id). */
const descendants = async (pid: number): Promise<number[]> => {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parents.set(Number(name), ppid);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) if (ppid === parent) (found.push(child), queue.push(child));
  }
  return found;
};

/** Running, not merely a zombie waiting for init to reap it. */
const isAlive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

export const startTestSshd = async (options: TestSshdOptions = {}): Promise<TestSshd> => {
  const dir = await mkdtemp(join(tmpdir(), 'hd-sshd-'));
  const hostKeyPath = join(dir, 'host_ed25519');
  const clientKeyPath = join(dir, 'client_ed25519');
  await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hyperdesk-test-host', '-f', hostKeyPath]);
  await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hyperdesk-test-client', '-f', clientKeyPath]);
  const extraHostKeys = (options.extraHostKeys ?? []).map((type) => join(dir, `host_${type}`));
  for (const path of extraHostKeys)
    await runChecked('ssh-keygen', ['-q', '-t', path.slice(path.lastIndexOf('_') + 1), '-N', '', '-f', path]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKeyPath}.pub`), { mode: 0o600 });
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const configPath = join(dir, 'sshd_config');
  await writeFile(
    configPath,
    [
      // sshd keeps the first value it reads for a keyword, so the caller's lines go first.
      ...(typeof options.config === 'function' ? options.config(dir) : (options.config ?? [])),
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKeyPath}`,
      ...extraHostKeys.map((path) => `HostKey ${path}`),
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `UsePAM ${options.usePam === true ? 'yes' : 'no'}`,
      'StrictModes no',
      'PermitRootLogin yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'LogLevel VERBOSE',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );

  let stderr = '';
  let controller: AbortController | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  let running = false;

  const pidOf = async (): Promise<number | undefined> => {
    const text = await readFile(join(dir, 'sshd.pid'), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };

  const sshd: TestSshd = {
    dir,
    port,
    hostKeyPath,
    clientKeyPath,
    log: () => stderr,
    async waitForLog(pattern, since = 0) {
      const deadline = Date.now() + 5000;
      while (!pattern.test(stderr.slice(since))) {
        if (Date.now() > deadline) throw new Error(`sshd never logged ${pattern}:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async start() {
      controller = new AbortController();
      running = true;
      exited = run('/usr/sbin/sshd', ['-D', '-e', '-f', configPath], {
        timeoutMs: 3_600_000,
        signal: controller.signal,
        onOutput: (chunk) => (stderr += chunk),
      })
        .catch(() => undefined)
        .finally(() => (running = false));
      try {
        await waitForBanner(port, 10_000, () => running);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${stderr}`);
      }
    },
    async stop() {
      const pid = await pidOf();
      if (pid !== undefined && isAlive(pid)) {
        // Freeze the listener so it forks no new session while its sessions are collected and killed
        // (a client reconnecting at once would otherwise slip in); then kill it too.
        process.kill(pid, 'SIGSTOP');
        const children = await descendants(pid);
        for (const child of children) {
          try {
            process.kill(child, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        process.kill(pid, 'SIGKILL');
        const deadline = Date.now() + 5000;
        while (children.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      controller?.abort();
      await exited;
      await rm(join(dir, 'sshd.pid'), { force: true });
    },
    async replaceHostKey() {
      await rm(hostKeyPath, { force: true });
      await rm(`${hostKeyPath}.pub`, { force: true });
      await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hyperdesk-test-host-2', '-f', hostKeyPath]);
    },
    async dispose() {
      await sshd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await sshd.start();
  return sshd;
};
