// The lab itself, for real: namespaces, the switch, sshd per node, the agent, and a down that leaves nothing.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsFile } from '../../main/core/config-schema';
import { isAppError } from '../../node-agent/src/api/errors';
import { run } from '../../node-agent/src/exec/run';
import { labUp, type Lab } from '../lab/lab-api';
import { isAlive, namespacePids } from '../lab/processes';
import { labSshOptions } from './helpers';

const ssh = (lab: Lab, configDir: string, address: string, ...command: string[]) =>
  run('ssh', [...labSshOptions(lab, join(configDir, 'known_hosts')), `root@${address}`, ...command], {
    timeoutMs: 20_000,
  });

const labNamespaces = async (): Promise<string[]> =>
  (await run('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('hdlab-'));

/** Everything a lab could leave behind; empty when the machine is clean. */
const leftovers = async (stateDir: string, pids: readonly number[]): Promise<string[]> => {
  const alive = (await Promise.all(pids.map(async (pid) => ((await isAlive(pid)) ? [`pid ${pid}`] : [])))).flat();
  return [
    ...(await labNamespaces()),
    ...(existsSync('/sys/class/net/hdlab0') ? ['hdlab0'] : []),
    ...(existsSync(stateDir) ? [stateDir] : []),
    ...alive,
  ];
};

describe('lab of two nodes without the agent', () => {
  let lab: Lab;
  let configDir: string;
  let stateDir: string;

  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'hdlab-it-config-'));
    stateDir = join(configDir, 'state');
    lab = await labUp({ nodes: 2, configDir, agent: false, stateDir });
  });
  afterAll(async () => {
    // lab is unset when beforeAll failed.
    await (lab as Lab | undefined)?.down();
    await rm(configDir, { recursive: true, force: true });
  });

  it('reaches a node from the workstation through hdlab0', async () => {
    const ping = await run('ping', ['-c1', '-W1', '-I', 'hdlab0', '198.18.0.12']);
    expect({ code: ping.code, output: ping.stdout + ping.stderr }).toMatchObject({ code: 0 });
    const route = await run('ip', ['-j', 'route', 'get', '198.18.0.12']);
    expect((JSON.parse(route.stdout) as { dev: string }[])[0]?.dev).toBe('hdlab0');
  });

  it('adds nothing to the host but hdlab0, its address and the connected /24', async () => {
    const routes = JSON.parse((await run('ip', ['-j', 'route', 'show', 'dev', 'hdlab0'])).stdout) as { dst: string }[];
    expect(routes.map((r) => r.dst)).toEqual(['198.18.0.0/24']);
    const addresses = JSON.parse((await run('ip', ['-j', 'addr', 'show', 'dev', 'hdlab0'])).stdout) as {
      addr_info: { local: string }[];
    }[];
    expect(addresses[0]?.addr_info.map((a) => a.local)).toEqual(['198.18.0.1']);
  });

  it('accepts a real SSH login on every node, with the host key pinned in the config dir', async () => {
    for (const node of lab.nodes) {
      const result = await ssh(lab, configDir, node.address, 'printenv', 'HYPERDESK_NODE', 'HYPERDESK_ROOT');
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
      expect(result.stdout.split('\n').slice(0, 2)).toEqual([node.name, node.root]);
    }
  });

  it('saves the nodes in the config dir as the app reads them', async () => {
    const saved = ConnectionsFile.parse(JSON.parse(await readFile(join(configDir, 'connections.json'), 'utf8')));
    expect(saved.clusters[0]?.nodes.map((n) => `${n.user}@${n.host}:${n.port}`)).toEqual([
      'root@198.18.0.11:22',
      'root@198.18.0.12:22',
    ]);
  });

  it('puts the node address on vmbr0, whose port is eth0', async () => {
    const vmbr0 = JSON.parse((await run('ip', ['-n', 'hdlab-n1', '-j', 'addr', 'show', 'vmbr0'])).stdout) as {
      addr_info: { local: string; prefixlen: number }[];
    }[];
    expect(vmbr0[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['198.18.0.11/24']);
    const eth0 = JSON.parse((await run('ip', ['-n', 'hdlab-n1', '-j', 'link', 'show', 'eth0'])).stdout) as {
      master?: string;
    }[];
    expect(eth0[0]?.master).toBe('vmbr0');
  });

  it('lets nodes reach each other over the lab switch', async () => {
    const ping = await lab.exec('n1', 'ping', ['-c1', '-W1', '198.18.0.12']);
    expect({ code: ping.code, output: ping.stdout }).toMatchObject({ code: 0 });
    const env = await lab.exec('n2', 'printenv', ['HYPERDESK_NODE']);
    expect(env.stdout.trim()).toBe('n2');
  });

  it('refuses a second lab while this one is up', async () => {
    const error: unknown = await labUp({ nodes: 1, agent: false, stateDir }).catch((e: unknown) => e);
    expect(isAppError(error, 'already-exists')).toBe(true);
  });

  it('stops and starts a node sshd, dropping its sessions on request', async () => {
    await lab.stopSshd('n2', { sessions: true });
    expect((await ssh(lab, configDir, '198.18.0.12', 'true')).code).toBe(255);
    await lab.startSshd('n2');
    expect((await ssh(lab, configDir, '198.18.0.12', 'true')).code).toBe(0);
  });

  it('rotates a host key so a pinned client refuses the node', async () => {
    const before = await readFile(`${lab.node('n1').hostKeyPath}.pub`, 'utf8');
    const after = await lab.rotateHostKey('n1');
    expect(before).not.toContain(after.split(' ')[1]);
    const refused = await ssh(lab, configDir, '198.18.0.11', 'true');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('takes everything down, and a second down finds nothing left', async () => {
    const pids = [...(await namespacePids('hdlab-n1')), ...(await namespacePids('hdlab-n2'))];
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await lab.down();
    expect(await leftovers(stateDir, pids)).toEqual([]);
    await lab.down();
  });
});

describe('a lab that fails half-way', () => {
  it('removes what it made before failing', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'hdlab-it-bad-config-'));
    const stateDir = join(configDir, 'state');
    // An unreadable connections.json fails the last step of `up`, after every node is running.
    await writeFile(join(configDir, 'connections.json'), 'not json');
    const error: unknown = await labUp({ nodes: 2, configDir, agent: false, stateDir }).catch((e: unknown) => e);
    expect(isAppError(error, 'invalid-params')).toBe(true);
    expect(await leftovers(stateDir, [])).toEqual([]);
    await rm(configDir, { recursive: true, force: true });
  });
});

