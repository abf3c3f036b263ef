import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDirForTest } from './temp-dir';

const made: string[] = [];
const seenInAfterEach: boolean[] = [];
let dir: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-temp-dir-');
  made.push(dir);
});
afterEach(() => {
  // Still there for the afterEach hooks, which may need it (flushing a store into it, say).
  seenInAfterEach.push(existsSync(dir));
});

describe('tempDirForTest', () => {
  it('gives each test a fresh folder under the OS temp dir, with the prefix', async () => {
    expect(dir.startsWith(join(tmpdir(), 'hd-temp-dir-'))).toBe(true);
    await writeFile(join(dir, 'file'), 'x');
  });

  it('removed the previous test folder, with what was in it, after the afterEach hooks had it', () => {
    expect(seenInAfterEach).toEqual([true]);
    expect(made).toHaveLength(2);
    expect(existsSync(made[0]!)).toBe(false);
    expect(made[1]).not.toBe(made[0]);
    expect(existsSync(dir)).toBe(true);
  });
});
