// What the container benchmarks share: agent calls on the bench lab's node through the core, its `local` storage
// holding templates and container disks, a template from test/ct-templates in that storage, a container created
// and started as the app does it, and its removal (stop, destroy with its volumes).
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../../node-agent/src/api/errors';
import type { HyperdeskCore } from '../../main/core/core';
import { buildCtTemplate, type CtTemplateKind } from '../ct-templates/ct-templates';
import { agentCalls } from '../integration/lab-calls';
import type { BenchLab } from './bench-lab';

/** Container tasks unpack templates: Debian's takes a while on a busy 2-core machine. */
export const CT_TASK_TIMEOUT_MS = 300_000;

/** A template in the node's `local` storage: its volid for ct.create and the file itself (the reference unpacks it). */
export interface BenchTemplate {
  kind: CtTemplateKind;
  volid: string;
  path: string;
}

export type BenchCtCalls = ReturnType<typeof agentCalls>;

/** The app's calls on the lab node, and `local` made to hold templates and container disks (as on a PVE install). */
export const benchCtCalls = async (lab: BenchLab): Promise<{ core: HyperdeskCore } & BenchCtCalls> => {
  const core = await lab.openCore();
  const calls = agentCalls(() => core, lab.nodeKey);
  const { digest, storages } = await calls.call('storage.list', {});
  const content = storages.find((s) => s.id === 'local')?.content ?? [];
  const wanted = [...new Set([...content, 'iso', 'vztmpl', 'backup', 'images', 'rootdir'] as const)];
  if (wanted.length > content.length)
    await calls.call('storage.set', { id: 'local', properties: { content: wanted }, digest });
  return { core, ...calls };
};

/** Build (or reuse) a template and put it in the node's `local` storage. */
export const installTemplate = async (lab: BenchLab, kind: CtTemplateKind): Promise<BenchTemplate> => {
  const built = await buildCtTemplate(kind);
  // busybox: the .tar.gz (what the integration tests use); Debian: the one build.sh prefers (.tar.zst).
  const path = (kind === 'busybox' ? built.find((p) => p.endsWith('.tar.gz')) : undefined) ?? built[0]!;
  const cache = join(lab.node.root, 'var/lib/vz/template/cache');
  await mkdir(cache, { recursive: true });
  const name = basename(path);
  await copyFile(path, join(cache, name));
  return { kind, volid: `local:vztmpl/${name}`, path: join(cache, name) };
};

export interface BenchCtOptions {
  vmid: number;
  template: BenchTemplate;
  unprivileged: boolean;
}

/** ct.create with start, as the wizard sends it: a 2 GiB root disk on `local`, no network; resolves with the task's id once it ended OK. */
export const createStartedCt = async (
  calls: BenchCtCalls,
  { vmid, template, unprivileged }: BenchCtOptions,
): Promise<string> => {
  const ref = await calls.call('ct.create', {
    vmid,
    ostemplate: template.volid,
    config: { hostname: `bench-${vmid}`, rootfs: 'local:2', unprivileged: unprivileged ? 1 : 0 },
    start: true,
  });
  await calls.finished(ref, CT_TASK_TIMEOUT_MS);
  return ref.upid;
};

/** Stop the container if it runs, then destroy it and its volumes; nothing to do when it does not exist. */
export const removeCt = async (calls: BenchCtCalls, vmid: number): Promise<void> => {
  const status = await calls.call('ct.status', { vmid }).catch((error: unknown) => {
    if (AppError.from(error).code === 'not-found') return undefined;
    throw error;
  });
  if (status === undefined) return;
  if (status.status === 'running') await calls.finished(await calls.call('ct.stop', { vmid }), CT_TASK_TIMEOUT_MS);
  await calls.finished(await calls.call('ct.destroy', { vmid, purge: true }), CT_TASK_TIMEOUT_MS);
};
