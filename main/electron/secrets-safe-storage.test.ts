// Electron's safeStorage cannot run here (no Electron binary, no keychain); the cipher below is a reversible
// stand-in, so this tests the store's file format, atomic updates and the no-keychain fallback.
import { beforeEach, describe, expect, it } from 'vitest';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../node-agent/src/api/errors';
import { NO_KEYCHAIN_MESSAGE, SafeStorageSecretStore, type KeychainCipher } from './secrets-safe-storage';
import { tempDirForTest } from '../../node-agent/src/fs/temp-dir';

const cipher = (available = true, backend = 'gnome_libsecret'): KeychainCipher => ({
  isEncryptionAvailable: () => available,
  encryptString: (text) => Buffer.from(`enc:${text}`, 'utf8').reverse(),
  decryptString: (data) => {
    const text = Buffer.from(data).reverse().toString('utf8');
    if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return text.slice(4);
  },
  getSelectedStorageBackend: () => backend,
});

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await tempDirForTest('hd-secrets-');
  file = join(dir, 'secrets.json');
});

describe('SafeStorageSecretStore (stand-in cipher: safeStorage cannot run here)', () => {
  it('keeps only ciphertext on disk, mode 0600, and reads it back in a new store', async () => {
    await new SafeStorageSecretStore(file, cipher()).set('ssh:lab/n1', 'hunter2');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('hunter2');
    const saved = JSON.parse(text) as { version: number; secrets: Record<string, string> };
    expect(saved.version).toBe(1);
    expect(Buffer.from(saved.secrets['ssh:lab/n1'] ?? '', 'base64').length).toBeGreaterThan(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await new SafeStorageSecretStore(file, cipher()).get('ssh:lab/n1')).toBe('hunter2');
  });

  it('does not lose concurrent updates', async () => {
    const store = new SafeStorageSecretStore(file, cipher());
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`ssh:lab/n${i}`, `secret-${i}`)));
    const fresh = new SafeStorageSecretStore(file, cipher());
    for (let i = 0; i < 20; i++) expect(await fresh.get(`ssh:lab/n${i}`)).toBe(`secret-${i}`);
  });

  it('deletes from disk and from the session', async () => {
    const store = new SafeStorageSecretStore(file, cipher());
    await store.set('ssh:a/x', 'one');
    await store.set('ssh:a/y', 'two');
    await store.delete('ssh:a/x');
    expect(await store.get('ssh:a/x')).toBeUndefined();
    expect(await new SafeStorageSecretStore(file, cipher()).get('ssh:a/x')).toBeUndefined();
    expect(await new SafeStorageSecretStore(file, cipher()).get('ssh:a/y')).toBe('two');
  });

  it.each([
    ['encryption is unavailable', cipher(false)],
    ['Linux falls back to the basic_text backend', cipher(true, 'basic_text')],
  ])('when %s: refuses with not-supported, keeps the secret for the session, writes nothing', async (_why, c) => {
    const store = new SafeStorageSecretStore(file, c);
    const error = await store.set('ssh:lab/n1', 'hunter2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'not-supported', message: NO_KEYCHAIN_MESSAGE });
    expect(await store.get('ssh:lab/n1')).toBe('hunter2');
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await new SafeStorageSecretStore(file, c).get('ssh:lab/n1')).toBeUndefined();
  });

  it('names the account when a saved secret cannot be decrypted', async () => {
    await writeFile(file, JSON.stringify({ version: 1, secrets: { 'ssh:lab/n1': Buffer.from('garbage').toString('base64') } }));
    const error = await new SafeStorageSecretStore(file, cipher()).get('ssh:lab/n1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'internal-error' });
    expect((error as AppError).message).toContain('ssh:lab/n1');
  });

  it('refuses a file that is not a secrets file instead of overwriting it', async () => {
    await writeFile(file, '{"not":"ours"}');
    const store = new SafeStorageSecretStore(file, cipher());
    await expect(store.set('ssh:lab/n1', 'x')).rejects.toMatchObject({ code: 'internal-error' });
    expect(await readFile(file, 'utf8')).toBe('{"not":"ours"}');
  });
});
