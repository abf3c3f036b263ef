// Reading a JSON file through a zod schema, the counterpart of atomic-file's writer for the app's and the agent's files.
// A missing file is not an error (each caller has its own default); anything else wrong is an AppError naming the file.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { AppError } from '../api/errors';

/** Builds the error for a file whose content is not JSON or not what the schema wants; `reason` says what is wrong. */
export type InvalidJsonFile = (reason: string) => AppError;

/** The default: invalid-params, naming the file, with its path in the details. */
export const invalidJsonFile =
  (path: string): InvalidJsonFile =>
  (reason) =>
    new AppError('invalid-params', `${path} is not valid: ${reason}`, { path });

/** The schema's first complaint, with where it is in the file (`clusters.0.id: …`). */
export const firstIssue = (error: z.ZodError): string => {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return `${where}${first?.message ?? 'unexpected content'}`;
};

/**
 * The file's content as the schema parses it, or undefined when there is no such file.
 * Content that is not JSON, or not what the schema wants: the error `invalid` builds (default: invalid-params).
 * Any other read failure (permissions, a directory in the way): internal-error naming the file.
 */
export const readJsonFile = async <S extends z.ZodType>(
  path: string,
  schema: S,
  invalid: InvalidJsonFile = invalidJsonFile(path),
): Promise<z.output<S> | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('internal-error', `cannot read ${path}: ${(error as Error).message}`, { path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid(firstIssue(parsed.error));
  return parsed.data;
};
