// NodeSession end to end: a real sshd (its sessions get HYPERDESK_ROOT and HYPERDESK_NODE, like a lab
// node), the real agent bundle built by build/build.mjs, deployed on first contact; then losing and
// regaining the node, refusing unknown host keys and bad logins without retrying.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../node-agent/src/api';
import { runChecked } from '../../node-agent/src/exec/run';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { waitForState } from './__fixtures__/session-state';
import { trustHostKey } from './__fixtures__/test-support';
import { loadAgentBundle, type AgentBundle } from './agent-bundle';
import { Backoff } from './backoff';
import type { SavedNode } from './config-schema';
import type { SecretStore } from './core-api';
import { KnownHosts } from './known-hosts';
import { NodeSession, type NodeSessionOptions } from './node-session';

const repo = join(import.meta.dirname, '../..');
let sshd: TestSshd;
let bundle: AgentBundle;
let knownHosts: KnownHosts;
let root: string;
const sessions: NodeSession[] = [];

const noSecrets: SecretStore = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

const makeSession = (overrides: Partial<NodeSessionOptions> = {}) => {
  const node: SavedNode = {
    name: 't1',
    host: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    auth: { method: 'key', keyPath: sshd.clientKeyPath },
  };
  const lines: string[] = [];
  const backoff = new Backoff({ initialMs: 200, maxMs: 1000 });
  const session = new NodeSession({
    key: 'lab/t1',
    node,
    knownHosts,
    secrets: noSecrets,
    prompt: () => Promise.resolve(null),
    bundle,
    backoff,
    log: (line) => lines.push(line),
    keepaliveIntervalMs: 1000,
    ...overrides,
  });
  sessions.push(session);
  return { session, lines, backoff };
};

