import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, isAppError } from '../api/errors';
import { writeFileAtomic } from './atomic-file';
import { readJsonFile } from './json-file';
import { tempDirForTest } from './temp-dir';

const Settings = z.object({
  version: z.literal(1),
  hosts: z.array(z.object({ name: z.string().min(1) })),
  tick: z.number().default(10),
});

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-json-file-');
  path = join(dir, 'settings.json');
});

describe('readJsonFile', () => {
  it('is undefined when the file does not exist', async () => {
    expect(await readJsonFile(path, Settings)).toBeUndefined();
  });

  it('reads back what writeFileAtomic wrote, as the schema parses it (defaults filled in)', async () => {
    await writeFileAtomic(path, JSON.stringify({ version: 1, hosts: [{ name: 'n1' }] }));
    expect(await readJsonFile(path, Settings)).toEqual({ version: 1, hosts: [{ name: 'n1' }], tick: 10 });
  });

  it('calls text that is not JSON invalid-params, naming the file, and leaves the file alone', async () => {
    await writeFile(path, '{ not json');
    const error = await readJsonFile(path, Settings).catch((e: unknown) => e);
    expect(isAppError(error, 'invalid-params')).toBe(true);
    expect((error as AppError).message).toContain(`${path} is not valid: `);
    expect((error as AppError).details).toEqual({ path });
    expect(await readFile(path, 'utf8')).toBe('{ not json');
  });

  it('says where the content breaks the schema', async () => {
    await writeFile(path, JSON.stringify({ version: 1, hosts: [{ name: '' }] }));
    const error = await readJsonFile(path, Settings).catch((e: unknown) => e);
    expect(isAppError(error, 'invalid-params')).toBe(true);
    expect((error as AppError).message).toMatch(new RegExp(`^${path} is not valid: hosts\\.0\\.name: `));
  });

  it("throws the caller's own error for bad content, with the reason", async () => {
    await writeFile(path, JSON.stringify({ version: 2, hosts: [] }));
    const error = await readJsonFile(
      path,
      Settings,
      (reason) => new AppError('protocol-error', `not a settings file (${reason})`),
    ).catch((e: unknown) => e);
    expect(isAppError(error, 'protocol-error')).toBe(true);
    expect((error as AppError).message).toMatch(/^not a settings file \(version: .+\)$/);
  });

  it('calls any other read failure internal-error, naming the file', async () => {
    await mkdir(path);
    const error = await readJsonFile(path, Settings, () => new AppError('protocol-error', 'not used')).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, 'internal-error')).toBe(true);
    expect((error as AppError).message).toContain(`cannot read ${path}: `);
  });
});
