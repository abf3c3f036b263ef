// A VM NIC's host side around QEMU: its tap through the guests' host-NIC commands (guests/nic-commands.ts). The VM
// start plugs every tap; a NIC hotplug plugs one, and a change of bridge/tag/rate re-plumbs it in place.
import type { TaskContext } from '../tasks/task-context';
import * as nics from '../guests/nic-commands';
import type { netPlumbing } from './command-line';

export type { HostCommand } from '../guests/nic-commands';
export type NicPlumbing = ReturnType<typeof netPlumbing>[number];

const hostNic = (nic: NicPlumbing): nics.HostNic => ({ ...nic, device: nic.tap });

export const plugCommands = (nic: NicPlumbing): nics.HostCommand[] => nics.plugCommands(hostNic(nic));

export const replugCommands = (before: NicPlumbing, after: NicPlumbing): nics.HostCommand[] => nics.replugCommands(hostNic(before), hostNic(after));

export const runHostCommands = (vmid: number, key: string, ctx: TaskContext, commands: readonly nics.HostCommand[]): Promise<void> =>
  nics.runHostCommands(`VM ${vmid}`, key, ctx, commands);

export const plugNics = async (vmid: number, ctx: TaskContext, plumbing: readonly NicPlumbing[]): Promise<void> => {
  for (const nic of plumbing) {
    await runHostCommands(vmid, nic.key, ctx, plugCommands(nic));
    if (nic.firewall) ctx.log(`${nic.key}: firewall=1 is recorded; the guest firewall arrives with the firewall capability`);
  }
};

export const checkVlanAware = (vmid: number, plumbing: readonly NicPlumbing[]): Promise<void> => nics.checkVlanAware(`VM ${vmid}`, vmid, plumbing.map(hostNic));
