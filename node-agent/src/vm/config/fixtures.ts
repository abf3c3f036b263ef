// The sample configs under vm/__fixtures__/configs, read once for the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_NAMES = [
  'debian-cloudinit',
  'windows11',
  'snapshots-pending',
  'template',
  'linked-clone',
  'router',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export const fixtureText = (name: FixtureName): string =>
  readFileSync(join(import.meta.dirname, '..', '__fixtures__', 'configs', `${name}.conf`), 'utf8');
