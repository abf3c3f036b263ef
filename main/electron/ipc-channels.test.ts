// preload/electron.ts may import only electron, so it repeats the channel names: keep them equal.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-channels';

describe('IPC channel names', () => {
  it('are the same in main and in the preload', async () => {
    const preload = await readFile(new URL('../../preload/electron.ts', import.meta.url), 'utf8');
    expect(preload).toContain(`const INVOKE_CHANNEL = '${INVOKE_CHANNEL}';`);
    expect(preload).toContain(`const EVENT_CHANNEL = '${EVENT_CHANNEL}';`);
  });
});
