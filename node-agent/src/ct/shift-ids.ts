// An unprivileged container's files belong to its mapped ids on the host: after the template is unpacked as root,
// every uid and gid moves up by the map's base (what PVE did before it unpacked through the user namespace). Links
// are changed themselves, never followed; set-id bits, which chown clears, are put back.
import { lchown, lstat, readdir, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { IdRange } from './lxc-config';

export const shiftIds = async (root: string, uid: IdRange, gid: IdRange): Promise<number> => {
  let changed = 0;
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    if (info.uid >= uid.count || info.gid >= gid.count)
      throw new Error(`${path} has ids ${info.uid}:${info.gid} outside the container's map (0-${uid.count - 1}:0-${gid.count - 1})`);
    await lchown(path, info.uid + uid.base, info.gid + gid.base);
    changed += 1;
    if (!info.isSymbolicLink() && (info.mode & 0o6000) !== 0) await chmod(path, info.mode & 0o7777);
    if (info.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(root);
  return changed;
};
