// Test support: a fresh folder under the OS temp dir for the running test, removed once the test is over (after its
// afterEach hooks, pass or fail). Call it from the test or from a beforeEach hook; never from production code.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export const tempDirForTest = async (prefix: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
};
