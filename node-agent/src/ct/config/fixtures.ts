// The sample container configs under ct/__fixtures__/configs, read for the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CT_FIXTURE_NAMES = [
  'debian-bind',
  'ubuntu-nesting',
  'alpine-proxy',
  'snapshots-pending',
  'template',
] as const;
export type CtFixtureName = (typeof CT_FIXTURE_NAMES)[number];

export const ctFixtureText = (name: CtFixtureName): string =>
  readFileSync(join(import.meta.dirname, '..', '__fixtures__', 'configs', `${name}.conf`), 'utf8');
