// root's subordinate uid and gid ranges (/etc/subuid, /etc/subgid): an unprivileged container's ids 0..65535 map
// onto the first range of at least 65536 ids, as PVE's `lxc.idmap` defaults do. `hyperdesk-agent install` adds
// PVE's `root:100000:65536` where root has no range yet; nothing else ever writes these files.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../api/errors';
import { writeFileAtomic } from '../fs/atomic-file';
import type { AgentPaths } from '../daemon/paths';
import type { IdRange } from './lxc-config';

/** The ids a container needs: 0..65535 inside. */
export const CT_ID_COUNT = 65_536;
export const DEFAULT_SUB_IDS = 'root:100000:65536';

/** root's ranges in a subuid/subgid file (by name or uid 0), in file order; other lines and comments ignored. */
export const rootRanges = (text: string): IdRange[] =>
  text.split('\n').flatMap((line) => {
    const [owner, start, count] = line.trim().split(':');
    if ((owner !== 'root' && owner !== '0') || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) return [];
    return [{ base: Number(start), count: Number(count) }];
  });

const subIdFile = (paths: Pick<AgentPaths, 'root'>, kind: 'uid' | 'gid'): string => join(paths.root, `etc/sub${kind}`);

const readOrEmpty = (path: string): Promise<string> =>
  readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });

const rangeFor = async (paths: Pick<AgentPaths, 'root'>, kind: 'uid' | 'gid', ctid: number): Promise<IdRange> => {
  const file = subIdFile(paths, kind);
  const range = rootRanges(await readOrEmpty(file)).find((r) => r.count >= CT_ID_COUNT && r.base > 0);
  if (range === undefined)
    throw new AppError('not-supported', `CT ${ctid}: an unprivileged container needs a range of ${CT_ID_COUNT} sub${kind}s for root in ${file} (PVE's is ${DEFAULT_SUB_IDS})`, {
      vmid: ctid,
      file,
    });
  return { base: range.base, count: CT_ID_COUNT };
};

/** The id map of an unprivileged container on this node; a typed error naming the file when root has none. */
export const unprivilegedIdMap = async (paths: Pick<AgentPaths, 'root'>, ctid: number): Promise<{ uid: IdRange; gid: IdRange }> => ({
  uid: await rangeFor(paths, 'uid', ctid),
  gid: await rangeFor(paths, 'gid', ctid),
});

/** Give root PVE's default range in each file where it has none (install time); returns the files changed. */
export const ensureRootSubIds = async (paths: Pick<AgentPaths, 'root'>): Promise<string[]> => {
  const changed: string[] = [];
  for (const kind of ['uid', 'gid'] as const) {
    const file = subIdFile(paths, kind);
    const text = await readOrEmpty(file);
    if (rootRanges(text).some((r) => r.count >= CT_ID_COUNT && r.base > 0)) continue;
    await writeFileAtomic(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${DEFAULT_SUB_IDS}\n`, 0o644, 0o755);
    changed.push(file);
  }
  return changed;
};
