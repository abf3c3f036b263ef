// A NIC's host side around QEMU: its tap into the bridge, MTU, VLAN, rate limit, as commands (a plan) and their run.
// The VM start plugs every tap; a NIC hotplug plugs one, and a change of bridge/tag/rate re-plumbs it in place.
import { readFile } from 'node:fs/promises';
import { AppError } from '../api/errors';
import type { TaskContext } from '../tasks/task-context';
import type { netPlumbing } from './command-line';
import { runOk } from './task-run';

export type NicPlumbing = ReturnType<typeof netPlumbing>[number];

/** One host command of a plumbing plan. */
export interface HostCommand {
  readonly run: string;
  readonly args: readonly string[];
}

const ip = (...args: string[]): HostCommand => ({ run: 'ip', args });

/** The tap into its bridge, its MTU, up, and its VLAN. */
const linkCommands = (nic: NicPlumbing): HostCommand[] => [
  ...(nic.bridge !== undefined ? [ip('link', 'set', 'dev', nic.tap, 'master', nic.bridge)] : []),
  ...(nic.mtu !== undefined ? [ip('link', 'set', 'dev', nic.tap, 'mtu', String(nic.mtu))] : []),
  ip('link', 'set', 'dev', nic.tap, 'up'),
  ...(nic.tag !== undefined
    ? [
        { run: 'bridge', args: ['vlan', 'add', 'dev', nic.tap, 'vid', String(nic.tag), 'pvid', 'untagged'] },
        { run: 'bridge', args: ['vlan', 'del', 'dev', nic.tap, 'vid', '1'] },
      ]
    : []),
];

/** The guest's traffic both ways, as PVE: a token bucket towards the guest, a policer on what it sends. */
const rateCommands = (nic: NicPlumbing): HostCommand[] => {
  if (nic.rateMBps === undefined) return [];
  const rate = `${Math.round(nic.rateMBps * 8 * 1000)}kbit`;
  const tc = (...args: string[]): HostCommand => ({ run: 'tc', args });
  return [
    tc('qdisc', 'replace', 'dev', nic.tap, 'root', 'tbf', 'rate', rate, 'burst', '1mb', 'latency', '50ms'),
    tc('qdisc', 'replace', 'dev', nic.tap, 'handle', 'ffff:', 'ingress'),
    tc('filter', 'replace', 'dev', nic.tap, 'parent', 'ffff:', 'prio', '50', 'basic', 'police', 'rate', rate, 'burst', '1mb', 'mtu', '64kb', 'drop'),
  ];
};

/** Everything a freshly made tap needs. */
export const plugCommands = (nic: NicPlumbing): HostCommand[] => [...linkCommands(nic), ...rateCommands(nic)];

/**
 * A NIC changed in place (same tap): out of its bridge and in again when bridge, VLAN or trunks changed (leaving the
 * bridge drops the port's VLANs), and the rate limit replaced or removed when it changed.
 */
export const replugCommands = (before: NicPlumbing, after: NicPlumbing): HostCommand[] => {
  const commands: HostCommand[] = [];
  if (before.bridge !== after.bridge || before.tag !== after.tag || before.trunks !== after.trunks)
    commands.push(ip('link', 'set', 'dev', after.tap, 'nomaster'), ...linkCommands(after));
  if (before.rateMBps !== after.rateMBps) {
    if (after.rateMBps !== undefined) commands.push(...rateCommands(after));
    else
      commands.push(
        { run: 'tc', args: ['qdisc', 'del', 'dev', after.tap, 'root'] },
        { run: 'tc', args: ['qdisc', 'del', 'dev', after.tap, 'ingress'] },
      );
  }
  return commands;
};

/** Run host commands for one NIC of VM vmid, each logged; a failure names the VM and NIC. */
export const runHostCommands = async (vmid: number, key: string, ctx: TaskContext, commands: readonly HostCommand[]): Promise<void> => {
  for (const command of commands) await runOk(ctx, `VM ${vmid} ${key}`, command.run, command.args);
};

export const plugNics = async (vmid: number, ctx: TaskContext, plumbing: readonly NicPlumbing[]): Promise<void> => {
  for (const nic of plumbing) {
    await runHostCommands(vmid, nic.key, ctx, plugCommands(nic));
    if (nic.firewall) ctx.log(`${nic.key}: firewall=1 is recorded; the guest firewall arrives with the firewall capability`);
  }
};

/** A bridge with VLAN tags needs vlan_filtering on (PVE's "VLAN aware"); say so before QEMU starts or a NIC is plugged. */
export const checkVlanAware = async (vmid: number, plumbing: readonly NicPlumbing[]): Promise<void> => {
  for (const nic of plumbing) {
    if (nic.tag === undefined || nic.bridge === undefined) continue;
    const filtering = (await readFile(`/sys/class/net/${nic.bridge}/bridge/vlan_filtering`, 'utf8').catch(() => '0')).trim();
    if (filtering !== '1')
      throw new AppError('not-supported', `VM ${vmid} ${nic.key}: tag=${nic.tag} needs a VLAN-aware bridge, and ${nic.bridge} is not (bridge-vlan-aware yes)`, { vmid, key: nic.key });
  }
};
