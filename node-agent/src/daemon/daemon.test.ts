// The real daemon as a child process, spoken to over its unix socket.
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type EventMessage, type TaskInfo } from '../api';
import { LineSplitter } from '../rpc/wire';
import { AGENT_STOPPED } from '../tasks/task-manager';
import { agentEnv, runAgent, spawnAgent, startDaemonProcess, type AgentProcess } from './agent-process-testkit';
import { waitForHello } from './control';
import { connectAgent, type AgentConnection } from './agent-socket';
import { agentPaths, type AgentPaths } from './paths';

const T = 60_000;
let root: string;
let paths: AgentPaths;
let daemon: AgentProcess | undefined;
const connections: AgentConnection[] = [];

const open = async () => {
  const connection = await connectAgent(paths.socket, paths.node);
  connections.push(connection);
  return connection.client;
};

/** A raw socket: send a line, read the next line back. */
const rawSession = async () => {
  const socket = connect(paths.socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  const waiting: ((line: unknown) => void)[] = [];
  const splitter = new LineSplitter((line) => waiting.shift()?.(JSON.parse(line)));
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  return {
    send: (line: string) =>
      new Promise<unknown>((resolve) => {
        waiting.push(resolve);
        socket.write(`${line}\n`);
      }),
    close: () => socket.destroy(),
  };
};

const poll = async <T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 20_000): Promise<T> => {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-daemon-'));
  paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  daemon = await startDaemonProcess(paths);
}, T);

afterAll(async () => {
  for (const connection of connections) connection.close();
  if (daemon && daemon.child.exitCode === null) {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }
  await rm(root, { recursive: true, force: true });
});

