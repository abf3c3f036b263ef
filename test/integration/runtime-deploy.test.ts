// The Node.js runtime the app carries, deployed for real (DESIGN.md §1): on a lab node whose sessions find no
// Node.js, a NodeSession installs the pinned runtime from dist/runtimes, content-addressed, and the agent daemon
// runs on it; a second deployment finds the runtime by its digest and sends nothing. Only one lab can be up per
// machine, so this file waits until no other is before bringing its own up.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentBundle, type AgentBundle } from '../../main/core/agent-bundle';
import { parseProbe, PROBE_COMMAND } from '../../main/core/agent-deploy';
import { Backoff } from '../../main/core/backoff';
import type { SecretStore } from '../../main/core/core-api';
import { acceptHostKey, probeHostKey } from '../../main/core/host-key-probe';
import { waitForState } from '../../main/core/__fixtures__/session-state';
import { KnownHosts } from '../../main/core/known-hosts';
import { NodeSession } from '../../main/core/node-session';
import { runRemote } from '../../main/core/remote-command';
import { loadCarriedRuntimes, type CarriedRuntime } from '../../main/core/runtime-bundle';
import { runtimePaths } from '../../main/core/runtime-deploy';
import { openSsh } from '../../main/core/ssh-connection';
import { sha256File } from '../../node-agent/src/daemon/agent-digest';
import { agentPaths } from '../../node-agent/src/daemon/paths';
import { runChecked } from '../../node-agent/src/exec/run';
import type { Lab } from '../lab/lab-api';
import { labUpWhenFree, WAIT_FOR_OTHER_LABS_MS } from '../lab/lab-when-free';
import { nodeEnv } from '../lab/lab-layout';

const repo = join(import.meta.dirname, '../..');


/** dist/runtimes as `npm run build` leaves it; built here when missing. Fails if the build could not fetch one. */
const ensureRuntimes = async (): Promise<void> => {
  if (!existsSync(join(repo, 'dist/runtimes/manifest.json')))
    await runChecked('node', ['build/build.mjs', 'runtimes'], { cwd: repo, timeoutMs: 600_000 });
  if (!existsSync(join(repo, 'dist/runtimes/manifest.json')))
    throw new Error('dist/runtimes has no manifest: the build could not fetch the Node.js runtimes (see its warning)');
};

const noSecrets: SecretStore = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

let lab: Lab | undefined;
let bundle: AgentBundle;
let runtime: CarriedRuntime;
let knownHosts: KnownHosts;
let configDir: string;
const sessions: NodeSession[] = [];

beforeAll(async () => {
  await ensureRuntimes();
  lab = await labUpWhenFree({ nodes: 2, nodeWithoutNodejs: ['n2'] });
  // Loaded after labUp, which rebuilds dist/agent when its sources changed: the session carries what the lab built.
  bundle = await loadAgentBundle(join(repo, 'dist/agent/hyperdesk-agent.js'));
  const carried = await loadCarriedRuntimes(bundle.runtimesDir!);
  runtime = carried!.runtimes.find((r) => r.arch === 'x64')!;
  configDir = await mkdtemp(join(tmpdir(), 'hd-runtime-deploy-'));
  knownHosts = await KnownHosts.load(join(configDir, 'known_hosts'));
  for (const node of lab.nodes)
    await acceptHostKey(node.address, 22, knownHosts, (await probeHostKey(node.address, 22, knownHosts)).fingerprint);
}, WAIT_FOR_OTHER_LABS_MS + 600_000);

afterAll(async () => {
  await Promise.all(sessions.map((session) => session.dispose()));
  await lab?.down();
  if (configDir) await rm(configDir, { recursive: true, force: true });
}, 180_000);

const node = (name: string) => lab!.node(name);

const connect = (name: string) =>
  openSsh({
    host: node(name).address,
    port: 22,
    user: 'root',
    auth: { method: 'key', keyPath: lab!.clientKey },
    knownHosts,
    nodeKey: `lab/${name}`,
  });

