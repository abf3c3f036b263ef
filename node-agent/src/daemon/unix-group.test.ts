import { describe, expect, it } from 'vitest';
import { groupId, parseGroupId } from './unix-group';

const GROUP_FILE = ['root:x:0:', 'hyperdesk-old:x:998:', 'hyperdesk:x:999:alice,bob', 'broken:x:', ''].join('\n');

describe('unix groups', () => {
  it('finds a group by its exact name in group(5) text', () => {
    expect(parseGroupId(GROUP_FILE, 'hyperdesk')).toBe(999);
    expect(parseGroupId(GROUP_FILE, 'root')).toBe(0);
    expect(parseGroupId(GROUP_FILE, 'hyper')).toBeUndefined();
    expect(parseGroupId(GROUP_FILE, 'broken')).toBeUndefined();
  });

  it('reads the real /etc/group (root is gid 0) and tolerates a missing file', async () => {
    expect(await groupId('root')).toBe(0);
    expect(await groupId('root', '/nonexistent/group')).toBeUndefined();
  });
});
