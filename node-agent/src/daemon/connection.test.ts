import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsSampler } from '../metrics/sampler';
import { MAX_LINE_BYTES } from '../rpc/wire';
import { TaskManager } from '../tasks/task-manager';
import { serveConnection } from './connection';
import { EventsHub } from './events-hub';
import { createHandlers } from './handlers';
import { agentPaths } from './paths';

let root: string;
let server: Server;
let tasks: TaskManager;
let socketPath: string;
const logs: string[] = [];
const HELLO = '{"jsonrpc":"2.0","id":1,"method":"hello","params":{"protocolVersion":1,"client":"t"}}\n';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-conn-'));
  const paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  tasks = await TaskManager.open({ paths });
  // hello needs neither samples nor history: the sampler is never started.
  const handlers = createHandlers({
    paths,
    sampler: new MetricsSampler({ paths }),
    tasks,
    events: new EventsHub(),
    agentDigest: 'd',
  });
  socketPath = join(root, 'agent.sock');
  server = createServer({ allowHalfOpen: true }, (socket) =>
    serveConnection('test', socket, handlers, (line) => logs.push(line), 64 * 1024),
  );
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tasks.dispose(100);
  await rm(root, { recursive: true, force: true });
});

const connected = async (): Promise<Socket> => {
  const socket = connect(socketPath);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => undefined);
  return socket;
};

describe('a daemon connection', () => {
  it('drops a client that stops reading before its backlog grows without bound', async () => {
    const socket = await connected();
    socket.pause(); // never read: answers pile up in the kernel, then in the daemon
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(HELLO.repeat(20_000));
    await closed;
    expect(logs.some((line) => line.includes('dropped, the client is not reading'))).toBe(true);
  });

  it('drops a client that sends a line over the size limit', async () => {
    const socket = await connected();
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    socket.write(Buffer.alloc(MAX_LINE_BYTES + 1024, 0x61));
    await closed;
    expect(logs.some((line) => line.includes('over the size limit'))).toBe(true);
  });

  it('still answers a client that half-closed after asking, then ends', async () => {
    const socket = await connected();
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const ended = new Promise((resolve) => socket.once('end', resolve));
    socket.end(HELLO);
    await ended;
    expect(JSON.parse(text)).toMatchObject({ id: 1, result: { node: 'n1' } });
  });
});
