import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SYSTEMD_UNIT } from './systemd-unit';

describe('systemd unit', () => {
  it('is identical to resources/hyperdesk-agent.service', async () => {
    const resource = await readFile(new URL('../../../resources/hyperdesk-agent.service', import.meta.url), 'utf8');
    expect(SYSTEMD_UNIT).toBe(resource);
  });

  it('starts the installed launcher as a simple, restarting service with a private run folder', () => {
    const lines = SYSTEMD_UNIT.split('\n');
    for (const line of [
      'Type=simple',
      'ExecStart=/usr/lib/hyperdesk/bin/hyperdesk-agent daemon',
      'Restart=on-failure',
      'RuntimeDirectory=hyperdesk',
      'RuntimeDirectoryMode=0750',
      'KillMode=process',
      'WantedBy=multi-user.target',
    ]) {
      expect(lines).toContain(line);
    }
    expect(lines.some((line) => line.startsWith('User=') || line.startsWith('Group='))).toBe(false);
  });
});
