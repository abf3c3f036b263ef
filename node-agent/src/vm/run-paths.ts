// Where a VM's runtime files live while it runs (PVE: /var/run/qemu-server/<vmid>.{qmp,vnc,pid}): one folder
// for all VMs under the agent's run folder, root-only. Everything that starts, watches or relays to a VM takes
// its paths from here.
import { join } from 'node:path';
import type { AgentPaths } from '../daemon/paths';

export interface VmRunPaths {
  /** <run>/qemu-server: made 0700 by whoever starts a VM. */
  readonly dir: string;
  /** QMP control socket (the agent's own connection). */
  readonly qmp: string;
  /** VNC display as a unix socket (consoles relay to it; no TCP port is ever opened). */
  readonly vnc: string;
  /** QEMU's pid file (-pidfile). */
  readonly pid: string;
  /** Serial port N as a unix socket (server, nowait). */
  serial(port: number): string;
  /** Everything the guest wrote on serial port N (QEMU's chardev logfile), replayed to a console that attaches late. */
  serialLog(port: number): string;
}

export const vmRunPaths = (paths: Pick<AgentPaths, 'run'>, vmid: number): VmRunPaths => {
  const dir = join(paths.run, 'qemu-server');
  return {
    dir,
    qmp: join(dir, `${vmid}.qmp`),
    vnc: join(dir, `${vmid}.vnc`),
    pid: join(dir, `${vmid}.pid`),
    serial: (port) => join(dir, `${vmid}.serial${port}`),
    serialLog: (port) => join(dir, `${vmid}.serial${port}.log`),
  };
};

/** The tap device of a VM's netN, as PVE names it: tap<vmid>i<N> (at most 15 characters). */
export const tapName = (vmid: number, net: number): string => `tap${vmid}i${net}`;
