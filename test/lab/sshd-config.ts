// A lab node's sshd_config (pure): key login as root only, the node's own host key and address,
// and HYPERDESK_ROOT/HYPERDESK_NODE set for every session, which is how the bridge knows its node.
import type { ClientPaths, NodeLayout } from './lab-layout';
import { nodeEnv } from './lab-layout';

export interface OpenSshVersion {
  readonly major: number;
  readonly minor: number;
}

/** Parse `OpenSSH_9.2p1 …` (what `ssh -V` and `sshd -V` print); undefined when it is not there. */
export const parseOpenSshVersion = (text: string): OpenSshVersion | undefined => {
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(text);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
};

/** PerSourcePenalties came in OpenSSH 9.8; older sshd refuses to start on an unknown keyword. */
export const supportsPerSourcePenalties = (version: OpenSshVersion): boolean =>
  version.major > 9 || (version.major === 9 && version.minor >= 8);

/**
 * `path`: the PATH every session gets instead of sshd's default (a node without Node.js, path-without-nodejs.ts).
 * It goes on the one SetEnv line: sshd takes only the first SetEnv directive.
 */
export const renderSshdConfig = (
  node: NodeLayout,
  client: ClientPaths,
  version: OpenSshVersion,
  path?: string,
): string => {
  const env = nodeEnv(node);
  const lines = [
    `# hdlab node ${node.name}: written by test/lab; removed by \`npm run lab -- down\`.`,
    `ListenAddress ${node.address}`,
    'Port 22',
    `HostKey ${node.hostKeyPath}`,
    `PidFile ${node.sshPidFile}`,
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // The keys live under the lab's state dir in /var/tmp, which StrictModes would reject.
    'StrictModes no',
    `AuthorizedKeysFile ${client.authorizedKeys}`,
    `SetEnv HYPERDESK_ROOT=${env.HYPERDESK_ROOT} HYPERDESK_NODE=${env.HYPERDESK_NODE} HYPERDESK_QEMU_ACCEL=${env.HYPERDESK_QEMU_ACCEL}${path === undefined ? '' : ` PATH=${path}`}`,
    // No AcceptEnv: a client must not be able to point a session at another node's root.
    'Subsystem sftp internal-sftp',
    // The app multiplexes one connection per node into many channels (bridge, consoles, shells);
    // tests open many connections at once.
    'MaxSessions 64',
    'MaxStartups 64:30:128',
    'UseDNS no',
    'LogLevel VERBOSE',
  ];
  // Tests reconnect fast and on purpose fail logins; penalties would lock the workstation out.
  if (supportsPerSourcePenalties(version)) lines.push('PerSourcePenalties no');
  return `${lines.join('\n')}\n`;
};
