// Storage usage through the daemon (in-process, temp root, fast sampler): storage.status events with every sample,
// storage.metrics answering from the per-storage history, and the history file going with the storage.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, StorageStatusEvent, type EventMessage } from '../api';
import { storageHistoryFile } from '../metrics/history-file';
import { connectAgent, type AgentConnection } from './agent-socket';
import { startDaemon, type RunningDaemon } from './daemon';
import { agentPaths, type AgentPaths } from './paths';

let root: string;
let paths: AgentPaths;
let daemon: RunningDaemon;
let connection: AgentConnection;

const pollUntil = async (what: string, check: () => Promise<boolean>, deadlineMs = 10_000) => {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const present = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-daemon-storage-metrics-'));
  paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  daemon = await startDaemon(paths, { samplerIntervalMs: 100, log: () => undefined });
  connection = await connectAgent(paths.socket, paths.node);
}, 30_000);

afterAll(async () => {
  connection?.close();
  await daemon?.close();
  await rm(root, { recursive: true, force: true });
});

describe('storage usage in the daemon', () => {
  it('publishes storage.status with each sample and answers storage.metrics from the history', async () => {
    const { client } = connection;
    const events: StorageStatusEvent[] = [];
    client.onEvent((event: EventMessage) => {
      if (event.topic === 'storage.status') events.push(StorageStatusEvent.parse(event.data));
    });
    await client.call('events.subscribe', { topics: ['storage.status'] });
    await pollUntil('two storage.status events', () => Promise.resolve(events.length >= 2));
    const local = events.at(-1)?.storages.find((entry) => entry.storage === 'local');
    expect(local).toMatchObject({ type: 'dir', enabled: true, active: true });
    expect(local?.total).toBeGreaterThan(0);

    const metrics = await client.call('storage.metrics', { storage: 'local', timeframe: 'hour', cf: 'max' });
    expect(metrics.step).toBe(10);
    expect(metrics.points.length).toBeGreaterThan(0);
    expect(metrics.points.at(-1)?.total).toBe(local?.total);
    const missing = await client.call('storage.metrics', { storage: 'nope', timeframe: 'hour', cf: 'average' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isAppError(missing, 'not-found')).toBe(true);
  });

  it('removes the storage history file when the storage is removed', async () => {
    const { client } = connection;
    const file = storageHistoryFile(paths.data, 'local');
    // Saved once a minute at the real interval: every 6th sample.
    await pollUntil('the local storage history file', () => present(file));
    const { digest } = await client.call('storage.list', {});
    await client.call('storage.remove', { id: 'local', digest });
    await pollUntil('the history file to go', async () => !(await present(file)));
    expect((await client.call('storage.status', {})).map((entry) => entry.storage)).toEqual([]);
  });
});
