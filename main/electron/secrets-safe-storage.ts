// Secrets through the OS keychain: Electron safeStorage encrypts, <userData>/secrets.json keeps the ciphertext.
// Without a real keychain the secret is refused for disk and kept for this session only.
import { z } from 'zod';
import { AppError } from '../../node-agent/src/api/errors';
import { writeFileAtomic } from '../../node-agent/src/fs/atomic-file';
import { readJsonFile } from '../../node-agent/src/fs/json-file';
import type { SecretStore } from '../core/core-api';

/** The part of Electron's safeStorage this store uses; main.ts passes electron's own object. */
export interface KeychainCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means a hard-coded key, which is no keychain at all. */
  getSelectedStorageBackend?(): string;
}

const SecretsFile = z.object({ version: z.literal(1), secrets: z.record(z.string(), z.string()) });
type SecretsFile = z.infer<typeof SecretsFile>;

export const NO_KEYCHAIN_MESSAGE = 'no OS keychain available; the secret is kept for this session only';

export class SafeStorageSecretStore implements SecretStore {
  private readonly session = new Map<string, string>();
  /** Read-modify-write of the file is serialized so two set() calls cannot lose each other's change. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly cipher: KeychainCipher,
  ) {}

  /** True when secrets can be kept on disk, encrypted by the OS keychain. */
  keychainAvailable(): boolean {
    if (!this.cipher.isEncryptionAvailable()) return false;
    return this.cipher.getSelectedStorageBackend?.() !== 'basic_text';
  }

  async get(account: string): Promise<string | undefined> {
    const inSession = this.session.get(account);
    if (inSession !== undefined) return inSession;
    if (!this.keychainAvailable()) return undefined;
    const stored = (await this.read()).secrets[account];
    if (stored === undefined) return undefined;
    try {
      return this.cipher.decryptString(Buffer.from(stored, 'base64'));
    } catch (error) {
      throw new AppError('internal-error', `the saved secret for ${account} could not be decrypted by the OS keychain — enter it again`, {
        cause: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Keeps the secret for this session in any case; throws not-supported when it cannot also go to disk. */
  async set(account: string, secret: string): Promise<void> {
    this.session.set(account, secret);
    if (!this.keychainAvailable()) throw new AppError('not-supported', NO_KEYCHAIN_MESSAGE, { account });
    const ciphertext = this.cipher.encryptString(secret).toString('base64');
    await this.update((secrets) => ({ ...secrets, [account]: ciphertext }));
  }

  async delete(account: string): Promise<void> {
    this.session.delete(account);
    if (!this.keychainAvailable()) return;
    await this.update(({ [account]: _removed, ...rest }) => rest);
  }

  private update(change: (secrets: SecretsFile['secrets']) => SecretsFile['secrets']): Promise<void> {
    const next = this.queue.then(async () => {
      const current = await this.read();
      const file: SecretsFile = { version: 1, secrets: change(current.secrets) };
      await writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`, 0o600);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<SecretsFile> {
    const notOurs = () =>
      new AppError('internal-error', `${this.file} is not a Hyperdesk secrets file — move it aside and enter the secrets again`);
    return (await readJsonFile(this.file, SecretsFile, notOurs)) ?? { version: 1, secrets: {} };
  }
}
