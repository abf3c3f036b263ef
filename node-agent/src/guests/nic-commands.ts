// The host commands around a guest NIC's host side — a VM's tap or a container's veth, the same for both: into its
// bridge, MTU, up, VLAN, rate limit (as a plan, then run), and the check that a tagged NIC's bridge is VLAN-aware.
import { readFile } from 'node:fs/promises';
import { AppError } from '../api/errors';
import type { TaskContext } from '../tasks/task-context';
import { runOk } from '../vm/task-run';
import type { hostNicSettings } from './nic-plumbing';

/** One NIC's host side: its config key, the host device (tap or veth) and what the config asks of it. */
export type HostNic = { readonly key: string; readonly device: string } & ReturnType<typeof hostNicSettings>;

/** One host command of a plumbing plan. */
export interface HostCommand {
  readonly run: string;
  readonly args: readonly string[];
  /** A kernel without this feature fails the command: the task warns with this text instead of failing. */
  readonly kernelFeature?: string;
}

const ip = (...args: string[]): HostCommand => ({ run: 'ip', args });
const tc = (...args: string[]): HostCommand => ({ run: 'tc', args });

/** The device into its bridge, its MTU, up, and its VLAN. */
const linkCommands = (nic: HostNic): HostCommand[] => [
  ...(nic.bridge !== undefined ? [ip('link', 'set', 'dev', nic.device, 'master', nic.bridge)] : []),
  ...(nic.mtu !== undefined ? [ip('link', 'set', 'dev', nic.device, 'mtu', String(nic.mtu))] : []),
  ip('link', 'set', 'dev', nic.device, 'up'),
  ...(nic.tag !== undefined
    ? [
        { run: 'bridge', args: ['vlan', 'add', 'dev', nic.device, 'vid', String(nic.tag), 'pvid', 'untagged'] },
        { run: 'bridge', args: ['vlan', 'del', 'dev', nic.device, 'vid', '1'] },
      ]
    : []),
];

/** The guest's traffic both ways, as PVE: a token bucket towards the guest, a policer on what it sends. */
const rateCommands = (nic: HostNic): HostCommand[] => {
  if (nic.rateMBps === undefined) return [];
  const rate = `${Math.round(nic.rateMBps * 8 * 1000)}kbit`;
  return [
    tc('qdisc', 'replace', 'dev', nic.device, 'root', 'tbf', 'rate', rate, 'burst', '1mb', 'latency', '50ms'),
    tc('qdisc', 'replace', 'dev', nic.device, 'handle', 'ffff:', 'ingress'),
    {
      ...tc('filter', 'replace', 'dev', nic.device, 'parent', 'ffff:', 'prio', '50', 'basic', 'police', 'rate', rate, 'burst', '1mb', 'mtu', '64kb', 'drop'),
      kernelFeature: `tc's basic classifier and police action (cls_basic, act_police): what the guest sends is not limited, what it receives is (${rate})`,
    },
  ];
};

/** Everything a fresh device needs; `inBridge`: the device is already a port of its bridge (LXC's lxc.net.N.link). */
export const plugCommands = (nic: HostNic, inBridge = false): HostCommand[] => {
  const { bridge, ...unbridged } = nic;
  return [...linkCommands(inBridge || bridge === undefined ? unbridged : { ...unbridged, bridge }), ...rateCommands(nic)];
};

/**
 * A NIC changed in place (same device): out of its bridge and in again when bridge, VLAN or trunks changed (leaving
 * the bridge drops the port's VLANs), and the rate limit replaced or removed when it changed.
 */
export const replugCommands = (before: HostNic, after: HostNic): HostCommand[] => {
  const commands: HostCommand[] = [];
  if (before.bridge !== after.bridge || before.tag !== after.tag || before.trunks !== after.trunks)
    commands.push(ip('link', 'set', 'dev', after.device, 'nomaster'), ...linkCommands(after));
  if (before.rateMBps !== after.rateMBps) {
    if (after.rateMBps !== undefined) commands.push(...rateCommands(after));
    else commands.push(tc('qdisc', 'del', 'dev', after.device, 'root'), tc('qdisc', 'del', 'dev', after.device, 'ingress'));
  }
  return commands;
};

/** Run host commands for one NIC of `guest` ("VM 100", "CT 200"), each logged; a failure names the guest and NIC. */
export const runHostCommands = async (guest: string, key: string, ctx: TaskContext, commands: readonly HostCommand[]): Promise<void> => {
  for (const command of commands) {
    if (command.kernelFeature === undefined) {
      await runOk(ctx, `${guest} ${key}`, command.run, command.args);
      continue;
    }
    const result = await ctx.run(command.run, command.args);
    if (result.code === 0) continue;
    if (!/not found|Failed to load|Operation not supported/i.test(result.stderr)) await runOk(ctx, `${guest} ${key}`, command.run, command.args);
    else ctx.warn(`${guest} ${key}: this kernel lacks ${command.kernelFeature}`);
  }
};

/** A bridge with VLAN tags needs vlan_filtering on (PVE's "VLAN aware"); say so before the guest starts or a NIC is plugged. */
export const checkVlanAware = async (guest: string, vmid: number, nics: readonly HostNic[]): Promise<void> => {
  for (const nic of nics) {
    if (nic.tag === undefined || nic.bridge === undefined) continue;
    const filtering = (await readFile(`/sys/class/net/${nic.bridge}/bridge/vlan_filtering`, 'utf8').catch(() => '0')).trim();
    if (filtering !== '1')
      throw new AppError('not-supported', `${guest} ${nic.key}: tag=${nic.tag} needs a VLAN-aware bridge, and ${nic.bridge} is not (bridge-vlan-aware yes)`, { vmid, key: nic.key });
  }
};
