import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../api/errors';
import type { TaskInfo } from '../api/task';
import { agentPaths, type AgentPaths } from '../daemon/paths';
import { AGENT_STOPPED, MAX_FINISHED_TASKS, TaskManager } from './task-manager';

let root: string;
let paths: AgentPaths;
const managers: TaskManager[] = [];
const open = async () => {
  const manager = await TaskManager.open({ paths });
  managers.push(manager);
  return manager;
};
const spec = { type: 'test', id: '100', user: 'root@pam' };
const noop = () => Promise.resolve();

/** A promise the test resolves by hand: the task body waits on it. */
const gate = () => {
  let release = () => undefined as void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
};

const caught = async (action: () => unknown): Promise<unknown> => {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
};

const allLines = async (manager: TaskManager, upid: string) =>
  (await manager.log(upid, 0, 5000)).lines.map((line) => line.t);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-tasks-'));
  paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
});
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.dispose(100);
  await rm(root, { recursive: true, force: true });
});

describe('TaskManager', () => {
  it('runs a task: running at once, then OK, with start and end events and a PVE log', async () => {
    const manager = await open();
    const updates: TaskInfo[] = [];
    manager.onUpdate((task) => updates.push(task));
    const { promise, release } = gate();
    const upid = manager.spawn(spec, async (ctx) => {
      ctx.log('first line');
      await promise;
      await ctx.run('printf', ['%s\\n', 'out one', 'out two']);
      await ctx.run('ls', ['/nonexistent hyperdesk path']);
    });
    expect(manager.status(upid)).toMatchObject({
      upid,
      node: 'n1',
      type: 'test',
      id: '100',
      user: 'root@pam',
      status: 'running',
    });
    expect(manager.list({ limit: 10, source: 'active' }).map((task) => task.upid)).toEqual([upid]);
    release();
    const final = await manager.whenStopped(upid);
    expect(final).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    expect(final.endtime).toBeGreaterThanOrEqual(final.starttime);
    expect(updates.map((task) => task.status)).toEqual(['running', 'stopped']);
    const lines = await allLines(manager, upid);
    expect(lines.slice(0, 4)).toEqual(['first line', "# printf '%s\\n' 'out one' 'out two'", 'out one', 'out two']);
    expect(lines[4]).toBe("# ls '/nonexistent hyperdesk path'");
    expect(lines.some((line) => line.includes('No such file'))).toBe(true);
    expect(lines).toContain('ls: exit code 2');
    expect(lines.at(-1)).toBe('TASK OK');
  });

  it('ends WARNINGS: n when the body warned', async () => {
    const manager = await open();
    const upid = manager.spawn(spec, (ctx) => {
      ctx.warn('disk almost full');
      ctx.warn('clock skew');
      return Promise.resolve();
    });
    expect((await manager.whenStopped(upid)).exitstatus).toBe('WARNINGS: 2');
    expect(await allLines(manager, upid)).toEqual(['WARN: disk almost full', 'WARN: clock skew', 'TASK WARNINGS: 2']);
  });

  it('ends ERROR: message when the body throws, on one line', async () => {
    const manager = await open();
    const upid = manager.spawn(spec, () =>
      Promise.reject(new AppError('command-failed', 'qemu-img exited with code 1:\nno space left')),
    );
    expect((await manager.whenStopped(upid)).exitstatus).toBe('ERROR: qemu-img exited with code 1: no space left');
    expect((await allLines(manager, upid)).at(-1)).toBe('TASK ERROR: qemu-img exited with code 1: no space left');
  });

  it('refuses a task whose fields cannot form a UPID before starting anything', async () => {
    const manager = await open();
    expect(isAppError(await caught(() => manager.spawn({ ...spec, id: 'a:b' }, noop)), 'invalid-params')).toBe(true);
    expect(manager.list({ limit: 10, source: 'all' })).toEqual([]);
  });

  it('cancels through the AbortSignal: a running command is killed and the task ends ERROR: cancelled', async () => {
    const manager = await open();
    let started = () => undefined as void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const upid = manager.spawn(spec, async (ctx) => {
      started();
      await ctx.run('sleep', ['30']);
    });
    await running;
    manager.cancel(upid);
    const final = await manager.whenStopped(upid);
    expect(final.exitstatus).toBe('ERROR: cancelled');
    expect(await allLines(manager, upid)).toEqual([
      '# sleep 30',
      'received a request to cancel the task',
      'TASK ERROR: cancelled',
    ]);

    const again = await caught(() => manager.cancel(upid));
    expect(isAppError(again, 'conflict')).toBe(true);
    const unknown = 'UPID:n1:00000001:00000001:00000001:test:1:root@pam:';
    const missing = await caught(() => manager.cancel(unknown));
    expect(isAppError(missing, 'not-found')).toBe(true);
    expect((missing as Error).message).toContain(unknown);
    expect(isAppError(await caught(() => manager.status(unknown)), 'not-found')).toBe(true);
    expect(isAppError(await caught(() => manager.log(unknown, 0, 10)), 'not-found')).toBe(true);
  });

  it('throttles progress events to at most 4 per second and delivers the last value', async () => {
    const manager = await open();
    const progress: number[] = [];
    let sawFull = () => undefined as void;
    const full = new Promise<void>((resolve) => (sawFull = resolve));
    manager.onUpdate((task) => {
      if (task.progress === undefined) return;
      progress.push(task.progress);
      if (task.progress === 1) sawFull();
    });
    const { promise, release } = gate();
    const upid = manager.spawn(spec, async (ctx) => {
      for (let i = 1; i <= 1000; i += 1) ctx.progress(i / 1000);
      await promise;
    });
    await full;
    expect(progress.length).toBeLessThanOrEqual(3);
    expect(progress.at(-1)).toBe(1);
    expect(manager.status(upid).progress).toBe(1);
    release();
    expect((await manager.whenStopped(upid)).progress).toBeUndefined();
  });

  it('marks a task left running by a stopped agent as failed when a new manager opens the same folder', async () => {
    const first = await TaskManager.open({ paths });
    const upid = first.spawn(spec, async (ctx) => {
      ctx.log('working');
      await new Promise(() => undefined); // never ends: this "agent" dies under it
    });
    await first.persisted();
    const second = await open();
    const task = second.status(upid);
    expect(task).toMatchObject({ status: 'stopped', exitstatus: `ERROR: ${AGENT_STOPPED}` });
    expect(task.endtime).toBeGreaterThanOrEqual(task.starttime);
    expect((await allLines(second, upid)).at(-1)).toBe(`TASK ERROR: ${AGENT_STOPPED}`);
    const index = JSON.parse(await readFile(join(paths.data, 'tasks', 'index.json'), 'utf8')) as { tasks: TaskInfo[] };
    expect(index.tasks.find((entry) => entry.upid === upid)?.status).toBe('stopped');
  });

  it('keeps the history across restarts, newest first, filtered by source and type', async () => {
    const manager = await open();
    const done = manager.spawn({ ...spec, type: 'vzdump' }, noop);
    await manager.whenStopped(done);
    const other = manager.spawn({ ...spec, type: 'qmstart' }, noop);
    await manager.whenStopped(other);
    const { promise, release } = gate();
    const active = manager.spawn({ ...spec, type: 'qmstart' }, () => promise);
    await manager.persisted();

    expect(manager.list({ limit: 10, source: 'all' }).map((task) => task.upid)).toEqual([active, other, done]);
    expect(manager.list({ limit: 1, source: 'all' }).map((task) => task.upid)).toEqual([active]);
    expect(manager.list({ limit: 10, source: 'archive' }).map((task) => task.upid)).toEqual([other, done]);
    expect(manager.list({ limit: 10, source: 'all', type: 'vzdump' }).map((task) => task.upid)).toEqual([done]);
    release();
    await manager.whenStopped(active);
    await manager.persisted();

    const reopened = await open();
    expect(reopened.list({ limit: 10, source: 'all' }).map((task) => [task.upid, task.exitstatus])).toEqual([
      [active, 'OK'],
      [other, 'OK'],
      [done, 'OK'],
    ]);
  });

  it(`keeps only the newest ${MAX_FINISHED_TASKS} finished tasks`, async () => {
    const manager = await open();
    const upids: string[] = [];
    for (let i = 0; i < MAX_FINISHED_TASKS + 5; i += 1) upids.push(manager.spawn(spec, noop));
    await Promise.all(upids.map((upid) => manager.whenStopped(upid)));
    await manager.persisted();
    const listed = manager.list({ limit: 10_000, source: 'all' });
    expect(listed).toHaveLength(MAX_FINISHED_TASKS);
    expect(listed[0]!.upid).toBe(upids.at(-1));
    expect(listed.at(-1)!.upid).toBe(upids[5]);
    const index = JSON.parse(await readFile(join(paths.data, 'tasks', 'index.json'), 'utf8')) as { tasks: TaskInfo[] };
    expect(index.tasks).toHaveLength(MAX_FINISHED_TASKS);
  });

  it('on dispose, stops running tasks as ended by the agent stopping', async () => {
    const manager = await TaskManager.open({ paths });
    const upid = manager.spawn(spec, (ctx) => ctx.run('sleep', ['30']).then(() => undefined));
    await manager.dispose(2000);
    const reopened = await open();
    expect(reopened.status(upid).exitstatus).toBe(`ERROR: ${AGENT_STOPPED}`);
  });
});