const makeSession = (name: string) => {
  const lines: string[] = [];
  const session = new NodeSession({
    key: `lab/${name}`,
    node: { name, host: node(name).address, port: 22, user: 'root', auth: { method: 'key', keyPath: lab!.clientKey } },
    knownHosts,
    secrets: noSecrets,
    prompt: () => Promise.resolve(null),
    bundle,
    backoff: new Backoff({ initialMs: 500, maxMs: 2000 }),
    log: (line) => lines.push(line),
  });
  sessions.push(session);
  return { session, lines };
};

const daemonExe = async (name: string): Promise<string> => {
  const pid = Number((await readFile(node(name).agentPidFile, 'utf8')).trim());
  return readlink(`/proc/${pid}/exe`);
};

describe('the Node.js runtime the app carries, on a lab node without Node.js', { timeout: 300_000 }, () => {
  it("leaves n2's sessions without Node.js and n1's with it", async () => {
    for (const [name, hasNode] of [
      ['n1', true],
      ['n2', false],
    ] as const) {
      const conn = await connect(name);
      try {
        const probe = parseProbe((await runRemote(conn, PROBE_COMMAND, 30_000)).stdout);
        expect(probe.nodePath !== undefined, name).toBe(hasNode);
        expect(probe.arch).toBe('x86_64');
      } finally {
        conn.close();
      }
    }
  });

  it('deploys the agent with the carried runtime, and the daemon runs on it', async () => {
    const paths = runtimePaths(nodeEnv(node('n2')).HYPERDESK_ROOT, runtime);
    const { session, lines } = makeSession('n2');
    const started = Date.now();
    session.start();
    await waitForState(session, 'online', 180_000);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const log = lines.join('\n');
    console.log(`n2 online in ${seconds} s:\n${lines.filter((l) => /Node\.js|uploaded|installed/.test(l)).join('\n')}`);
    expect(log).toContain('deploying the agent: the agent is not installed (the launcher exited 127)');
    expect(log).toContain(`uploading Node.js ${runtime.version} for x64`);
    expect(log).toContain(`installed Node.js ${runtime.version} for x64 at ${paths.dir}`);
    expect(log).toContain(`'--node-binary' '${paths.nodeBinary}'`);
    expect(session.hello).toMatchObject({ node: 'n2', agentDigest: bundle.digest });
    expect((await session.call('node.status', {})).node).toBe('n2');

    expect(paths.nodeBinary).toBe(join(node('n2').root, `usr/lib/hyperdesk/node/${runtime.version}-x64/bin/node`));
    const launcher = await readFile(agentPaths(nodeEnv(node('n2'))).launcher, 'utf8');
    expect(launcher).toMatch(new RegExp(`^exec '${paths.nodeBinary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' `, 'm'));
    expect(await daemonExe('n2')).toBe(paths.nodeBinary);
    expect(await sha256File(paths.nodeBinary)).toBe(runtime.nodeSha256);
    expect((await readdir(paths.staging)).filter((entry) => entry.includes('node'))).toEqual([]);
    await session.dispose();
  });

  it('finds the runtime by its digest on the next deployment and sends nothing', async () => {
    const paths = runtimePaths(nodeEnv(node('n2')).HYPERDESK_ROOT, runtime);
    const before = await stat(paths.nodeBinary);
    // No daemon and no launcher: the next connection must deploy the agent again.
    await lab!.killAgent('n2');
    await rm(agentPaths(nodeEnv(node('n2'))).launcher);
    const { session, lines } = makeSession('n2');
    session.start();
    await waitForState(session, 'online', 180_000);
    const log = lines.join('\n');
    expect(log).toContain('deploying the agent: the agent is not installed (the launcher exited 127)');
    expect(log).toContain(`Node.js ${runtime.version} for x64 is already installed at ${paths.dir}`);
    expect(log).not.toContain('uploading Node.js');
    const after = await stat(paths.nodeBinary);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(session.hello).toMatchObject({ node: 'n2', agentDigest: bundle.digest });
    expect(await daemonExe('n2')).toBe(paths.nodeBinary);
    await session.dispose();
  });
});