/** The daemon install started runs detached; stop it by its pid file. */
const stopDaemon = async () => {
  const pid = Number((await readFile(join(root, 'run/hyperdesk/agent.pid'), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) return void process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

beforeAll(async () => {
  await runChecked('node', ['build/build.mjs', 'agent'], { cwd: repo, timeoutMs: 120_000 });
  bundle = await loadAgentBundle(join(repo, 'dist/agent/hyperdesk-agent.js'));
  sshd = await startTestSshd({ config: (dir) => [`SetEnv HYPERDESK_ROOT=${join(dir, 'root')} HYPERDESK_NODE=t1`] });
  root = join(sshd.dir, 'root');
  knownHosts = await KnownHosts.load(join(sshd.dir, 'known_hosts'));
  await trustHostKey(knownHosts, sshd.port);
}, 180_000);

afterAll(async () => {
  await Promise.all(sessions.map((session) => session.dispose()));
  await stopDaemon();
  await sshd?.dispose();
}, 60_000);

describe('NodeSession with a real sshd and the real agent', { timeout: 120_000 }, () => {
  it('deploys the agent to a fresh node and comes online', async () => {
    const { session, lines } = makeSession();
    const states: string[] = [];
    session.on('state', (state) => states.push(state));
    const hellos: string[] = [];
    session.on('hello', (hello) => hellos.push(hello.node));
    session.start();
    await waitForState(session, 'online');
    expect(states).toEqual(['connecting', 'online']);
    expect(lines.join('\n')).toMatch(/deploying the agent: the agent is not installed \(the launcher exited 127\)/);
    expect(session.hello).toMatchObject({ node: 't1', agentDigest: bundle.digest, protocolVersion: 1 });
    expect(hellos).toEqual(['t1']);
    const status = await session.call('node.status', {});
    expect(status.node).toBe('t1');
    expect(status.agentVersion).toBe(bundle.version);
    await session.dispose();
  });

  it('forwards the events it subscribed to', async () => {
    const { session } = makeSession({ topics: ['node.status'] });
    const event = new Promise<EventMessage>((resolve) => session.on('event', resolve));
    session.start();
    await waitForState(session, 'online');
    // The daemon samples every 10 s on the wall clock.
    const first = await Promise.race([
      event,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event in 25 s')), 25_000)),
    ]);
    expect(first.topic).toBe('node.status');
    expect((first.data as { node: string }).node).toBe('t1');
    await session.dispose();
  });

  it('goes offline when the node goes away and comes back by itself, without deploying again', async () => {
    const { session, lines } = makeSession();
    session.start();
    await waitForState(session, 'online');
    const offline = waitForState(session, 'offline', 30_000);
    await sshd.stop();
    const error = await offline;
    expect(error?.code).toBe('unreachable');
    await expect(session.call('node.status', {})).rejects.toMatchObject({
      code: 'unreachable',
      message: 'node lab/t1 is offline',
    });
    await sshd.start();
    await waitForState(session, 'online');
    expect((await session.call('node.status', {})).node).toBe('t1');
    expect(lines.join('\n')).not.toMatch(/deploying/);
    await session.dispose();
  });

  it('installs and starts the agent again when its daemon is not running', async () => {
    await stopDaemon();
    const { session, lines } = makeSession();
    session.start();
    await waitForState(session, 'online');
    expect(lines.join('\n')).toMatch(/deploying the agent: the agent daemon is not running/);
    expect((await session.call('node.status', {})).node).toBe('t1');
    await session.dispose();
  });

  it('leaves a newer agent alone', async () => {
    const older: AgentBundle = { ...bundle, version: '0.0.1', digest: 'f'.repeat(64) };
    const { session, lines } = makeSession({ bundle: older });
    session.start();
    await waitForState(session, 'online');
    expect(session.hello?.agentDigest).toBe(bundle.digest);
    expect(lines.join('\n')).not.toMatch(/deploying/);
    await session.dispose();
  });

  it('replaces an agent of the same version built differently', async () => {
    const bytes = Buffer.concat([bundle.bytes, Buffer.from('\n// another build\n')]);
    const variant: AgentBundle = { ...bundle, bytes, digest: createHash('sha256').update(bytes).digest('hex') };
    const { session, lines } = makeSession({ bundle: variant });
    session.start();
    await waitForState(session, 'online');
    expect(lines.join('\n')).toMatch(/deploying the agent: the node runs agent/);
    expect(session.hello?.agentDigest).toBe(variant.digest);
    await session.dispose();
  });

  it('stops at an unknown host key, without retrying, until reconnect() after it is accepted', async () => {
    const fresh = await KnownHosts.load(join(sshd.dir, 'known_hosts_fresh'));
    const { session, backoff } = makeSession({ knownHosts: fresh });
    session.start();
    const error = await waitForState(session, 'host-key-changed');
    expect(error?.details).toMatchObject({ reason: 'host-key-unknown' });
    expect(backoff.pending).toBe(false);
    await trustHostKey(fresh, sshd.port);
    session.reconnect();
    await waitForState(session, 'online');
    await session.dispose();
  });

  it('stops at a refused login, without retrying', async () => {
    const stranger = join(sshd.dir, 'stranger');
    await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const { session, backoff } = makeSession({
      node: {
        name: 't1',
        host: '127.0.0.1',
        port: sshd.port,
        user: 'root',
        auth: { method: 'key', keyPath: stranger },
      },
    });
    session.start();
    const error = await waitForState(session, 'auth-failed');
    expect(error?.code).toBe('access-denied');
    expect(backoff.pending).toBe(false);
    await session.dispose();
  });

  it('keeps retrying an unreachable node on backoff, and dispose stops it', async () => {
    const { session, backoff } = makeSession({
      node: {
        name: 't1',
        host: '127.0.0.1',
        port: 1,
        user: 'root',
        auth: { method: 'key', keyPath: sshd.clientKeyPath },
      },
    });
    session.start();
    const error = await waitForState(session, 'offline');
    expect(error?.code).toBe('unreachable');
    expect(backoff.pending).toBe(true);
    await session.dispose();
    expect(backoff.pending).toBe(false);
    await expect(session.call('node.status', {})).rejects.toMatchObject({ code: 'unreachable' });
  });

  it('can be disposed while connecting: the attempt ends, no state follows, no retry is left', async () => {
    const silent = createServer(() => undefined);
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)),
    );
    try {
      const { session, backoff } = makeSession({
        node: {
          name: 't1',
          host: '127.0.0.1',
          port,
          user: 'root',
          auth: { method: 'key', keyPath: sshd.clientKeyPath },
        },
      });
      const states: string[] = [];
      session.on('state', (state) => states.push(state));
      session.start();
      expect(session.state).toBe('connecting');
      const started = Date.now();
      await session.dispose();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(states).toEqual(['connecting']);
      expect(backoff.pending).toBe(false);
    } finally {
      silent.close();
    }
  });
});
