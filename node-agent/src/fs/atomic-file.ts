// Write-then-rename with fsync, so a crash leaves either the old file or the new one, never half of either.
// Private by default (0600 in a 0700 folder): the app's config and the agent's state both hold things others should not read.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export const writeFileAtomic = async (path: string, data: string | Buffer, mode = 0o600, dirMode = 0o700): Promise<void> => {
  await mkdir(dirname(path), { recursive: true, mode: dirMode });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // open's mode is masked by the umask; the caller asked for exactly this one
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
};
