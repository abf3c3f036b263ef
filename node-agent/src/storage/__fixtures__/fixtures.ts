// storage.cfg fixtures for the storage model tests: storage.cfg is a realistic PVE file (several types, network
// types with keys we do not know, comments before and inside sections, flags, spaces instead of tabs in one section,
// trailing whitespace); storage.crlf.cfg the same with CRLF line ends; storage.no-final-newline.cfg ends mid-line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixture = (name: string): string => readFileSync(join(import.meta.dirname, name), 'utf8');
