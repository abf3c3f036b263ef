// A lab node without Node.js: its sshd sets PATH to a folder of symlinks to every command this machine has except
// Node.js and what runs on it (node, nodejs, npm, npx, corepack, anything under node_modules), so `command -v node`
// finds nothing, as on a Debian node where nodejs was never installed, while sh, tar, sha256sum, ip, qemu… stay.
// /bin and /sbin are symlinks to /usr/bin and /usr/sbin on Debian 12, so no system folder can be on that PATH.
import { mkdir, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeLayout } from './lab-layout';

/** The system's command folders, in PATH order. */
export const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin'];

const NODE_COMMANDS = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack']);

/** Whether a command is Node.js or runs on it (by its name, or by where its symlinks lead). */
export const isNodejsCommand = (name: string, target: string, nodeBinaries: ReadonlySet<string>): boolean =>
  NODE_COMMANDS.has(name) || nodeBinaries.has(target) || target.includes('/node_modules/');

/** `<node dir>/bin`, the node's whole PATH. */
export const pathWithoutNodejsDir = (node: Pick<NodeLayout, 'dir'>): string => join(node.dir, 'bin');

/** Fill `<node dir>/bin` with the system's commands minus Node.js; resolves that folder (the PATH to set). */
export const writePathWithoutNodejs = async (
  node: Pick<NodeLayout, 'dir'>,
  folders: readonly string[] = SYSTEM_PATH,
): Promise<string> => {
  const bin = pathWithoutNodejsDir(node);
  await rm(bin, { recursive: true, force: true });
  await mkdir(bin, { recursive: true, mode: 0o755 });
  const nodeBinaries = new Set(
    await Promise.all(
      ['/usr/bin/node', '/usr/local/bin/node', process.execPath].map((p) => realpath(p).catch(() => p)),
    ),
  );
  const linked = new Set<string>();
  for (const folder of folders) {
    for (const name of await readdir(folder).catch(() => [])) {
      // The first folder on PATH that has a name wins, as the shell would pick it.
      if (linked.has(name)) continue;
      const path = join(folder, name);
      const target = await realpath(path).catch(() => undefined);
      if (target === undefined || isNodejsCommand(name, target, nodeBinaries)) continue;
      linked.add(name);
      await symlink(path, join(bin, name));
    }
  }
  return bin;
};
