// Test support: small rootfs trees in a temp folder, described as {path: content} with symlinks as {link: target}.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type FixtureEntry = string | { link: string } | { dir: true };

/** Create the entries under `root` (a temp folder from tempDirForTest). */
export const makeRootfs = async (root: string, entries: Record<string, FixtureEntry>): Promise<string> => {
  for (const [path, entry] of Object.entries(entries)) {
    const host = join(root, path);
    await mkdir(dirname(host), { recursive: true });
    if (typeof entry === 'string') await writeFile(host, entry);
    else if ('link' in entry) await symlink(entry.link, host);
    else await mkdir(host, { recursive: true });
  }
  return root;
};
