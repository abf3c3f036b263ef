// What the container integration tests share: a one-node lab with the app's core, the busybox template (and a tarball
// that is no root file system) in the node's template cache, storage 'local' holding templates and container disks,
// and the calls. Optional: a btrfs storage on a loop device. Call in a test file's top level: it registers the
// beforeAll/afterAll hooks; `stopAtEnd` lists the vmids whose containers are killed before the lab goes down.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { run, runChecked } from '../../node-agent/src/exec/run';
import { nodeKey } from '../../main/core/config-schema';
import { createCore, type HyperdeskCore } from '../../main/core/core';
import { MemorySecretStore } from '../../main/core/secrets-memory';
import type { Lab } from '../lab/lab-api';
import { CLUSTER_ID, repoRoot } from '../lab/lab-layout';
import { labUpWhenFree } from '../lab/lab-when-free';
import { buildCtTemplate } from '../ct-templates/ct-templates';
import { ensureBuilt } from './helpers';
import { agentCalls, loopBtrfs, until } from './lab-calls';

export interface CtLabOptions {
  /** Add a btrfs storage (images, rootdir; default id `ct-btrfs`) on a loop device, mounted at `path` in the node's root. */
  readonly btrfs?: { readonly path: string; readonly id?: string; readonly quotas?: boolean };
  readonly stopAtEnd: readonly number[];
}

export const useCtLab = (options: CtLabOptions) => {
  const key = nodeKey(CLUSTER_ID, 'n1');
  let lab: Lab | undefined;
  let core: HyperdeskCore | undefined;
  let configDir = '';
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the container lab has no ${what} yet (beforeAll failed?)`);
    return value;
  };
  const labNow = () => need(lab, 'lab');
  const calls = agentCalls(() => need(core, 'core'), key);
  const btrfsId = options.btrfs?.id ?? 'ct-btrfs';
  const btrfs = options.btrfs === undefined ? undefined : loopBtrfs(labNow, 'n1', `${btrfsId}.img`, options.btrfs.path);
  const nodePath = (path: string) => join(labNow().node('n1').root, path);

  beforeAll(async () => {
    await ensureBuilt();
    const template = (await buildCtTemplate('busybox')).find((path) => path.endsWith('.tar.gz')) ?? '';
    configDir = await mkdtemp(join(tmpdir(), 'hd-ct-config-'));
    lab = await labUpWhenFree({ nodes: 1, configDir, agent: true });
    const cache = nodePath('var/lib/vz/template/cache');
    await mkdir(cache, { recursive: true });
    await copyFile(template, join(cache, 'busybox.tar.gz'));
    await runChecked('tar', ['czf', join(cache, 'not-a-rootfs.tar.gz'), '-C', repoRoot(), 'README.md']);
    await btrfs?.mount();
    core = await createCore({ configDir, secrets: new MemorySecretStore(), agentBundle: join(repoRoot(), 'dist/agent/hyperdesk-agent.js') });
    const current = core;
    await until('node n1 online', async () => (await current.handle('inventory.snapshot', {})).nodes[key]?.state === 'online' || undefined, 90_000);
    const { digest } = await calls.call('storage.list', {});
    const { digest: next } = await calls.call('storage.set', { id: 'local', properties: { content: ['iso', 'vztmpl', 'backup', 'images', 'rootdir'] }, digest });
    if (options.btrfs !== undefined) {
      const { path, quotas } = options.btrfs;
      await calls.call('storage.add', { config: { type: 'btrfs', id: btrfsId, path, content: ['images', 'rootdir'], ...(quotas ? { quotas } : {}) }, digest: next });
    }
  }, 30 * 60_000);

  afterAll(async () => {
    await core?.dispose();
    if (lab !== undefined)
      for (const ctid of options.stopAtEnd) await run('lxc-stop', ['-P', nodePath('var/lib/lxc'), '-n', String(ctid), '-k'], { timeoutMs: 30_000 }).catch(() => undefined);
    await btrfs?.release();
    await lab?.down();
    if (configDir !== '') await rm(configDir, { recursive: true, force: true });
  }, 180_000);

  return {
    ...calls,
    lab: labNow,
    core: () => need(core, 'core'),
    /** The node's key in the core ("lab/n1"). */
    key,
    nodePath,
    /** The workstation config dir the core and hdctl use. */
    configDir: () => configDir,
  };
};