describe('the agent daemon', () => {
  it('answers hello and node.status, with its socket and pid file in place', async () => {
    const client = await open();
    const hello = await client.call('hello', { protocolVersion: 1, client: 'test' });
    expect(hello).toMatchObject({ protocolVersion: 1, node: 'n1', capabilities: ['node.metrics', 'tasks', 'events'] });
    expect(hello.agentDigest).toMatch(/^[0-9a-f]{64}$/);
    const status = await client.call('node.status', {});
    expect(status.node).toBe('n1');
    expect(status.memory.total).toBeGreaterThan(0);
    expect((await stat(paths.socket)).mode & 0o777).toBe(0o660);
    expect((await stat(paths.run)).mode & 0o777).toBe(0o750);
    expect(Number(await readFile(paths.pidFile, 'utf8'))).toBe(daemon!.child.pid);
  });

  it('answers a malformed line with protocol-error and bad params with invalid-params, and keeps serving', async () => {
    const raw = await rawSession();
    expect(await raw.send('this is not json')).toMatchObject({ id: null, error: { code: 'protocol-error' } });
    expect(await raw.send('{"jsonrpc":"2.0","id":1,"method":"task.log","params":{"upid":"nope"}}')).toMatchObject({
      id: 1,
      error: { code: 'invalid-params', details: { issues: [{ path: 'upid' }] } },
    });
    expect(await raw.send('{"jsonrpc":"2.0","id":2,"method":"vm.explode","params":{}}')).toMatchObject({
      id: 2,
      error: { code: 'not-found' },
    });
    expect(
      await raw.send('{"jsonrpc":"2.0","id":3,"method":"hello","params":{"protocolVersion":1,"client":"raw"}}'),
    ).toMatchObject({
      id: 3,
      result: { node: 'n1' },
    });
    raw.close();
    const client = await open();
    expect((await client.call('hello', { protocolVersion: 1, client: 'after' })).node).toBe('n1');
  });

  it(
    'runs node.check as a task, with start, progress and end events',
    async () => {
      const client = await open();
      const updates: TaskInfo[] = [];
      const epochs = new Set<string>();
      let lastRevision = 0;
      let ended: (task: TaskInfo) => void = () => undefined;
      const end = new Promise<TaskInfo>((resolve) => (ended = resolve));
      client.onEvent((event: EventMessage) => {
        expect(event.revision).toBeGreaterThan(lastRevision);
        lastRevision = event.revision;
        epochs.add(event.epoch);
        if (event.topic !== 'task.update') return;
        const task = event.data as TaskInfo;
        updates.push(task);
        if (task.status === 'stopped') ended(task);
      });
      const { subscription } = await client.call('events.subscribe', { topics: ['task.update'] });
      const { upid } = await client.call('node.check', {});
      const final = await end;
      expect(final.upid).toBe(upid);
      expect(final.exitstatus).toMatch(/^(OK|WARNINGS: \d+)$/);
      expect(updates[0]).toMatchObject({ upid, status: 'running', type: 'nodecheck', user: 'root@pam' });
      expect(updates.some((task) => task.progress !== undefined && task.progress > 0)).toBe(true);
      expect(epochs.size).toBe(1);
      const log = await client.call('task.log', { upid });
      expect(log.lines.some((line) => line.t.startsWith('# '))).toBe(true);
      expect(log.lines.at(-1)?.t).toBe(`TASK ${final.exitstatus!}`);
      await client.call('events.unsubscribe', { subscription });
      const listed = await client.call('task.list', { limit: 5 });
      expect(listed[0]).toMatchObject({ upid, status: 'stopped' });
    },
    T,
  );

  it(
    'refuses to start a second daemon on a socket a live one serves',
    async () => {
      const second = await runAgent(paths, ['daemon']);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`another agent daemon is serving ${paths.socket}`);
      const client = await open();
      expect((await client.call('hello', { protocolVersion: 1, client: 'still' })).node).toBe('n1');
    },
    T,
  );

  it(
    'lets exactly one of two daemons started at once serve a root',
    async () => {
      const racePaths = agentPaths({ HYPERDESK_ROOT: join(root, 'race'), HYPERDESK_NODE: 'n9' });
      const racers = [spawnAgent(agentEnv(racePaths), 'daemon'), spawnAgent(agentEnv(racePaths), 'daemon')];
      try {
        const loser = await Promise.race(racers.map((racer) => racer.exited.then(() => racer)));
        expect((await loser.exited).code).toBe(1);
        expect(loser.stderr()).toMatch(/another (agent daemon is serving|process is listening on)/);
        const winner = racers.find((racer) => racer !== loser)!;
        const hello = await waitForHello(racePaths, 30_000);
        expect(hello.node).toBe('n9');
        expect(Number(await readFile(racePaths.pidFile, 'utf8'))).toBe(winner.child.pid);
      } finally {
        for (const racer of racers) racer.child.kill('SIGKILL');
        await Promise.all(racers.map((racer) => racer.exited));
      }
    },
    T,
  );

  it(
    'stops on SIGTERM: exit 0, socket and pid file removed',
    async () => {
      daemon!.child.kill('SIGTERM');
      expect((await daemon!.exited).code).toBe(0);
      await expect(stat(paths.socket)).rejects.toThrow();
      await expect(stat(paths.pidFile)).rejects.toThrow();
    },
    T,
  );

  it(
    'marks a task stopped with an error when the daemon was killed under it',
    async () => {
      // A stand-in btrfs that blocks, so node.check is surely mid-task when the daemon dies.
      const shims = join(root, 'shims');
      await mkdir(shims);
      await writeFile(join(shims, 'btrfs'), `#!/bin/sh\necho $$ > '${shims}/btrfs.pid'\nexec sleep 600\n`);
      await chmod(join(shims, 'btrfs'), 0o755);
      const victim = await startDaemonProcess(paths, { PATH: `${shims}:${process.env.PATH ?? ''}` });
      try {
        const client = await open();
        const { upid } = await client.call('node.check', {});
        await poll('the check to reach btrfs', async () => {
          const log = await client.call('task.log', { upid });
          return log.lines.some((line) => line.t === '# btrfs --version') ? true : undefined;
        });
        victim.child.kill('SIGKILL');
        expect((await victim.exited).signal).toBe('SIGKILL');

        daemon = await startDaemonProcess(paths); // also proves the stale socket is cleaned up
        const after = await open();
        const task = await after.call('task.status', { upid });
        expect(task).toMatchObject({ status: 'stopped', exitstatus: `ERROR: ${AGENT_STOPPED}` });
        const log = await after.call('task.log', { upid });
        expect(log.lines.at(-1)?.t).toBe(`TASK ERROR: ${AGENT_STOPPED}`);
        const cancel = await after.call('task.cancel', { upid }).catch((error: unknown) => error);
        expect(isAppError(cancel, 'conflict')).toBe(true);
      } finally {
        const pid = Number(await readFile(join(shims, 'btrfs.pid'), 'utf8').catch(() => ''));
        if (pid > 0) process.kill(pid, 'SIGKILL');
      }
    },
    T,
  );
});
