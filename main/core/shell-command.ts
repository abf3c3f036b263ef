// The node shell's remote command and how it is opened: the SSH login's own login shell, in a pty, over the same
// console bridge as serial consoles (a one-shot ws://127.0.0.1 URL; resize and close through ConsoleBridges).
import type { ConsoleBridges, OpenedConsole } from './console-bridge';
import type { SshConnection } from './ssh-connection';

/**
 * A constant, never built from input. sshd runs it with the login's shell (`$SHELL -c …`) and sets $SHELL to the
 * login's shell from passwd, so this replaces that shell with the same one as a login shell (profile, PATH, prompt),
 * which is what an interactive `ssh node` gives. The SSH login on a node is root, so this is root's shell.
 * Why not `/bin/login -f root` (PVE's termproxy does that): it refuses unless already root, needs util-linux's login
 * on every node, and adds nothing over the SSH session the login already has. Why not an SSH `shell` request:
 * SshConnection exposes exec only, and an exec with a pty behaves the same for a person at the terminal.
 * `exec "$SHELL" -l` means the same in sh, bash, dash, zsh, fish and csh.
 */
export const NODE_SHELL_COMMAND = 'exec "$SHELL" -l';

/** Open a root shell on the node behind `ssh` as a console of `bridges`: the same id space, resize and close. */
export const openNodeShell = (
  bridges: ConsoleBridges,
  ssh: SshConnection,
  size: { cols?: number | undefined; rows?: number | undefined } = {},
): Promise<OpenedConsole> =>
  bridges.open({
    ssh,
    command: NODE_SHELL_COMMAND,
    kind: 'shell',
    ...(size.cols === undefined ? {} : { cols: size.cols }),
    ...(size.rows === undefined ? {} : { rows: size.rows }),
  });
