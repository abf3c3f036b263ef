// A VM's cloud-init drive: the NoCloud documents generated from its config (PVE's keys) and written as an ISO into
// its vm-<vmid>-cloudinit volume at every start, so a changed ipconfig or ssh key reaches the guest on its next boot.
import { AppError } from '../api/errors';
import type { TaskContext } from '../tasks/task-context';
import { currentOf } from './config/conf-document';
import { buildSeedIso, noCloudDocuments, type NoCloudDocuments } from './cloudinit';
import { netsOf } from './vm-facts';
import type { VmService } from './vm-service';
import { runOk } from './task-run';

const documentsOf = (vmid: number, values: Readonly<Record<string, string>>): NoCloudDocuments =>
  noCloudDocuments({
    vmid,
    name: values.name,
    keys: values,
    macs: Object.fromEntries(netsOf(values).flatMap((net) => (net.macaddr === undefined ? [] : [[net.key, net.macaddr]]))),
  });

export const writeCloudInitDrive = async (vmid: number, values: Readonly<Record<string, string>>, path: string, ctx: TaskContext): Promise<void> => {
  await buildSeedIso(documentsOf(vmid, values), path, {
    run: (command, args, options) => runOk(ctx, `VM ${vmid} cloud-init`, command, args, options),
    signal: ctx.signal,
  });
  ctx.log(`wrote the cloud-init seed to ${path}`);
};

/** One generated document, as `qm cloudinit dump` shows it. */
export const dumpCloudInit = async (vms: VmService, vmid: number, type: 'user' | 'network' | 'meta'): Promise<{ text: string }> => {
  const { conf } = await vms.store.read(vmid);
  const docs = documentsOf(vmid, currentOf(conf).values);
  switch (type) {
    case 'user':
      return { text: docs.userData };
    case 'network':
      return { text: docs.networkConfig };
    case 'meta':
      return { text: docs.metaData };
    default:
      throw new AppError('invalid-params', `unknown cloud-init document ${String(type)}`);
  }
};
