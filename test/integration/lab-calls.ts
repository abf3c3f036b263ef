// What the lab integration tests share for talking to a node through the app's core: waiting for a condition,
// agent calls, waiting for a task, refusals as AppErrors, and a loop-mounted btrfs file system inside a node.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, type MethodName, type Params, type Result, type TaskInfo } from '../../node-agent/src/api';
import { run, runChecked } from '../../node-agent/src/exec/run';
import type { HyperdeskCore } from '../../main/core/core';
import type { Lab } from '../lab/lab-api';
import { pollUntil } from '../lab/processes';

/** Poll `check` until it returns a value other than undefined or false, or fail naming what did not happen. */
export const until = <T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> =>
  pollUntil(
    what,
    async () => {
      const value = await check();
      return value === false ? undefined : value;
    },
    timeoutMs,
    intervalMs,
  );

/** The AppError a promise rejects with, or undefined when it resolves. */
export const refusal = (promise: Promise<unknown>): Promise<AppError | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => AppError.from(error),
  );

/** Agent calls on one node through the core (read when called: tests create the core in beforeAll). */
export const agentCalls = (core: () => HyperdeskCore, node: string) => {
  const call = <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> =>
    core().handle('agent.call', { node, method, params }) as Promise<Result<M>>;
  /** Wait for a task to end; fail with its log when it did not end OK. */
  const finished = async ({ upid }: { upid: string }, timeoutMs = 120_000): Promise<TaskInfo> => {
    const task = await until(
      `task ${upid}`,
      async () => {
        const status = await call('task.status', { upid });
        return status.status === 'stopped' ? status : undefined;
      },
      timeoutMs,
    );
    if (task.exitstatus !== 'OK') {
      const log = await call('task.log', { upid, start: 0, limit: 500 });
      throw new Error(`task ${upid} ended ${task.exitstatus}:\n${log.lines.map((line) => line.t).join('\n')}`);
    }
    return task;
  };
  return { call, finished };
};

/**
 * A 512 MiB btrfs file system on a loop device, mounted at `path` inside a node's root (the host's mounts reach the
 * node). The agent runs in a mount namespace copied when it started: `mount` restarts it so it sees the new mount.
 */
export const loopBtrfs = (lab: () => Lab, node: string, imageName: string, path: string) => {
  let loop: string | undefined;
  let mounted = false;
  const mountPoint = () => join(lab().node(node).root, path);
  return {
    async mount(): Promise<void> {
      const image = join(lab().node(node).dir, imageName);
      await runChecked('truncate', ['-s', '512M', image]);
      await runChecked('mkfs.btrfs', ['-q', '-f', image]);
      loop = (await runChecked('losetup', ['--find', '--show', image])).stdout.trim();
      await mkdir(mountPoint(), { recursive: true });
      await runChecked('mount', ['-t', 'btrfs', loop, mountPoint()]);
      mounted = true;
      await lab().stopAgent(node);
      await lab().startAgent(node);
    },
    /**
     * Unmount before the lab removes the node's root (never leave a mount or a loop device behind); the agent's
     * namespace holds a copy of the mount, so the agent stops first.
     */
    async release(): Promise<void> {
      if (mounted) {
        await lab().stopAgent(node).catch(() => undefined);
        await run('umount', ['-l', mountPoint()]);
      }
      if (loop !== undefined) await run('losetup', ['-d', loop]);
    },
  };
};