describe('lab with the agent', () => {
  let lab: Lab;
  let parent: string;
  let stateDir: string;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'hdlab-it-agent-'));
    stateDir = join(parent, 'state');
    lab = await labUp({ nodes: 1, stateDir });
  });
  afterAll(async () => {
    // lab is unset when beforeAll failed.
    await (lab as Lab | undefined)?.down();
    await rm(parent, { recursive: true, force: true });
  });

  it('installs the agent into the node root and runs its daemon inside the node', async () => {
    const status = await lab.status();
    const pid = status.nodes[0]?.agent.pid;
    expect(pid).toBeDefined();
    expect(await namespacePids('hdlab-n1')).toContain(pid);
    expect(existsSync(join(lab.node('n1').root, 'usr/lib/hyperdesk/bin/hyperdesk-agent'))).toBe(true);
  });

  it('kills the daemon and starts it again', async () => {
    expect(await lab.killAgent('n1', 'SIGKILL')).toBe(true);
    expect((await lab.status()).nodes[0]?.agent.running).toBe(false);
    const pid = await lab.startAgent('n1');
    expect((await lab.status()).nodes[0]?.agent.pid).toBe(pid);
  });

  it('stops the daemon on down', async () => {
    const pids = await namespacePids('hdlab-n1');
    await lab.down();
    expect(await leftovers(stateDir, pids)).toEqual([]);
  });
});
