// A lab node's root folder laid out as a real node's / is: the top folders world-traversable (0755, /tmp 1777).
// Tools that act as another user need that: LXC starts an unprivileged container as its mapped root (uid
// 100000), which must be able to walk from / down to the container's rootfs under <root>/var/lib/vz.
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const TOP = ['etc', 'run', 'tmp', 'usr', 'usr/lib', 'usr/local', 'var', 'var/lib', 'var/log', 'var/tmp'] as const;

export const layOutNodeRoot = async (root: string): Promise<void> => {
  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(root, 0o755);
  for (const dir of TOP) {
    const path = join(root, dir);
    await mkdir(path, { recursive: true, mode: 0o755 });
    await chmod(path, dir.endsWith('tmp') ? 0o1777 : 0o755);
  }
};
