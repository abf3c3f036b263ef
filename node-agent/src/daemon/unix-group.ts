// Looks a group up in /etc/group without a shell or a native addon.
import { readFile } from 'node:fs/promises';

/** Members of this group (and root) may use the agent socket. */
export const SOCKET_GROUP = 'hyperdesk';

/** The gid of `name` in group(5) text, or undefined. */
export const parseGroupId = (groupFile: string, name: string): number | undefined => {
  for (const line of groupFile.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
};

export const groupId = async (name: string, groupFile = '/etc/group'): Promise<number | undefined> => {
  try {
    return parseGroupId(await readFile(groupFile, 'utf8'), name);
  } catch {
    return undefined;
  }
};
