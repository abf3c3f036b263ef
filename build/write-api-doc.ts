// `npm run docs`: regenerate docs/api.md from the contract.
import { writeFile } from 'node:fs/promises';
import { apiDoc } from './api-doc';

await writeFile('docs/api.md', apiDoc());
