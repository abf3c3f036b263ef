// `hyperdesk-agent install`: verify a bundle's sha256, install it content-addressed under <lib>/agent/<digest>/,
// point the launcher at it, (on a real node) install the systemd unit and the group, then restart the daemon
// and check that the one answering runs the bundle just installed.
import { access, chmod, constants, copyFile, mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../api/errors';
import type { Hello } from '../api/hello';
import { runChecked } from '../exec/run';
import { sha256File } from './agent-digest';
import { writeFileAtomic } from '../fs/atomic-file';
import { SERVICE, startAgent, stopAgent, systemdManaged, waitForHello } from './control';
import type { AgentPaths } from './paths';
import { SYSTEMD_UNIT, SYSTEMD_UNIT_PATH } from './systemd-unit';
import { groupId, SOCKET_GROUP } from './unix-group';
import { DEFAULT_SUB_IDS, ensureRootSubIds } from '../ct/sub-ids';

export interface InstallOptions {
  bundle: string;
  digest: string;
  /** The Node.js that runs the agent; default: the one running this install. */
  nodeBinary?: string;
}

export interface InstallResult {
  installed: string;
  version: string;
}

/** A word for sh inside single quotes: `'` becomes `'\''`. */
export const shellQuote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

export const NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=128'];

/** `hdctl` on the node: the agent's client, as its own command (the launcher's argv[1] is the bundle, not hdctl). */
export const hdctlLauncher = (paths: AgentPaths): string => join(dirname(paths.launcher), 'hdctl');

/** Where the two commands go on the PATH: /usr/local/bin under the agent's root. */
const commandLinks = (paths: AgentPaths) => [
  { link: join(paths.root, 'usr/local/bin/hyperdesk-agent'), target: paths.launcher },
  { link: join(paths.root, 'usr/local/bin/hdctl'), target: hdctlLauncher(paths) },
];

const linkAtomic = async (target: string, link: string): Promise<void> => {
  await mkdir(dirname(link), { recursive: true, mode: 0o755 });
  const tmp = `${link}.${process.pid}.tmp`;
  await unlink(tmp).catch(() => undefined);
  await symlink(target, tmp);
  await rename(tmp, link);
};

export const launcherScript = (nodeBinary: string, bundle: string, subcommand?: string): string =>
  [
    '#!/bin/sh',
    '# Written by hyperdesk-agent install: runs the installed agent bundle with its Node.js.',
    '# A small, steady footprint (measured in test/bench): one glibc malloc arena that gives freed memory back,',
    '# a 1 MiB young generation, and an old-space ceiling that makes V8 collect before it grows.',
    'export MALLOC_ARENA_MAX=1 MALLOC_TRIM_THRESHOLD_=131072',
    `exec ${shellQuote(nodeBinary)} ${NODE_FLAGS.join(' ')} ${shellQuote(bundle)}${subcommand ? ` ${subcommand}` : ''} "$@"`,
    '',
  ].join('\n');

export const installedBundlePath = (paths: AgentPaths, digest: string): string =>
  join(paths.lib, 'agent', digest, 'hyperdesk-agent.js');

const copyAtomic = async (from: string, to: string, mode: number): Promise<void> => {
  await mkdir(dirname(to), { recursive: true, mode: 0o755 });
  const tmp = `${to}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await copyFile(from, tmp);
    await chmod(tmp, mode);
    await rename(tmp, to);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
};

/** On a real node the socket group must exist before the daemon starts, or only root could connect. */
const ensureGroup = async (log: (message: string) => void): Promise<void> => {
  if ((await groupId(SOCKET_GROUP)) !== undefined) return;
  log(`creating the system group ${SOCKET_GROUP}`);
  await runChecked('groupadd', ['--system', SOCKET_GROUP]);
};

export const installAgent = async (
  paths: AgentPaths,
  options: InstallOptions,
  log: (message: string) => void,
): Promise<InstallResult> => {
  const digest = options.digest.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(digest))
    throw new AppError('invalid-params', `--digest ${JSON.stringify(options.digest)} is not a sha256 (64 hex digits)`);
  const bundle = resolve(options.bundle);
  const actual = await sha256File(bundle).catch((error: NodeJS.ErrnoException) => {
    throw new AppError('not-found', `cannot read the agent bundle ${bundle}: ${error.code ?? error.message}`);
  });
  if (actual !== digest) {
    throw new AppError(
      'conflict',
      `the agent bundle ${bundle} has sha256 ${actual}, not ${digest} — the copy is damaged or not the one meant; send it again`,
    );
  }
  const nodeBinary = resolve(options.nodeBinary ?? process.execPath);
  await access(nodeBinary, constants.X_OK).catch(() => {
    throw new AppError('not-found', `the Node.js binary ${nodeBinary} does not exist or is not executable`);
  });

  const target = installedBundlePath(paths, digest);
  await copyAtomic(bundle, target, 0o644);
  await writeFileAtomic(paths.launcher, launcherScript(nodeBinary, target), 0o755, 0o755);
  await writeFileAtomic(hdctlLauncher(paths), launcherScript(nodeBinary, target, 'hdctl'), 0o755, 0o755);
  for (const { link, target: to } of commandLinks(paths)) await linkAtomic(to, link);
  log(`installed agent ${digest.slice(0, 12)} at ${target}`);
  for (const file of await ensureRootSubIds(paths)) log(`gave root the subordinate ids ${DEFAULT_SUB_IDS} in ${file} (unprivileged containers)`);

  const realNode = resolve(paths.root) === '/';
  if (realNode) {
    await ensureGroup(log);
    await writeFileAtomic(SYSTEMD_UNIT_PATH, SYSTEMD_UNIT, 0o644, 0o755);
  }
  let hello: Hello;
  if (realNode && systemdManaged(paths)) {
    await runChecked('systemctl', ['daemon-reload']);
    await runChecked('systemctl', ['enable', SERVICE]);
    await runChecked('systemctl', ['restart', SERVICE]);
    hello = await waitForHello(paths);
  } else {
    if (await stopAgent(paths, log)) log('stopped the running agent daemon');
    hello = await startAgent(paths, { file: paths.launcher, args: ['daemon'] });
  }
  if (hello.agentDigest !== digest) {
    throw new AppError(
      'conflict',
      `the agent daemon on node ${paths.node} runs bundle ${hello.agentDigest}, not the ${digest} just installed`,
    );
  }
  return { installed: digest, version: hello.agentVersion };
};
