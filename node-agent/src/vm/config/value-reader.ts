// Reading a section's flat values into a typed view (VM typed.ts, container typed.ts): every value as text, and a
// parse error becomes AppError invalid-params naming the key.
import { AppError } from '../../api/errors';
import type { ConfigValues } from './config-errors';
import { parsePropertyString } from './property-string';

export interface ValueReader {
  /** The values as text. */
  readonly values: Record<string, string>;
  /** `parse` of the key's value ('' when absent); what it throws becomes invalid-params `key: message`. */
  readonly read: <T>(key: string, parse: (value: string) => T) => T;
  /** A property string's options (`defaultKey` may be given bare); {} when the key is absent. */
  readonly options: (key: string, defaultKey?: string) => Record<string, string>;
}

export const valueReader = (input: ConfigValues): ValueReader => {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(input))
    Object.defineProperty(values, key, { value: String(value), enumerable: true });
  const read = <T>(key: string, parse: (value: string) => T): T => {
    try {
      return parse(values[key] ?? '');
    } catch (error) {
      throw new AppError('invalid-params', `${key}: ${error instanceof Error ? error.message : String(error)}`, {
        key,
      });
    }
  };
  const options = (key: string, defaultKey?: string): Record<string, string> =>
    values[key] === undefined ? {} : read(key, (v) => Object.fromEntries(parsePropertyString(v, defaultKey)));
  return { values, read, options };
};
