// `hyperdesk-agent console <ctid> ct-console|ct-shell`: a container's /dev/console (lxc-console -t 0) or a login shell
// inside it (lxc-attach), run on the pty the app's SSH channel gives. Both put that pty in raw mode and pass window
// size changes on themselves, so unlike the VM relay the agent only checks, then hands over its stdio.
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../api/errors';
import { EXIT_NOPERM, EXIT_UNAVAILABLE } from '../bridge/bridge';
import type { AgentPaths } from '../daemon/paths';
import { run } from '../exec/run';
import { runOnTerminal } from '../exec/run-on-terminal';
import { lxcConfigFile, lxcTarget } from './lxc-paths';

export const ctConsoleKinds = ['ct-console', 'ct-shell'] as const;
export type CtConsoleKind = (typeof ctConsoleKinds)[number];

export const isCtConsoleKind = (kind: string): kind is CtConsoleKind => ctConsoleKinds.some((k) => k === kind);

/** Login shells, best first: bash where the container has it (Debian, Ubuntu…), else /bin/sh (Alpine's busybox). */
export const CT_SHELLS = ['/bin/bash', '/bin/sh'] as const;
export type CtShell = (typeof CT_SHELLS)[number];

export interface CtConsolePlan {
  command: string;
  args: string[];
}

/**
 * The command for a kind; every word is a constant or the validated ctid, nothing reaches a shell.
 * ct-console: tty 0 is the container's /dev/console; `-e -1` turns the escape key off (lxc-console only honours an
 * escape >= 1) so Ctrl-A reaches the container. ct-shell: a clean environment, as PVE's `pct enter` has.
 */
export const ctConsolePlan = (
  paths: Pick<AgentPaths, 'root'>,
  ctid: number,
  kind: CtConsoleKind,
  shell: CtShell = '/bin/sh',
): CtConsolePlan => {
  switch (kind) {
    case 'ct-console':
      return { command: 'lxc-console', args: [...lxcTarget(paths, ctid), '-t', '0', '-e', '-1'] };
    case 'ct-shell':
      return {
        command: 'lxc-attach',
        args: [
          ...lxcTarget(paths, ctid),
          '--clear-env',
          '--set-var',
          'TERM=xterm-256color',
          '--set-var',
          'HOME=/root',
          '--',
          shell,
          '-l',
        ],
      };
  }
};

/** `lxc-info -s -p` output: `State:  RUNNING` and, while it runs, `PID:  1234` (its init, as the node sees it). */
export const parseLxcInfo = (text: string): { state: string | undefined; pid: number | undefined } => {
  const state = /^State:\s*(\S+)/m.exec(text)?.[1];
  const pid = /^PID:\s*(\d+)/m.exec(text)?.[1];
  return { state, pid: pid === undefined ? undefined : Number(pid) };
};

const MAX_SYMLINKS = 40;

/**
 * Whether `path` is an executable file in the tree at `root`, resolving symlinks as the container would: an absolute
 * target starts at `root`, not at the node's /, and `..` never leaves it (`/bin -> usr/bin`, `/bin/sh -> /bin/busybox`).
 */
export const isExecutableIn = async (root: string, path: string): Promise<boolean> => {
  const words = (text: string) => text.split('/').filter((w) => w !== '' && w !== '.');
  let pending = words(path);
  const resolved: string[] = [];
  let links = 0;
  for (let word = pending.shift(); word !== undefined; word = pending.shift()) {
    if (word === '..') {
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, word);
    const stat = await lstat(here).catch(() => undefined);
    if (stat === undefined) return false;
    if (stat.isSymbolicLink()) {
      if ((links += 1) > MAX_SYMLINKS) return false;
      const target = await readlink(here);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...words(target), ...pending];
    } else if (pending.length === 0) return stat.isFile() && (stat.mode & 0o111) !== 0;
    else if (!stat.isDirectory()) return false;
    else resolved.push(word);
  }
  return false;
};

/** The best login shell the container has; its root is a running init's /proc/<pid>/root, so any storage works. */
export const chooseShell = async (root: string): Promise<CtShell> => {
  for (const shell of CT_SHELLS) if (await isExecutableIn(root, shell)) return shell;
  return '/bin/sh';
};

/** Check the container exists and runs, then plan the command; throws AppError saying what to do. */
export const prepareCtConsole = async (
  paths: Pick<AgentPaths, 'root'>,
  ctid: number,
  kind: CtConsoleKind,
): Promise<CtConsolePlan> => {
  const config = lxcConfigFile(paths, ctid);
  const exists = await lstat(config).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      if (error.code === 'EACCES') throw new AppError('access-denied', `you may not read ${config} — connect as root`);
      throw new AppError('internal-error', `cannot read ${config}: ${error.message}`);
    },
  );
  if (!exists) throw new AppError('not-found', `CT ${ctid} does not exist on this node (no ${config})`);
  const info = await run('lxc-info', [...lxcTarget(paths, ctid), '-s', '-p'], { timeoutMs: 10_000 });
  if (info.code !== 0)
    throw new AppError(
      'command-failed',
      `lxc-info on CT ${ctid} failed: ${info.stderr.trim() || `exit code ${info.code}`}`,
      {
        exitCode: info.code,
      },
    );
  const { state, pid } = parseLxcInfo(info.stdout);
  if (state !== 'RUNNING') throw new AppError('not-found', `CT ${ctid} is not running — start it first`, { state });
  if (kind === 'ct-console' || pid === undefined) return ctConsolePlan(paths, ctid, kind);
  return ctConsolePlan(paths, ctid, kind, await chooseShell(`/proc/${pid}/root`));
};

/** The CLI entry for a validated ctid and kind: resolves with the process exit code (never rejects). */
export const runCtConsole = async (
  paths: Pick<AgentPaths, 'root'>,
  ctid: number,
  kind: CtConsoleKind,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> => {
  try {
    const plan = await prepareCtConsole(paths, ctid, kind);
    return await runOnTerminal(plan.command, plan.args);
  } catch (error) {
    const appError = AppError.from(error);
    stderr.write(`error (${appError.code}): ${appError.message}\n`);
    return appError.code === 'access-denied' ? EXIT_NOPERM : EXIT_UNAVAILABLE;
  }
};
