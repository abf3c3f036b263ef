import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../api/errors';
import { MAX_LOG_LINE_BYTES } from './log-lines';
import { TaskLogs, taskLogPath } from './task-log';
import { encodeUpid } from './upid';
import { tempDirForTest } from '../fs/temp-dir';

const upidAt = (starttime: number, id = '100') =>
  encodeUpid({ node: 'n1', pid: 42, pstart: 4242, starttime, type: 'test', id, user: 'root@pam' });

let dir: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-tasklog-');
});

describe('task log', () => {
  it('lives at <dir>/<last hex digit of starttime>/<UPID>', () => {
    const upid = upidAt(0x6543210f);
    expect(taskLogPath(dir, upid)).toBe(join(dir, 'F', upid));
    expect(() => taskLogPath(dir, 'UPID:n1:0000002A:00001092:6543210F:test:a/../../x:root@pam:')).toThrow(
      /cannot name a task log/,
    );
  });

  it('pages 10 000 lines while the task runs and after it ended', async () => {
    const logs = new TaskLogs(dir);
    const upid = upidAt(1_700_000_001);
    const writer = logs.create(upid);
    for (let i = 1; i <= 10_000; i += 1) writer.append(`line ${i}`);

    const first = await logs.read(upid, 0, 50);
    expect(first.total).toBe(10_000);
    expect(first.lines).toHaveLength(50);
    expect(first.lines[0]).toEqual({ n: 1, t: 'line 1' });
    expect(first.lines[49]).toEqual({ n: 50, t: 'line 50' });

    const middle = await logs.read(upid, 4095, 3);
    expect(middle.lines).toEqual([
      { n: 4096, t: 'line 4096' },
      { n: 4097, t: 'line 4097' },
      { n: 4098, t: 'line 4098' },
    ]);

    logs.finish(upid, 'TASK OK');
    const tail = await logs.read(upid, 9_998, 500);
    expect(tail.total).toBe(10_001);
    expect(tail.lines).toEqual([
      { n: 9_999, t: 'line 9999' },
      { n: 10_000, t: 'line 10000' },
      { n: 10_001, t: 'TASK OK' },
    ]);
    // Finished: the index is rebuilt from the file and must agree with the writer's.
    expect((await logs.read(upid, 4095, 1)).lines).toEqual([{ n: 4096, t: 'line 4096' }]);
    expect((await logs.read(upid, 10_001, 10)).lines).toEqual([]);

    const text = await readFile(taskLogPath(dir, upid), 'utf8');
    expect(text.split('\n')).toHaveLength(10_002);
    expect(text.endsWith('line 10000\nTASK OK\n')).toBe(true);
  });

  it('splits a 200 KiB line on character boundaries, the same way writing and reading', async () => {
    const logs = new TaskLogs(dir);
    const upid = upidAt(1_700_000_002);
    const writer = logs.create(upid);
    // 'é' is two bytes: an odd offset guarantees cuts would land mid-character without the boundary rule.
    const long = `x${'é'.repeat(100 * 1024)}`;
    writer.append('before');
    writer.append(long);
    writer.append('after');
    logs.finish(upid, 'TASK OK');
    const page = await logs.read(upid, 0, 100);
    expect(page.total).toBe(7);
    const pieces = page.lines.slice(1, 5).map((line) => line.t);
    expect(pieces.join('')).toBe(long);
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    expect(pieces.some((piece) => piece.includes('\ufffd'))).toBe(false);
    expect(page.lines.at(-2)).toEqual({ n: 6, t: 'after' });

    // A file written by someone else with the same long line reads back the same way.
    const foreign = upidAt(1_700_000_003);
    const path = taskLogPath(dir, foreign);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `before\n${long}\nafter\nTASK OK`);
    const other = await new TaskLogs(dir).read(foreign, 0, 100);
    expect(other.lines.map((line) => line.t)).toEqual(page.lines.map((line) => line.t));
  });

  it('turns invalid UTF-8 into valid text', async () => {
    const upid = upidAt(1_700_000_004);
    const path = taskLogPath(dir, upid);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from([0x6f, 0x6b, 0x0a, 0xff, 0xfe, 0xc3, 0x0a, 0x80, 0x41, 0x0a]));
    const page = await new TaskLogs(dir).read(upid, 0, 10);
    expect(page.total).toBe(3);
    expect(page.lines.map((line) => line.t)).toEqual(['ok', '\ufffd\ufffd\ufffd', '\ufffdA']);
    // And it survives a JSON round trip, as it must on the wire.
    expect(JSON.parse(JSON.stringify(page))).toEqual(page);
  });

  it('appends to a log left by a previous daemon, ending a partial last line first', async () => {
    const upid = upidAt(1_700_000_005);
    const path = taskLogPath(dir, upid);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, 'step 1\nstep 2 half');
    const logs = new TaskLogs(dir);
    expect((await logs.read(upid, 0, 10)).total).toBe(2);
    logs.appendToFinished(upid, 'TASK ERROR: the agent stopped');
    const page = await logs.read(upid, 0, 10);
    expect(page.lines.map((line) => line.t)).toEqual(['step 1', 'step 2 half', 'TASK ERROR: the agent stopped']);
  });

  it('says not-found for a log that does not exist', async () => {
    const error = await new TaskLogs(dir).read(upidAt(1_700_000_006), 0, 10).catch((caught: unknown) => caught);
    expect(isAppError(error, 'not-found')).toBe(true);
  });
});
