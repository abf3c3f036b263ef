// A SecretStore that keeps secrets in this process's memory only, for the CLI and the browser host:
// nothing is written to disk, and everything is gone when the process ends (the person is asked again).
import type { SecretStore } from './core-api';

export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();

  get(account: string): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(account));
  }

  set(account: string, secret: string): Promise<void> {
    this.secrets.set(account, secret);
    return Promise.resolve();
  }

  delete(account: string): Promise<void> {
    this.secrets.delete(account);
    return Promise.resolve();
  }
}
