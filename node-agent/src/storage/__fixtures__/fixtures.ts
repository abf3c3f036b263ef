// storage.cfg fixtures for the storage model tests: storage.cfg is a realistic PVE file (several types, network
// types with keys we do not know, comments before and inside sections, flags, spaces instead of tabs in one section,
// trailing whitespace); storage.crlf.cfg the same with CRLF line ends; storage.no-final-newline.cfg ends mid-line.
import { readFileSync } from 'node:fs';
import { AppError } from '../../api/errors';
import { join } from 'node:path';

export const fixture = (name: string): string => readFileSync(join(import.meta.dirname, name), 'utf8');

/** The AppError a synchronous call throws; fails the test if it returns or throws anything else. */
export const thrown = (call: () => unknown): AppError => {
  try {
    call();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
};
