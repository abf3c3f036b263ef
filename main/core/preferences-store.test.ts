import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../node-agent/src/api';
import { PreferencesStore } from './preferences-store';
import { tempDirForTest } from '../../node-agent/src/fs/temp-dir';

let dir: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-preferences-');
});

describe('PreferencesStore', () => {
  it('starts from the defaults when preferences.json is missing', async () => {
    expect((await PreferencesStore.load(dir)).get()).toEqual({ theme: 'system', language: 'en' });
  });

  it('keeps a change across a reload, defaults filled in for what the file leaves out', async () => {
    await writeFile(join(dir, 'preferences.json'), JSON.stringify({ language: 'zh-CN' }));
    const store = await PreferencesStore.load(dir);
    expect(store.get()).toEqual({ theme: 'system', language: 'zh-CN' });
    expect(await store.set({ theme: 'dark', language: undefined })).toEqual({ theme: 'dark', language: 'zh-CN' });
    expect((await PreferencesStore.load(dir)).get()).toEqual({ theme: 'dark', language: 'zh-CN' });
  });

  it('reports an invalid file by name with invalid-params and leaves it alone', async () => {
    const path = join(dir, 'preferences.json');
    for (const content of ['{ not json', JSON.stringify({ theme: 'pink' })]) {
      await writeFile(path, content);
      const error = await PreferencesStore.load(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'invalid-params', details: { path } });
      expect((error as AppError).message).toContain(`preferences.json in ${dir} is not valid`);
      expect(await readFile(path, 'utf8')).toBe(content);
    }
  });
});
