// The per-key half of checking a guest config (VM or container), driven by the guest's key table: every problem is
// collected so the caller sees them all at once, then thrown as one AppError invalid-params with details.errors.
import { AppError } from '../../api/errors';
import type { GuestKeyDef } from './key-checks';

export type ConfigValues = Readonly<Record<string, string | number>>;

export type ConfigSection = 'current' | 'pending' | 'snapshot';

export const asText = (value: string | number): string => (typeof value === 'number' ? String(value) : value);

export interface ConfigErrors {
  /** key → message (the message starts with the key); the first problem of a key wins. */
  readonly errors: Record<string, string>;
  readonly add: (key: string, problem: string) => void;
}

/** Checks each key/value against `keyDef` (unknown keys, snapshot-only, internal, one line, the key's own check). */
export const keyErrors = (
  entries: Iterable<readonly [string, string]>,
  keyDef: (key: string) => GuestKeyDef<unknown> | undefined,
  options: { readonly forCreate: boolean; readonly section: ConfigSection },
): ConfigErrors => {
  const { forCreate, section } = options;
  const errors: Record<string, string> = {};
  const add = (key: string, problem: string) => {
    if (!Object.hasOwn(errors, key))
      Object.defineProperty(errors, key, { value: `${key}: ${problem}`, enumerable: true, writable: true });
  };
  for (const [key, value] of entries) {
    if (key === 'delete' && section === 'pending') continue;
    const def = keyDef(key);
    if (!def) {
      add(key, 'unknown config key');
      continue;
    }
    if (def.snapshotOnly && section !== 'snapshot') add(key, 'is only valid in a snapshot');
    else if (def.internal && forCreate) add(key, 'is managed by the system and cannot be set');
    // description is the one multi-line value: it is written as `#` lines, not as `key: value`.
    else if (key !== 'description' && (value.trim() !== value || value === '' || /[\r\n]/.test(value)))
      add(key, 'must be one line of text without leading or trailing spaces');
    else {
      const problem = def.check(value, { forCreate });
      if (problem !== undefined) add(key, problem);
    }
  }
  return { errors, add };
};

/** Throws one AppError invalid-params listing every problem (details.errors); returns when there is none. */
export const throwConfigErrors = (errors: Record<string, string>): void => {
  const messages = Object.values(errors);
  if (messages.length === 0) return;
  throw new AppError(
    'invalid-params',
    messages.length === 1 ? (messages[0] ?? '') : `${messages.length} problems: ${messages.join('; ')}`,
    { errors },
  );
};
