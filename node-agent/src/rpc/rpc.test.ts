// The JSON-RPC session and client speaking to each other over real stream pairs.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../api';
import { connectStreams } from './client';
import { RpcSession, type Handlers } from './server';
import { LineSplitter, MAX_LINE_BYTES } from './wire';

const status = {
  node: 'n1', hostname: 'n1', kernel: '6.1', cpuModel: 'x', cpus: 2, cpu: 0.5, loadavg: [0, 0, 0] as [number, number, number],
  uptime: 1, memory: { total: 2, used: 1, free: 1 }, swap: { total: 0, used: 0 }, rootfs: { total: 2, used: 1, avail: 1 }, agentVersion: '0', time: 0,
};

const handlers = (overrides: Partial<Handlers> = {}) =>
  ({
    hello: () => ({ protocolVersion: 1, agentVersion: '0.1.0', agentDigest: 'd', node: 'n1', capabilities: [] }),
    'node.status': () => status,
    'node.metrics': (params) => ({ step: params.timeframe === 'hour' ? 10 : 300, points: [] }),
    'node.check': () => ({ upid: 'UPID:n1:00000001:00000001:00000001:nodecheck::root@pam:' }),
    'task.list': () => [],
    'task.status': ({ upid }) => { throw new AppError('not-found', `task ${upid} does not exist`); },
    'task.log': () => ({ total: 0, lines: [] }),
    'task.cancel': (_params, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({}))),
    'events.subscribe': (_params, { session }) => {
      session.notify('event', { subscription: 's1', topic: 'node.status', revision: 1, epoch: 'e', data: status });
      return { subscription: 's1' };
    },
    'events.unsubscribe': () => ({}),
    ...overrides,
  }) as Omit<Handlers, 'rpc.cancel'>;

const pair = (h = handlers()) => {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const session = new RpcSession(h, (line) => toClient.write(line));
  const splitter = new LineSplitter((line) => void session.receive(line));
  toServer.on('data', (chunk: Buffer) => splitter.push(chunk));
  const client = connectStreams(toClient, toServer, 2000);
  return { client, session, toServer, toClient };
};

describe('JSON-RPC over streams', () => {
  it('calls a method and gets its typed result with defaults filled', async () => {
    const { client } = pair();
    expect((await client.call('node.metrics', {})).step).toBe(10);
    expect((await client.call('node.metrics', { timeframe: 'week' })).step).toBe(300);
  });

  it('answers bad params with invalid-params naming the method and field, and keeps serving', async () => {
    const { client } = pair();
    const error = await client.call('node.metrics', { timeframe: 'year' as never }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('node.metrics') as unknown });
    expect((error as AppError).details?.issues).toEqual([expect.objectContaining({ path: 'timeframe' })]);
    expect((await client.call('node.status', {})).node).toBe('n1');
  });

  it('answers garbage with protocol-error and keeps serving', async () => {
    const { client, toServer, toClient } = pair();
    const lines: string[] = [];
    toClient.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    toServer.write('this is not json\n{"jsonrpc":"2.0","id":7}\n');
    await expect(client.call('node.status', {})).resolves.toMatchObject({ node: 'n1' });
    expect(lines.join('')).toContain('"code":"protocol-error"');
  });

  it('turns handler errors into typed errors', async () => {
    const { client } = pair();
    await expect(client.call('task.status', { upid: 'UPID:n1:00000001:00000001:00000001:x::root@pam:' })).rejects.toMatchObject({ code: 'not-found' });
    const crashing = pair(handlers({ 'task.list': () => { throw new TypeError('oops'); } }));
    await expect(crashing.client.call('task.list', {})).rejects.toMatchObject({ code: 'internal-error', message: 'oops' });
  });

  it('unknown methods are not-found', async () => {
    const { client } = pair();
    await expect(client.call('no.such' as 'hello', {} as never)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('cancels an in-flight request through rpc.cancel: the handler sees its signal abort', async () => {
    const { client } = pair();
    const controller = new AbortController();
    const call = client.call('task.cancel', { upid: 'UPID:n1:00000001:00000001:00000001:x::root@pam:' }, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('times out with a typed error', async () => {
    const { client } = pair(handlers({ 'task.list': () => new Promise(() => undefined) }));
    await expect(client.call('task.list', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('delivers events to listeners', async () => {
    const { client } = pair();
    const seen = new Promise((resolve) => client.onEvent(resolve));
    await client.call('events.subscribe', { topics: ['node.status'] });
    await expect(seen).resolves.toMatchObject({ topic: 'node.status', revision: 1 });
  });

  it('fails pending calls when the stream closes', async () => {
    const { client, toClient } = pair(handlers({ 'task.list': () => new Promise(() => undefined) }));
    const call = client.call('task.list', {});
    toClient.end();
    await expect(call).rejects.toMatchObject({ code: 'unreachable' });
    await expect(client.call('node.status', {})).rejects.toMatchObject({ code: 'unreachable' });
  });
});

describe('LineSplitter', () => {
  it('joins lines split across chunks and refuses endless lines', () => {
    const lines: string[] = [];
    let overflowed = false;
    const splitter = new LineSplitter((l) => lines.push(l), () => (overflowed = true));
    splitter.push(Buffer.from('{"a":'));
    splitter.push(Buffer.from('1}\n{"b":2}\n{"c"'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    splitter.push(Buffer.alloc(MAX_LINE_BYTES + 1, 0x61));
    expect(overflowed).toBe(true);
  });
});
