import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../api/task';
import { loadTaskIndex } from './task-index';
import { encodeUpid } from './upid';
import { tempDirForTest } from '../fs/temp-dir';

const task = (starttime: number): TaskInfo => ({
  upid: encodeUpid({ node: 'n1', pid: 42, pstart: 4242, starttime, type: 'test', id: '100', user: 'root@pam' }),
  node: 'n1',
  type: 'test',
  id: '100',
  user: 'root@pam',
  starttime,
  status: 'stopped',
  exitstatus: 'OK',
});

let dir: string;
let path: string;
let logged: string[];
beforeEach(async () => {
  dir = await tempDirForTest('hd-task-index-');
  path = join(dir, 'index.json');
  logged = [];
});

describe('loadTaskIndex', () => {
  it('is an empty list when there is no index yet', async () => {
    expect(await loadTaskIndex(path, (m) => logged.push(m))).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('returns the valid tasks oldest first and drops entries it cannot read', async () => {
    await writeFile(
      path,
      JSON.stringify({ version: 1, tasks: [task(1_700_000_002), { upid: 'nonsense' }, task(1_700_000_001)] }),
    );
    const tasks = await loadTaskIndex(path, (m) => logged.push(m));
    expect(tasks.map((t) => t.starttime)).toEqual([1_700_000_001, 1_700_000_002]);
  });

  it.each([
    ['text that is not JSON', '{ "version": 1, "tasks": ['],
    ['an index of another version', JSON.stringify({ version: 2, tasks: [] })],
  ])('moves %s aside as .corrupt-<time>, logs it by name and starts empty', async (_what, contents) => {
    await writeFile(path, contents);
    expect(await loadTaskIndex(path, (m) => logged.push(m))).toEqual([]);
    const names = await readdir(dir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^index\.json\.corrupt-\d+$/);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`the task index ${path} is not valid`);
    expect(logged[0]).toContain(`moved it to ${join(dir, names[0]!)}`);
  });
});
