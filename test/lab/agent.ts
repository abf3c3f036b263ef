// The agent on each lab node, installed the way the app installs it: the bundle's own `install` command, run in
// the node's namespace with its HYPERDESK_ROOT/HYPERDESK_NODE, which starts the daemon and returns once it answers.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../node-agent/src/api/errors';
import { agentPaths } from '../../node-agent/src/daemon/paths';
import { runChecked, type RunResult } from '../../node-agent/src/exec/run';
import { nodeEnv, repoRoot, type NodeLayout } from './lab-layout';
import { runInNode } from './node-env';
import { isAlive, pollUntil, runningFromPidFile, signalInNamespace } from './processes';

const INSTALL_TIMEOUT_MS = 60_000;

export interface AgentBundle {
  readonly path: string;
  readonly digest: string;
}

const Manifest = z.object({ digest: z.string().regex(/^[0-9a-f]{64}$/), file: z.string() });

const bundlePaths = (repo: string) => ({
  bundle: join(repo, 'dist/agent/hyperdesk-agent.js'),
  manifest: join(repo, 'dist/agent/manifest.json'),
  sources: join(repo, 'node-agent/src'),
});

const mtime = (path: string): Promise<number | undefined> =>
  stat(path).then(
    (s) => s.mtimeMs,
    () => undefined,
  );

/** Newest change among the agent's sources, so a bundle older than them is rebuilt rather than tested stale. */
const newestSource = async (dir: string): Promise<number> => {
  const entries = await readdir(dir, { recursive: true });
  const times = await Promise.all(
    entries.filter((e) => e.endsWith('.ts') && !e.endsWith('.test.ts')).map((e) => mtime(join(dir, e))),
  );
  return Math.max(0, ...times.filter((t): t is number => t !== undefined));
};

/** dist/agent as built by `node build/build.mjs agent`; builds it first when missing or older than node-agent/src. */
export const ensureAgentBundle = async (log: (line: string) => void = () => undefined): Promise<AgentBundle> => {
  const repo = repoRoot();
  const paths = bundlePaths(repo);
  const [built, manifestTime] = await Promise.all([mtime(paths.bundle), mtime(paths.manifest)]);
  const missing = built === undefined || manifestTime === undefined;
  if (missing || built < (await newestSource(paths.sources))) {
    log('building the agent bundle (node build/build.mjs agent)');
    try {
      await runChecked(process.execPath, ['build/build.mjs', 'agent'], { cwd: repo, timeoutMs: 180_000 });
    } catch (error) {
      // esbuild's own `✘ [ERROR] …` lines say what is wrong; the rest is its stack.
      const lines = AppError.from(error).message.split('\n');
      const reason = (lines.filter((l) => l.includes('[ERROR]')).join('; ') || lines[0]) ?? 'unknown error';
      if (missing)
        throw new AppError(
          'command-failed',
          `could not build the agent bundle: ${reason} — fix the build, or bring the lab up with --no-agent`,
        );
      // Sources mid-edit should not stop every other test that only needs some agent: keep the last good bundle.
      log(`could not rebuild the agent bundle, using the older one in dist/agent: ${reason}`);
    }
  }
  const manifest = Manifest.safeParse(JSON.parse(await readFile(paths.manifest, 'utf8')));
  if (!manifest.success) throw new AppError('protocol-error', `${paths.manifest} is not an agent manifest`);
  return { path: paths.bundle, digest: manifest.data.digest };
};

/**
 * Copy the bundle into the lab's state dir, as the app uploads it to a node, and check it against its digest.
 * Run from there it is also outside the repo, whose package.json ("type": "module") would make Node read the
 * CommonJS bundle as an ES module.
 */
export const stageAgentBundle = async (bundle: AgentBundle, stateDir: string): Promise<AgentBundle> => {
  const content = await readFile(bundle.path);
  const digest = createHash('sha256').update(content).digest('hex');
  if (digest !== bundle.digest) {
    throw new AppError(
      'conflict',
      `agent bundle ${bundle.path} has digest ${digest}, not ${bundle.digest} as its manifest says — rebuild it`,
    );
  }
  const dir = join(stateDir, 'agent');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const staged = join(dir, 'hyperdesk-agent.js');
  await writeFile(staged, content, { mode: 0o644 });
  return { path: staged, digest };
};

