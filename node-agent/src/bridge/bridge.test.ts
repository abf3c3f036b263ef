// The bridge as the app runs it (a child process speaking JSON-RPC on stdio) against a real daemon.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentEnv, runAgent, spawnAgent } from '../daemon/agent-process-testkit';
import { startDaemon, type RunningDaemon } from '../daemon/daemon';
import { agentPaths, type AgentPaths } from '../daemon/paths';
import { LineSplitter } from '../rpc/wire';
import { EXIT_UNAVAILABLE, runBridge } from './bridge';

const T = 60_000;
let root: string;
let paths: AgentPaths;
let daemon: RunningDaemon;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-bridge-'));
  paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  daemon = await startDaemon(paths, { log: () => undefined });
}, T);
afterAll(async () => {
  await daemon.close();
  await rm(root, { recursive: true, force: true });
});

/** A bridge child; answers come back as parsed lines. */
const bridgeProcess = (env: NodeJS.ProcessEnv) => {
  const bridge = spawnAgent(env, 'bridge');
  const answers: unknown[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const splitter = new LineSplitter((line) => {
    answers.push(JSON.parse(line));
    for (const waiter of waiters) if (answers.length >= waiter.count) waiter.resolve();
  });
  bridge.child.stdout!.on('data', (chunk: Buffer) => splitter.push(chunk));
  return {
    ...bridge,
    answers,
    send: (message: unknown) => bridge.child.stdin!.write(`${JSON.stringify(message)}\n`),
    until: (count: number) =>
      new Promise<void>((resolve) => (answers.length >= count ? resolve() : waiters.push({ count, resolve }))),
  };
};

describe('hyperdesk-agent bridge', () => {
  it(
    'relays requests, answers and events between stdio and the daemon',
    async () => {
      const bridge = bridgeProcess(agentEnv(paths));
      bridge.send({ jsonrpc: '2.0', id: 1, method: 'hello', params: { protocolVersion: 1, client: 'bridge-test' } });
      bridge.send({ jsonrpc: '2.0', id: 'two', method: 'task.status', params: { upid: 'bad' } });
      bridge.send({ jsonrpc: '2.0', id: 3, method: 'events.subscribe', params: { topics: ['task.update'] } });
      await bridge.until(3);
      // JSON-RPC answers may come in any order: the invalid request is refused before hello's handler runs.
      const byId = new Map(bridge.answers.map((answer) => [(answer as { id: unknown }).id, answer]));
      expect(byId.get(1)).toMatchObject({ jsonrpc: '2.0', result: { node: 'n1' } });
      expect(byId.get('two')).toMatchObject({ error: { code: 'invalid-params' } });
      expect(typeof (byId.get(3) as { result?: { subscription?: unknown } }).result?.subscription).toBe('string');

      // An event reaches the app through the bridge as a notification.
      const upid = daemon.tasks.spawn({ type: 'test', id: '', user: 'root@pam' }, () => Promise.resolve());
      await bridge.until(4);
      expect(bridge.answers[3]).toMatchObject({ method: 'event', params: { topic: 'task.update', data: { upid } } });

      bridge.child.stdin!.end();
      expect((await bridge.exited).code).toBe(0);
    },
    T,
  );

  it(
    'answers what was asked before stdin closed, then exits (echo … | hyperdesk-agent bridge)',
    async () => {
      const result = await runAgent(paths, ['bridge'], {
        input: '{"jsonrpc":"2.0","id":9,"method":"hello","params":{"protocolVersion":1,"client":"pipe"}}\n',
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ id: 9, result: { node: 'n1' } });
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
    },
    T,
  );

  it(
    'without a daemon answers the first request with unreachable and exits 69',
    async () => {
      const elsewhere = agentPaths({ HYPERDESK_ROOT: join(root, 'nowhere'), HYPERDESK_NODE: 'n2' });
      const result = await runAgent(elsewhere, ['bridge'], {
        input: '{"jsonrpc":"2.0","id":42,"method":"hello","params":{}}\n',
      });
      expect(result.code).toBe(EXIT_UNAVAILABLE);
      expect(JSON.parse(result.stdout)).toEqual({
        jsonrpc: '2.0',
        id: 42,
        error: {
          code: 'unreachable',
          message: `the Hyperdesk agent daemon is not running on node n2 (${elsewhere.socket})`,
          details: { errno: 'ENOENT' },
        },
      });
    },
    T,
  );

  it('without a daemon answers even a first line that is not JSON, with id null', async () => {
    const elsewhere = agentPaths({ HYPERDESK_ROOT: join(root, 'nowhere'), HYPERDESK_NODE: 'n2' });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let text = '';
    stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const code = runBridge(elsewhere, { stdin, stdout });
    stdin.write('garbage');
    stdin.end();
    expect(await code).toBe(EXIT_UNAVAILABLE);
    expect(JSON.parse(text)).toMatchObject({ id: null, error: { code: 'unreachable' } });
  });

  it(
    'exits when the daemon goes away',
    async () => {
      const bridge = bridgeProcess(agentEnv(paths));
      bridge.send({ jsonrpc: '2.0', id: 1, method: 'hello', params: { protocolVersion: 1, client: 'bridge-test' } });
      await bridge.until(1);
      await daemon.close();
      expect((await bridge.exited).code).toBe(0);
    },
    T,
  );
});
