// Issue 2's acceptance on a real 2-node lab: hdctl over the saved connections, offline with last-known state,
// a changed host key refused, node.check followed as a task, bad requests survived, a killed daemon's task failed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeEntry } from '../../main/core/inventory-schema';
import type { TaskInfo } from '../../node-agent/src/api';
import { createCore } from '../../main/core/core';
import { MemorySecretStore } from '../../main/core/secrets-memory';
import { useLab } from '../lab/use-lab';
import { ensureBuilt, hdctl, hdctlJson, rawBridge } from './helpers';

const configDir = await mkdtemp(join(tmpdir(), 'hd-foundation-'));
beforeAll(ensureBuilt, 180_000);
const lab = useLab({ nodes: 2, configDir });
afterAll(() => rm(configDir, { recursive: true, force: true }));

const nodeList = () => hdctlJson<NodeEntry[]>(configDir, 'node', 'list');
const byName = (entries: NodeEntry[], name: string) => entries.find((entry) => entry.name === name)!;

describe('a 2-node lab through hdctl', () => {
  it('lists both nodes online with their real status', async () => {
    const entries = await nodeList();
    expect(entries.map((e) => [e.name, e.state])).toEqual([['n1', 'online'], ['n2', 'online']]);
    for (const entry of entries) {
      expect(entry.status?.node).toBe(entry.name);
      expect(entry.status!.cpus).toBeGreaterThan(0);
      expect(entry.status!.memory.total).toBeGreaterThan(entry.status!.memory.used);
      expect(entry.status!.rootfs.total).toBeGreaterThan(0);
      expect(entry.host).toBe(lab().node(entry.name).address);
    }
  });

  it('shows a node whose sshd is gone as offline, with its last-known status and as-of time', async () => {
    const before = byName(await nodeList(), 'n2');
    await lab().stopSshd('n2', { sessions: true });
    try {
      const entries = await nodeList();
      const n2 = byName(entries, 'n2');
      expect(n2.state).toBe('offline');
      expect(n2.status?.node).toBe('n2');
      expect(n2.status?.uptime).toBeGreaterThanOrEqual(before.status!.uptime);
      expect(n2.asOf).toBeGreaterThanOrEqual(before.asOf!);
      expect(n2.asOf).toBeLessThanOrEqual(Date.now());
      expect(byName(entries, 'n1').state).toBe('online');
      const table = await hdctl(configDir, 'node', 'list');
      expect(table.stdout).toMatch(/n2\s+198\.18\.0\.12\s+offline/);
    } finally {
      await lab().startSshd('n2');
    }
    expect(byName(await nodeList(), 'n2').state).toBe('online');
  });

  it('runs node.check as a task whose log and progress the CLI follows', async () => {
    const { upid } = await hdctlJson<{ upid: string }>(configDir, 'node', 'check', '--node', 'n1');
    expect(upid).toMatch(/^UPID:n1:[0-9A-F]{8}:[0-9A-F]{8,}:[0-9A-F]{8}:nodecheck::root@pam:$/);
    const followed = await hdctl(configDir, 'task', 'log', upid, '--follow');
    const lines = followed.stdout.trimEnd().split('\n');
    for (const check of ['qemu', 'kvm', 'lxc', 'nftables', 'btrfs-progs', 'free-space', 'time-sync'])
      expect(lines.some((line) => line.replace(/^WARN: /, '').startsWith(`${check}: `)), check).toBe(true);
    expect(lines.at(-1)).toMatch(/^TASK (OK|WARNINGS: \d+|ERROR: .+)$/);
    const status = await hdctlJson<TaskInfo>(configDir, 'task', 'status', upid);
    expect(status.status).toBe('stopped');
    expect(`TASK ${status.exitstatus}`).toBe(lines.at(-1));
    const tasks = await hdctlJson<TaskInfo[]>(configDir, 'task', 'list', '--node', 'n1');
    expect(tasks.map((t) => t.upid)).toContain(upid);
  });

  it('answers a malformed request with invalid-params and garbage with protocol-error, and keeps serving', async () => {
    const pidFile = lab().node('n1').agentPidFile;
    const pid = (await readFile(pidFile, 'utf8')).trim();
    const bridge = rawBridge(lab(), configDir, 'n1');
    try {
      const bad = await bridge.send('{"jsonrpc":"2.0","id":1,"method":"node.metrics","params":{"timeframe":"year"}}');
      expect(bad).toMatchObject({ id: 1, error: { code: 'invalid-params' } });
      const garbage = await bridge.send('{"this is": not json');
      expect(garbage).toMatchObject({ id: null, error: { code: 'protocol-error' } });
      const ok = await bridge.send('{"jsonrpc":"2.0","id":2,"method":"node.status","params":{}}');
      expect(ok).toMatchObject({ id: 2, result: { node: 'n1' } });
    } finally {
      bridge.close();
    }
    expect((await readFile(pidFile, 'utf8')).trim()).toBe(pid);
    expect(byName(await nodeList(), 'n1').state).toBe('online');
  });

  it('marks a task failed when its daemon was killed while it ran', async () => {
    const node = lab().node('n1');
    const bridge = rawBridge(lab(), configDir, 'n1');
    let upid: string;
    try {
      const started = await bridge.send('{"jsonrpc":"2.0","id":1,"method":"node.check","params":{}}');
      upid = (started.result as { upid: string }).upid;
      // Freeze the daemon the moment the task exists, then kill it: the task cannot have finished in between.
      const pid = Number((await readFile(node.agentPidFile, 'utf8')).trim());
      process.kill(pid, 'SIGSTOP');
      const starttime = upid.split(':')[4]!;
      const logFile = join(node.root, 'var/log/hyperdesk/tasks', starttime.slice(-1), upid);
      expect(await readFile(logFile, 'utf8')).not.toMatch(/^TASK /m);
      await lab().killAgent('n1', 'SIGKILL');
    } finally {
      bridge.close();
    }
    await lab().startAgent('n1');
    const status = await hdctlJson<TaskInfo>(configDir, 'task', 'status', upid);
    expect(status.status).toBe('stopped');
    expect(status.exitstatus).toMatch(/^ERROR: the agent stopped while this task was running/);
    const log = await hdctl(configDir, 'task', 'log', upid);
    expect(log.stdout.trimEnd().split('\n').at(-1)).toMatch(/^TASK ERROR: the agent stopped while this task was running/);
  });

  it('refuses a node whose host key changed, saying so', async () => {
    await lab().rotateHostKey('n1');
    const n1 = byName(await nodeList(), 'n1');
    expect(n1.state).toBe('host-key-changed');
    expect(n1.error?.code).toBe('access-denied');
    expect(n1.error?.message).toMatch(/host key of 198\.18\.0\.11:22 has CHANGED/);
    expect(n1.status?.node).toBe('n1');
    expect(byName(await nodeList(), 'n2').state).toBe('online');
  });

  it('trusts the new host key of a reinstalled node only with its confirmed fingerprint', async () => {
    const core = await createCore({ configDir, secrets: new MemorySecretStore(), agentBundle: 'dist/agent/hyperdesk-agent.js' });
    try {
      const probed = await core.handle('connections.probeHostKey', { host: lab().node('n1').address, port: 22 });
      expect(probed.match).toBe('changed');
      const wrong = `SHA256:${'A'.repeat(43)}`;
      await expect(core.handle('connections.trustHostKey', { node: 'lab/n1', acceptedFingerprint: wrong })).rejects.toMatchObject({ code: 'conflict' });
      const trusted = await core.handle('connections.trustHostKey', { node: 'lab/n1', acceptedFingerprint: probed.fingerprint });
      expect(trusted).toMatchObject({ match: 'known', fingerprint: probed.fingerprint });
    } finally {
      await core.dispose();
    }
    expect(byName(await nodeList(), 'n1').state).toBe('online');
    const knownHosts = await readFile(join(configDir, 'known_hosts'), 'utf8');
    expect(knownHosts.split('\n').filter((line) => line.startsWith(`${lab().node('n1').address} `))).toHaveLength(1);
  });
});
