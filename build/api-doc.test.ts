// docs/api.md must say what the contract says: regenerate with `npm run docs` after changing node-agent/src/api.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { methodNames } from '../node-agent/src/api';
import { apiDoc } from './api-doc';

describe('docs/api.md', () => {
  it('is generated from the current contract', async () => {
    expect(await readFile('docs/api.md', 'utf8')).toBe(apiDoc());
  });

  it('documents every method with its schemas', () => {
    const doc = apiDoc();
    for (const name of methodNames) expect(doc).toContain(`### ${name}\n`);
    expect(doc).toContain('"timeframe"');
  });
});
