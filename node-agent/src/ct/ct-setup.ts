// PVE's setup of a container's files from its config — hostname, /etc/hosts, network, DNS, and at create root's
// password and SSH keys — done after the template is unpacked and again before every start (PVE's pre-start hook),
// so a hostname or address changed while the container was stopped, or given to a clone, is what it boots with.
// A distribution the setup does not know is left alone, as PVE's `unmanaged`; a file with its
// /etc/.pve-ignore.<name> is never touched.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskContext } from '../tasks/task-context';
import { parseCtNet } from './config/ct-net';
import type { CtService } from './ct-service';
import { withVolumeMounted } from './ct-volume-fs';
import type { LxcMountSource } from './lxc-config';
import { stagedPath } from './lxc-config';
import { lxcPath } from './lxc-paths';
import { applySetup } from './setup/apply';
import { detectDistribution, type Distribution } from './setup/detect';
import { setupPlan } from './setup/plan';

export interface SetupSecrets {
  readonly password?: string | undefined;
  readonly sshPublicKeys?: string | undefined;
}

/** Write the config's settings into the root folder `root`; returns the distribution found there. */
export const setupRoot = async (ctx: TaskContext, vmid: number, root: string, values: Readonly<Record<string, string>>, secrets: SetupSecrets = {}): Promise<Distribution> => {
  const distro = await detectDistribution(root);
  if (distro.ostype === 'unmanaged') {
    ctx.log(`setup: CT ${vmid} runs a distribution the setup does not know — hostname, network and DNS are left to it`);
    return distro;
  }
  const nets = Object.entries(values)
    .filter(([key]) => /^net\d+$/.test(key))
    .map(([key, value]) => parseCtNet(key, value));
  const plan = await setupPlan(distro, {
    hostname: values.hostname ?? `CT${vmid}`,
    nets: nets.map((net) => ({
      name: net.name,
      ...(net.hwaddr === undefined ? {} : { hwaddr: net.hwaddr }),
      ...(net.ip === undefined ? {} : { ip: net.ip }),
      ...(net.gw === undefined ? {} : { gw: net.gw }),
      ...(net.ip6 === undefined ? {} : { ip6: net.ip6 }),
      ...(net.gw6 === undefined ? {} : { gw6: net.gw6 }),
    })),
    ...(values.nameserver === undefined ? {} : { nameserver: values.nameserver }),
    ...(values.searchdomain === undefined ? {} : { searchdomain: values.searchdomain }),
    ...(secrets.password === undefined ? {} : { rootPassword: secrets.password }),
    ...(secrets.sshPublicKeys === undefined ? {} : { sshKeys: secrets.sshPublicKeys }),
  });
  await applySetup(root, plan, {
    onStep: (step) => ctx.log(`setup: ${step.kind} ${'path' in step ? String(step.path) : ''}`.trim()),
    onSkip: (step, ignore) => ctx.log(`setup: ${'path' in step ? String(step.path) : step.kind} left alone (${ignore})`),
  });
  return distro;
};

/** Run `body` on the container's root folder: the folder itself, or its raw image loop-mounted for the while. */
export const withRootFolder = async <T>(cts: CtService, vmid: number, ctx: TaskContext, rootfs: LxcMountSource, body: (root: string) => Promise<T>): Promise<T> => {
  if (rootfs.fstype === undefined) return body(rootfs.path);
  const dir = stagedPath(join(lxcPath(cts.options.paths), String(vmid)), 'rootfs');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  return withVolumeMounted(ctx, 'rootfs', rootfs, dir, () => body(dir));
};
