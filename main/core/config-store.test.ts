import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../node-agent/src/api';
import { ConfigStore, clusterIdFor } from './config-store';
import type { SavedNode } from './config-schema';
import { tempDirForTest } from '../../node-agent/src/fs/temp-dir';

let dir: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-config-');
});

const node = (name: string, host = `${name}.lab`): SavedNode => ({ name, host, port: 22, user: 'root', auth: { method: 'agent' } });
const fileOf = async () => JSON.parse(await readFile(join(dir, 'connections.json'), 'utf8')) as unknown;

describe('clusterIdFor', () => {
  it('makes a lowercase slug the file schema accepts', () => {
    expect(clusterIdFor('Lab West')).toBe('lab-west');
    expect(clusterIdFor('  Prod / Zürich #2 ')).toBe('prod-zurich-2');
    expect(clusterIdFor('***')).toBe('cluster');
    expect(clusterIdFor('x'.repeat(80))).toHaveLength(63);
  });
});

describe('ConfigStore', () => {
  it('starts empty when connections.json is missing and writes nothing until a change', async () => {
    const store = await ConfigStore.load(dir);
    expect(store.clusters()).toEqual([]);
    await expect(readFile(join(dir, 'connections.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('adds a node, creating its cluster, and a reload sees the same file', async () => {
    const store = await ConfigStore.load(dir);
    await expect(store.addNode('Lab West', node('n1'))).resolves.toBe('lab-west/n1');
    await expect(store.addNode('Lab West', node('n2'))).resolves.toBe('lab-west/n2');
    expect(await fileOf()).toEqual({
      version: 1,
      clusters: [{ id: 'lab-west', name: 'Lab West', nodes: [node('n1'), node('n2')] }],
    });
    const again = await ConfigStore.load(dir);
    expect(again.clusters()).toEqual(store.clusters());
    expect(again.find('lab-west/n2')?.node.host).toBe('n2.lab');
  });

  it('refuses a duplicate node name in a cluster and leaves the file as it was', async () => {
    const store = await ConfigStore.load(dir);
    await store.addNode('lab', node('n1'));
    const before = await readFile(join(dir, 'connections.json'), 'utf8');
    const error = await store.addNode('lab', node('n1', '198.18.0.99')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'already-exists' });
    expect((error as AppError).message).toContain('n1');
    expect(await readFile(join(dir, 'connections.json'), 'utf8')).toBe(before);
    // The same name in another cluster is fine.
    await expect(store.addNode('other', node('n1'))).resolves.toBe('other/n1');
  });

  it('removes a node, and the cluster with its last node', async () => {
    const store = await ConfigStore.load(dir);
    await store.addNode('lab', node('n1'));
    await store.addNode('lab', node('n2'));
    await store.removeNode('lab/n1');
    expect(store.clusters()[0]?.nodes.map((n) => n.name)).toEqual(['n2']);
    await store.removeNode('lab/n2');
    expect(store.clusters()).toEqual([]);
    expect(await fileOf()).toEqual({ version: 1, clusters: [] });
    await expect(store.removeNode('lab/n2')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('serializes concurrent writes so none is lost', async () => {
    const store = await ConfigStore.load(dir);
    const names = Array.from({ length: 12 }, (_, i) => `n${i + 1}`);
    await Promise.all(names.map((name) => store.addNode('lab', node(name))));
    const reloaded = await ConfigStore.load(dir);
    expect(reloaded.clusters()[0]?.nodes.map((n) => n.name)).toEqual(names);
  });

  it('reports an invalid file by name and never overwrites it', async () => {
    const path = join(dir, 'connections.json');
    for (const content of ['{ not json', JSON.stringify({ version: 1, clusters: [{ id: 'Bad Id', name: 'x', nodes: [] }] })]) {
      await writeFile(path, content);
      const error = await ConfigStore.load(dir).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid-params' });
      expect((error as AppError).message).toContain(`connections.json in ${dir} is not valid`);
      expect(await readFile(path, 'utf8')).toBe(content);
    }
  });

  it('keeps the current state when a mutation fails validation', async () => {
    const store = await ConfigStore.load(dir);
    await store.addNode('lab', node('n1'));
    await expect(store.addNode('lab', { ...node('n2'), host: 'bad host!' })).rejects.toThrow();
    expect(store.clusters()[0]?.nodes.map((n) => n.name)).toEqual(['n1']);
    expect((await ConfigStore.load(dir)).clusters()[0]?.nodes).toHaveLength(1);
  });
});
