// What the VM benchmarks share: a lab node ready to run the test guest (its ISO in `local`, which also holds
// images), a VM created through the core as the app creates one, its runtime files on this machine, and its
// removal (stop, then destroy) when the benchmark ends.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, type MethodName, type Params, type Result, type TaskInfo } from '../../node-agent/src/api';
import { agentPaths } from '../../node-agent/src/daemon/paths';
import { vmRunPaths, type VmRunPaths } from '../../node-agent/src/vm/run-paths';
import type { HyperdeskCore } from '../../main/core/core';
import { nodeEnv } from '../lab/lab-layout';
import { pollUntil as pollFor } from '../lab/processes';
import { buildGuestImage } from '../guest-image/guest-image';
import type { BenchLab } from './bench-lab';

export const GUEST_ISO = 'hyperdesk-bench-guest.iso';
const TASK_TIMEOUT_MS = 180_000;

export interface BenchVm {
  readonly core: HyperdeskCore;
  readonly vmid: number;
  /** The guest ISO built here (the reference boots this very file). */
  readonly iso: string;
  /** The VM's sockets and serial log under the node's root, reachable from this machine. */
  readonly runPaths: VmRunPaths;
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Wait for a task to end; fail with its log when it did not end OK. */
  finished(ref: { upid: string }, timeoutMs?: number): Promise<TaskInfo>;
  /** Stop (if running) and destroy the VM with its volumes. */
  remove(): Promise<void>;
}

// The benchmarks call the lab's poller by this name.
export { pollFor };

/** A file's text, or '' while it does not exist (QEMU has not created it yet). */
export const readIfThere = (path: string): Promise<string> =>
  readFile(path, 'latin1').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });

/** The test guest as a VM: 256 MiB, one core, booting the ISO, serial0 on a socket (with its log); no disk, no NIC. */
const guestConfig = (name: string): Params<'vm.create'>['config'] => ({
  name,
  memory: 256,
  cores: 1,
  ide2: `local:iso/${GUEST_ISO},media=cdrom`,
  serial0: 'socket',
  boot: 'order=ide2',
});

/** Build the guest image, put it in the node's `local`, and create a stopped VM named `name` through the core. */
export const createBenchVm = async (lab: BenchLab, name: string, log: (line: string) => void): Promise<BenchVm> => {
  const image = await buildGuestImage();
  const isoDir = join(lab.node.root, 'var/lib/vz/template/iso');
  await mkdir(isoDir, { recursive: true });
  await copyFile(image.iso, join(isoDir, GUEST_ISO));
  const core = await lab.openCore();
  const node = lab.nodeKey;
  const call = <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> =>
    core.handle('agent.call', { node, method, params }) as Promise<Result<M>>;
  const finished = async ({ upid }: { upid: string }, timeoutMs = TASK_TIMEOUT_MS): Promise<TaskInfo> => {
    const task = await pollFor(
      `task ${upid}`,
      async () => {
        const status = await call('task.status', { upid });
        return status.status === 'stopped' ? status : undefined;
      },
      timeoutMs,
      20,
    );
    if (task.exitstatus !== 'OK') {
      const lines = (await call('task.log', { upid, start: 0, limit: 500 })).lines.map((line) => line.t);
      throw new AppError('command-failed', `task ${upid} ended ${task.exitstatus}:\n${lines.join('\n')}`);
    }
    return task;
  };
  // As many PVE installs on one disk: local holds disk images too (the same as the VM integration test).
  const { digest } = await call('storage.list', {});
  await call('storage.set', {
    id: 'local',
    properties: { content: ['iso', 'vztmpl', 'backup', 'images', 'rootdir'] },
    digest,
  });
  const { vmid } = await call('vm.nextid', {});
  await finished(await call('vm.create', { vmid, config: guestConfig(name), start: false }));
  log(`created VM ${vmid} (${name}) from ${GUEST_ISO}`);
  return {
    core,
    vmid,
    iso: image.iso,
    runPaths: vmRunPaths(agentPaths(nodeEnv(lab.node)), vmid),
    call,
    finished,
    remove: async () => {
      if ((await call('vm.status', { vmid })).status === 'running') await finished(await call('vm.stop', { vmid }));
      await finished(await call('vm.destroy', { vmid, purge: true }));
      log(`destroyed VM ${vmid}`);
    },
  };
};
