import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeStatus } from '../../node-agent/src/api';
import type { NodeEntry } from './inventory-schema';
import { OfflineCache } from './offline-cache';
import { tempDirForTest } from '../../node-agent/src/fs/temp-dir';

let dir: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-cache-');
});
afterEach(() => {
  vi.useRealTimers();
});

const status = (node: string, uptime: number): NodeStatus => ({
  node,
  hostname: node,
  kernel: '6.1.0-18-amd64',
  cpuModel: 'QEMU Virtual CPU',
  cpus: 4,
  cpu: 0.25,
  loadavg: [0.5, 0.4, 0.3],
  uptime,
  memory: { total: 8e9, used: 2e9, free: 6e9 },
  swap: { total: 0, used: 0 },
  rootfs: { total: 100e9, used: 10e9, avail: 90e9 },
  agentVersion: '0.1.0',
  time: 1_700_000_000_000 + uptime,
});

const entry = (cluster: string, name: string, uptime: number, state: NodeEntry['state'] = 'online'): NodeEntry => ({
  key: `${cluster}/${name}`,
  cluster,
  name,
  host: `${name}.lab`,
  state,
  status: status(name, uptime),
  asOf: 1_700_000_000_000 + uptime,
  agentVersion: '0.1.0',
  epoch: 'e1',
  revision: uptime,
});

/** Resolves at the next completed cache write. */
const writes = () => {
  const seen: string[] = [];
  let next: (() => void) | undefined;
  return {
    seen,
    onWrite: (cluster: string) => {
      seen.push(cluster);
      next?.();
    },
    next: () => new Promise<void>((resolve) => (next = resolve)),
  };
};

describe('OfflineCache', () => {
  it('writes each cluster to cache/<cluster>.json and loads it back', async () => {
    const cache = new OfflineCache(dir);
    cache.update(entry('lab', 'n1', 100));
    cache.update(entry('lab', 'n2', 200, 'offline'));
    cache.update(entry('prod', 'p1', 300));
    await cache.flush();
    expect((await readdir(join(dir, 'cache'))).sort()).toEqual(['lab.json', 'prod.json']);

    const loaded = await new OfflineCache(dir).load();
    expect([...loaded.keys()].sort()).toEqual(['lab/n1', 'lab/n2', 'prod/p1']);
    // Only the last-known part is kept: no connection state, epoch or revision.
    expect(loaded.get('lab/n2')).toEqual({
      key: 'lab/n2',
      cluster: 'lab',
      name: 'n2',
      host: 'n2.lab',
      status: status('n2', 200),
      asOf: 1_700_000_000_200,
      agentVersion: '0.1.0',
    });
  });

  it('coalesces a stream of changes to one write per 5 s per cluster', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const counter = writes();
    const cache = new OfflineCache(dir, { onWrite: counter.onWrite });
    const first = counter.next();
    cache.update(entry('lab', 'n1', 1));
    await vi.advanceTimersByTimeAsync(0);
    await first;
    expect(counter.seen).toEqual(['lab']);

    for (let i = 2; i <= 50; i++) {
      cache.update(entry('lab', 'n1', i));
      await vi.advanceTimersByTimeAsync(90);
      await cache.settled();
    }
    expect(counter.seen).toHaveLength(1);

    const second = counter.next();
    await vi.advanceTimersByTimeAsync(5_000);
    await second;
    expect(counter.seen).toHaveLength(2);
    const saved = JSON.parse(await readFile(join(dir, 'cache/lab.json'), 'utf8')) as { nodes: { status: NodeStatus }[] };
    expect(saved.nodes[0]?.status.uptime).toBe(50);
    await cache.dispose();
    expect(counter.seen).toHaveLength(2);
  });

  it('does not rewrite when only the connection state changes', async () => {
    const counter = writes();
    const cache = new OfflineCache(dir, { onWrite: counter.onWrite });
    const online = entry('lab', 'n1', 7);
    cache.update(online);
    await cache.flush();
    cache.update({ ...online, state: 'offline' });
    await cache.flush();
    expect(counter.seen).toEqual(['lab']);
  });

  it('flushes the pending change on dispose', async () => {
    const cache = new OfflineCache(dir);
    cache.update(entry('lab', 'n1', 1));
    await cache.flush();
    cache.update(entry('lab', 'n1', 2));
    await cache.dispose();
    const loaded = await new OfflineCache(dir).load();
    expect(loaded.get('lab/n1')?.status?.uptime).toBe(2);
  });

  it('deletes a cluster file when its last node is removed, and retain drops unsaved nodes', async () => {
    const cache = new OfflineCache(dir);
    cache.update(entry('lab', 'n1', 1));
    cache.update(entry('lab', 'n2', 1));
    cache.update(entry('old', 'x1', 1));
    await cache.flush();
    cache.remove('lab/n1');
    cache.retain(new Set(['lab/n1', 'lab/n2']));
    await cache.flush();
    expect(await readdir(join(dir, 'cache'))).toEqual(['lab.json']);
    expect([...(await new OfflineCache(dir).load()).keys()]).toEqual(['lab/n2']);
  });

  it('skips cache files it cannot read', async () => {
    await mkdir(join(dir, 'cache'), { recursive: true });
    await writeFile(join(dir, 'cache/broken.json'), '{');
    await writeFile(join(dir, 'cache/lab.json'), JSON.stringify({ version: 1, cluster: 'other', savedAt: 1, nodes: [] }));
    await expect(new OfflineCache(dir).load()).resolves.toEqual(new Map());
  });
});
