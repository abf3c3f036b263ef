import { describe, expect, it } from 'vitest';
import { clientPaths, nodeLayout } from './lab-layout';
import { parseOpenSshVersion, renderSshdConfig, supportsPerSourcePenalties } from './sshd-config';

const node = nodeLayout('/var/tmp/hdlab', 3);
const client = clientPaths('/var/tmp/hdlab');
const directives = (text: string): Map<string, string> =>
  new Map(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  );

describe('sshd config of a lab node', () => {
  it('reads the OpenSSH version from ssh -V / sshd -V output', () => {
    expect(parseOpenSshVersion('OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026')).toEqual({
      major: 9,
      minor: 2,
    });
    expect(parseOpenSshVersion('OpenSSH_10.0p2, OpenSSL 3.5.1')).toEqual({ major: 10, minor: 0 });
    expect(parseOpenSshVersion('unknown option -- V')).toBeUndefined();
  });

  it('knows PerSourcePenalties arrived in 9.8', () => {
    expect(supportsPerSourcePenalties({ major: 9, minor: 2 })).toBe(false);
    expect(supportsPerSourcePenalties({ major: 9, minor: 8 })).toBe(true);
    expect(supportsPerSourcePenalties({ major: 10, minor: 0 })).toBe(true);
  });

  it('listens on the node address only, with its own key and pid file, key login for root only', () => {
    const config = directives(renderSshdConfig(node, client, { major: 9, minor: 2 }));
    expect(config.get('ListenAddress')).toBe('198.18.0.13');
    expect(config.get('Port')).toBe('22');
    expect(config.get('HostKey')).toBe('/var/tmp/hdlab/nodes/n3/ssh_host_ed25519_key');
    expect(config.get('PidFile')).toBe('/var/tmp/hdlab/nodes/n3/sshd.pid');
    expect(config.get('PermitRootLogin')).toBe('prohibit-password');
    expect(config.get('PasswordAuthentication')).toBe('no');
    expect(config.get('KbdInteractiveAuthentication')).toBe('no');
    expect(config.get('UsePAM')).toBe('no');
    expect(config.get('StrictModes')).toBe('no');
    expect(config.get('AuthorizedKeysFile')).toBe('/var/tmp/hdlab/client/authorized_keys');
    expect(config.get('Subsystem')).toBe('sftp internal-sftp');
  });

  it('tells every session which node and root it serves, and accepts no client environment', () => {
    const text = renderSshdConfig(node, client, { major: 9, minor: 2 });
    expect(directives(text).get('SetEnv')).toBe('HYPERDESK_ROOT=/var/tmp/hdlab/nodes/n3/root HYPERDESK_NODE=n3 HYPERDESK_QEMU_ACCEL=tcg');
    expect(text).not.toMatch(/^AcceptEnv/m);
  });

  it('sets PATH on the same SetEnv line for a node without Node.js (sshd uses only the first SetEnv)', () => {
    const text = renderSshdConfig(node, client, { major: 9, minor: 2 }, '/var/tmp/hdlab/nodes/n3/bin');
    expect(text.match(/^SetEnv /gm)).toHaveLength(1);
    expect(directives(text).get('SetEnv')).toBe(
      'HYPERDESK_ROOT=/var/tmp/hdlab/nodes/n3/root HYPERDESK_NODE=n3 HYPERDESK_QEMU_ACCEL=tcg PATH=/var/tmp/hdlab/nodes/n3/bin',
    );
  });

  it('turns off per-source penalties only where sshd knows the keyword', () => {
    expect(renderSshdConfig(node, client, { major: 9, minor: 2 })).not.toContain('PerSourcePenalties');
    expect(directives(renderSshdConfig(node, client, { major: 9, minor: 8 })).get('PerSourcePenalties')).toBe('no');
  });
});