const logResult = async (node: NodeLayout, what: string, result: RunResult): Promise<void> => {
  await writeFile(node.agentLog, `# ${what} (exit ${result.code})\n${result.stdout}${result.stderr}`, { flag: 'a' });
};

/** The installed launcher (`<root>/usr/lib/hyperdesk/bin/hyperdesk-agent`), as the app's bridge command finds it. */
export const agentLauncher = (node: NodeLayout): string => agentPaths(nodeEnv(node)).launcher;

const requireOk = async (node: NodeLayout, what: string, result: RunResult): Promise<void> => {
  await logResult(node, what, result);
  if (result.code !== 0) {
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join(' | ');
    throw new AppError('command-failed', `${what} on lab node ${node.name} exited with code ${result.code}: ${tail}`, {
      node: node.name,
      exitCode: result.code,
      log: node.agentLog,
    });
  }
};

/** The daemon's pid once its pid file names a live process in the node's namespace. */
export const waitForAgentPid = (node: NodeLayout, timeoutMs = 10_000): Promise<number> =>
  pollUntil(
    `the agent of lab node ${node.name} writing ${node.agentPidFile}`,
    () => runningFromPidFile(node.agentPidFile, node.namespace),
    timeoutMs,
  );

export const installAgent = async (node: NodeLayout, bundle: AgentBundle): Promise<number> => {
  const args = [
    bundle.path,
    'install',
    '--bundle',
    bundle.path,
    '--digest',
    bundle.digest,
    '--node-binary',
    process.execPath,
  ];
  const result = await runInNode(node, process.execPath, args, { timeoutMs: INSTALL_TIMEOUT_MS });
  await requireOk(node, 'hyperdesk-agent install', result);
  return waitForAgentPid(node);
};

export const startAgent = async (node: NodeLayout): Promise<number> => {
  await requireOk(
    node,
    'hyperdesk-agent start',
    await runInNode(node, agentLauncher(node), ['start'], { timeoutMs: INSTALL_TIMEOUT_MS }),
  );
  return waitForAgentPid(node);
};

export const agentPid = (node: NodeLayout): Promise<number | undefined> =>
  runningFromPidFile(node.agentPidFile, node.namespace);

/** `hyperdesk-agent stop`, then wait until the daemon has really gone, so a following start never races it. */
export const stopAgent = async (node: NodeLayout): Promise<void> => {
  const pid = await agentPid(node);
  await requireOk(
    node,
    'hyperdesk-agent stop',
    await runInNode(node, agentLauncher(node), ['stop'], { timeoutMs: INSTALL_TIMEOUT_MS }),
  );
  if (pid !== undefined) {
    await pollUntil(
      `the agent of lab node ${node.name} (pid ${pid}) exiting after stop`,
      async () => ((await isAlive(pid)) ? undefined : true),
      10_000,
    );
  }
};

/**
 * Signal the daemon (a test killing it on purpose). For SIGTERM, SIGINT and SIGKILL, waits until it has exited
 * (a daemon that ignores SIGTERM is a timeout error, not silently SIGKILLed); false when no daemon was running.
 */
export const signalAgent = async (node: NodeLayout, signal: NodeJS.Signals): Promise<boolean> => {
  const pid = await agentPid(node);
  if (pid === undefined) return false;
  const sent = await signalInNamespace(pid, node.namespace, signal);
  if (sent && (signal === 'SIGTERM' || signal === 'SIGKILL' || signal === 'SIGINT')) {
    await pollUntil(
      `the agent of lab node ${node.name} (pid ${pid}) exiting on ${signal}`,
      async () => ((await isAlive(pid)) ? undefined : true),
      10_000,
    );
  }
  return sent;
};
