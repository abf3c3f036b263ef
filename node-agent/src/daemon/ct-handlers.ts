// The ct.* methods: reads answer directly; changes validate first, then run as tasks holding the container's lock.
import type { Handlers } from '../rpc/server';
import { createCt } from '../ct/ct-create';
import { destroyCt, rebootCt, shutdownCt, startCt, stopCt } from '../ct/ct-lifecycle';
import { setCt } from '../ct/ct-set';
import { delsnapshotCt, rollbackCt, snapshotCt } from '../ct/ct-snapshots';
import type { CtService } from '../ct/ct-service';
import { cloneCt, templateCt } from '../ct/ct-copies';
import { pullFile, pushFile } from '../ct/ct-files';
import { importCt } from '../ct/ct-import';
import { ctMetrics } from '../ct/ct-usage';
import { resizeCt } from '../ct/ct-volumes';

type CtMethod = Extract<keyof Handlers, `ct.${string}`>;

export const ctHandlers = (cts: CtService): Pick<Handlers, CtMethod> => ({
  'ct.list': () => cts.list(),
  'ct.status': ({ vmid }) => cts.status(vmid),
  'ct.config': ({ vmid, snapshot, current }) => cts.config(vmid, { ...(snapshot === undefined ? {} : { snapshot }), current }),
  'ct.pending': ({ vmid }) => cts.pending(vmid),
  'ct.set': (request) => setCt(cts, request),
  'ct.create': (request, { signal }) => createCt(cts, request, signal),
  'ct.start': ({ vmid }) => startCt(cts, vmid),
  'ct.stop': ({ vmid }) => stopCt(cts, vmid),
  'ct.shutdown': ({ vmid, timeout, forceStop }) => shutdownCt(cts, vmid, timeout, forceStop),
  'ct.reboot': ({ vmid, timeout }) => rebootCt(cts, vmid, timeout),
  'ct.destroy': ({ vmid }) => destroyCt(cts, vmid),
  'ct.exec': ({ vmid, command, timeout }, { signal }) => cts.exec(vmid, command, timeout, signal),
  'ct.snapshots': ({ vmid }) => cts.snapshots(vmid),
  'ct.snapshot': ({ vmid, snapname, description }) => snapshotCt(cts, vmid, snapname, description),
  'ct.rollback': ({ vmid, snapname, start }) => rollbackCt(cts, vmid, snapname, start),
  'ct.delsnapshot': ({ vmid, snapname }) => delsnapshotCt(cts, vmid, snapname),
  'ct.import': ({ vmid, conf }) => importCt(cts, vmid, conf),
  'ct.template': ({ vmid }) => templateCt(cts, vmid),
  'ct.clone': (request) => cloneCt(cts, request),
  'ct.resize': (request) => resizeCt(cts, request),
  'ct.metrics': (request) => ctMetrics(cts, request),
  'ct.push': (request) => pushFile(cts, request),
  'ct.pull': (request) => pullFile(cts, request),
});
