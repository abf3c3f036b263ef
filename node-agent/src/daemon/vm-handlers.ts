// The vm.* methods: reads answer directly; every change to a VM validates first, then runs as a task named
// like PVE's (qmstart, qmstop, qmsnapshot…), holding the VM's config lock.
import type { Handlers } from '../rpc/server';
import { dumpCloudInit } from '../vm/vm-cloudinit';
import { cloneVm, templateVm } from '../vm/vm-copies';
import { moveDisk, resizeDisk } from '../vm/vm-disks';
import { createVm, importVm, setVm } from '../vm/vm-edit';
import { destroyVm, qmpAction, rebootVm, sendKey, shutdownVm, startBody, startVm, stopVm } from '../vm/vm-lifecycle';
import type { VmService } from '../vm/vm-service';
import { delsnapshotVm, rollbackVm, snapshotVm } from '../vm/vm-snapshots';

type VmMethod = Extract<keyof Handlers, `vm.${string}`>;

export const vmHandlers = (vms: VmService): Pick<Handlers, VmMethod> => ({
  'vm.list': () => vms.list(),
  'vm.nextid': () => vms.nextid(),
  'vm.status': ({ vmid }) => vms.status(vmid),
  'vm.config': ({ vmid, snapshot, current }) => vms.config(vmid, { ...(snapshot === undefined ? {} : { snapshot }), current }),
  'vm.pending': ({ vmid }) => vms.pending(vmid),
  'vm.set': (request, { signal }) => setVm(vms, request, signal),
  'vm.create': (request, { signal }) =>
    createVm(vms, request, signal, (vmid, ctx) =>
      vms.store.withLock(vmid, { label: 'qmstart', upid: ctx.upid }, () => startBody(vms, vmid, ctx), { signal: ctx.signal }),
    ),
  'vm.import': ({ vmid, conf }, { signal }) => importVm(vms, vmid, conf, signal),
  'vm.start': ({ vmid }) => startVm(vms, vmid),
  'vm.stop': ({ vmid }) => stopVm(vms, vmid),
  'vm.shutdown': ({ vmid, timeout, forceStop }) => shutdownVm(vms, vmid, timeout, forceStop),
  'vm.reboot': ({ vmid, timeout }) => rebootVm(vms, vmid, timeout),
  'vm.reset': ({ vmid }) => qmpAction(vms, vmid, 'reset'),
  'vm.suspend': ({ vmid }) => qmpAction(vms, vmid, 'suspend'),
  'vm.resume': ({ vmid }) => qmpAction(vms, vmid, 'resume'),
  'vm.destroy': ({ vmid, purge }) => destroyVm(vms, vmid, purge),
  'vm.sendkey': async ({ vmid, key }) => {
    await sendKey(vms, vmid, key);
    return {};
  },
  'vm.snapshots': ({ vmid }) => vms.snapshots(vmid),
  'vm.snapshot': ({ vmid, snapname, vmstate, description }) => snapshotVm(vms, vmid, snapname, vmstate, description),
  'vm.rollback': ({ vmid, snapname, start }) => rollbackVm(vms, vmid, snapname, start),
  'vm.delsnapshot': ({ vmid, snapname }) => delsnapshotVm(vms, vmid, snapname),
  'vm.template': ({ vmid }) => templateVm(vms, vmid),
  'vm.clone': (request, { signal }) => cloneVm(vms, request, signal),
  'vm.resize': ({ vmid, disk, size }) => resizeDisk(vms, vmid, disk, size),
  'vm.move': (request, { signal }) => moveDisk(vms, request, signal),
  'vm.cloudinit': ({ vmid, type }) => dumpCloudInit(vms, vmid, type),
  'vm.metrics': ({ vmid, timeframe, cf }) => vms.metrics(vmid, timeframe, cf),
});
