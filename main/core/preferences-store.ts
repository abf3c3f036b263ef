// UI preferences (preferences.json): theme and language, defaults filled in, every write atomic and serialized.
import { join } from 'node:path';
import { AppError } from '../../node-agent/src/api';
import { Preferences } from './app-api';
import { CONFIG_FILES } from './config-schema';
import { writeFileAtomic } from '../../node-agent/src/fs/atomic-file';
import { readJsonFile } from '../../node-agent/src/fs/json-file';

export class PreferencesStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private current: Preferences,
  ) {}

  /** Missing file: defaults. Invalid file: AppError('invalid-params') naming it (never overwritten silently). */
  static async load(configDir: string): Promise<PreferencesStore> {
    const path = join(configDir, CONFIG_FILES.preferences);
    const saved = await readJsonFile(path, Preferences, (reason) => invalid(configDir, reason));
    return new PreferencesStore(path, saved ?? Preferences.parse({}));
  }

  get(): Preferences {
    return { ...this.current };
  }

  /** Merge `change` into the preferences and save; returns the result. */
  set(change: { [K in keyof Preferences]?: Preferences[K] | undefined }): Promise<Preferences> {
    const run = async () => {
      const next = Preferences.parse({ ...this.current, ...stripUndefined(change) });
      await writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`);
      this.current = next;
      return { ...next };
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

const stripUndefined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

const invalid = (configDir: string, reason: string) =>
  new AppError('invalid-params', `${CONFIG_FILES.preferences} in ${configDir} is not valid: ${reason} — fix or delete the file`, {
    path: join(configDir, CONFIG_FILES.preferences),
  });
