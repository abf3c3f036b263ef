import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionsFile } from '../../main/core/config-schema';
import { isAppError } from '../../node-agent/src/api/errors';
import { labCluster, mergeConnections, mergeKnownHosts, publicKeyOnly, writeLabConfigDir } from './config-dir';
import { labLayout } from './lab-layout';

const nodes = labLayout('/var/tmp/hdlab', 2);
const key = '/var/tmp/hdlab/client/id_ed25519';
const hostKeys = [
  { host: '198.18.0.11', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1' },
  { host: '198.18.0.12', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK2' },
];
const other = {
  id: 'prod',
  name: 'Production',
  nodes: [{ name: 'pve1', host: 'pve1.example', port: 22, user: 'root', auth: { method: 'agent' as const } }],
};

describe('lab nodes as saved connections', () => {
  it('is a valid connections file naming each node by address, root and the lab key', () => {
    const file = ConnectionsFile.parse(mergeConnections(undefined, labCluster(nodes, key)));
    expect(file).toEqual({
      version: 1,
      clusters: [
        {
          id: 'lab',
          name: 'Lab',
          nodes: [
            { name: 'n1', host: '198.18.0.11', port: 22, user: 'root', auth: { method: 'key', keyPath: key } },
            { name: 'n2', host: '198.18.0.12', port: 22, user: 'root', auth: { method: 'key', keyPath: key } },
          ],
        },
      ],
    });
  });

  it('keeps other clusters and replaces an earlier lab cluster', () => {
    const before = mergeConnections({ version: 1, clusters: [other] }, labCluster(labLayout('/var/tmp/hdlab', 3), key));
    const after = mergeConnections(before, labCluster(nodes, key));
    expect(after.clusters.map((c) => [c.id, c.nodes.length])).toEqual([
      ['prod', 1],
      ['lab', 2],
    ]);
  });
});

describe('lab host keys in known_hosts', () => {
  it('replaces the lab addresses and keeps every other entry', () => {
    const existing = [
      '# my hosts',
      'pve1.example ssh-ed25519 AAAAother',
      '198.18.0.11 ssh-ed25519 AAAAold',
      'gw,198.18.0.12 ecdsa-sha2-nistp256 AAAAold2',
      '|1|salt=|hash= ssh-ed25519 AAAAhashed',
      '@cert-authority *.example ssh-ed25519 AAAAca',
      '',
    ].join('\n');
    expect(mergeKnownHosts(existing, hostKeys)).toBe(
      [
        '# my hosts',
        'pve1.example ssh-ed25519 AAAAother',
        'gw ecdsa-sha2-nistp256 AAAAold2',
        '|1|salt=|hash= ssh-ed25519 AAAAhashed',
        '@cert-authority *.example ssh-ed25519 AAAAca',
        '198.18.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1',
        '198.18.0.12 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK2',
        '',
      ].join('\n'),
    );
  });

  it('is idempotent', () => {
    const once = mergeKnownHosts('', hostKeys);
    expect(mergeKnownHosts(once, hostKeys)).toBe(once);
  });

  it('drops the comment of a .pub file', () => {
    expect(publicKeyOnly('ssh-ed25519 AAAAkey hdlab-n1\n')).toBe('ssh-ed25519 AAAAkey');
  });
});

describe('writing the config dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hdlab-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes connections.json the schema accepts, merged with what was there, and known_hosts', async () => {
    await writeFile(join(dir, 'connections.json'), JSON.stringify({ version: 1, clusters: [other] }));
    await writeFile(join(dir, 'known_hosts'), '198.18.0.11 ssh-ed25519 AAAAstale\n');
    await writeLabConfigDir(dir, nodes, key, hostKeys);
    const saved = ConnectionsFile.parse(JSON.parse(await readFile(join(dir, 'connections.json'), 'utf8')));
    expect(saved.clusters.map((c) => c.id)).toEqual(['prod', 'lab']);
    expect(await readFile(join(dir, 'known_hosts'), 'utf8')).toBe(
      `${hostKeys.map((h) => `${h.host} ${h.key}`).join('\n')}\n`,
    );
    expect((await stat(join(dir, 'connections.json'))).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite a connections file it cannot read', async () => {
    await writeFile(join(dir, 'connections.json'), '{"version": 2');
    const error: unknown = await writeLabConfigDir(dir, nodes, key, hostKeys).catch((e: unknown) => e);
    expect(isAppError(error, 'invalid-params')).toBe(true);
    expect(await readFile(join(dir, 'connections.json'), 'utf8')).toBe('{"version": 2');
  });
});
