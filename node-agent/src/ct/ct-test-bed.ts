// Test support: a real CtService over a temporary agent root — its guest store, a StorageService reading the given
// storage.cfg with real plugins — and tasks run at once in-process with their logs kept. Never used by production code.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentPaths, type AgentPaths } from '../daemon/paths';
import { run } from '../exec/run';
import { tempDirForTest } from '../fs/temp-dir';
import { findGuest } from '../guests/guest-configs';
import { LocalStorageLocks } from '../storage/lock';
import { builtinRegistry } from '../storage/node-storage';
import type { PluginRegistry } from '../storage/registry';
import { StorageService } from '../storage/service';
import { StorageStore } from '../storage/storage-store';
import type { TaskContext } from '../tasks/task-context';
import type { SpawnTask } from '../vm/vm-service';
import { CtService } from './ct-service';
import { DEFAULT_SUB_IDS } from './sub-ids';

export interface CtTestBed {
  paths: AgentPaths;
  storage: StorageService;
  cts: CtService;
  /** Every task spawned, with its log lines. */
  tasks: { type: string; id: string; log: string[] }[];
}

export const ctTestBed = async (
  storageCfg: string,
  registry: PluginRegistry = builtinRegistry(),
): Promise<CtTestBed> => {
  const root = await tempDirForTest('hd-ct-');
  const paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  await mkdir(paths.config, { recursive: true });
  await writeFile(join(paths.config, 'storage.cfg'), storageCfg);
  // root's subordinate ids, as `hyperdesk-agent install` leaves them: unprivileged containers map onto them.
  await mkdir(join(root, 'etc'), { recursive: true });
  for (const file of ['subuid', 'subgid']) await writeFile(join(root, 'etc', file), `${DEFAULT_SUB_IDS}\n`);
  const storage = new StorageService({
    root,
    node: paths.node,
    store: StorageStore.at(paths.config),
    locks: new LocalStorageLocks(),
    registry,
    findGuest: (vmid) => findGuest(paths.config, vmid),
  });
  const tasks: CtTestBed['tasks'] = [];
  const signal = new AbortController().signal;
  const spawnTask: SpawnTask = async (options, body) => {
    const upid = `UPID:n1:00000001:00000001:00000001:${options.type}:${options.id}:${options.user}:`;
    const log: string[] = [];
    tasks.push({ type: options.type, id: options.id, log });
    const ctx: TaskContext = {
      upid,
      signal,
      log: (line) => log.push(line),
      warn: (line) => log.push(`WARN: ${line}`),
      progress: () => undefined,
      run: (command, args, runOptions) => {
        log.push(`# ${[command, ...args].join(' ')}`);
        return run(command, args, { ...runOptions, signal });
      },
    };
    await body(ctx);
    return { upid };
  };
  const cts = new CtService({
    paths,
    storage,
    spawnTask,
    user: 'root@pam',
    publish: () => undefined,
    log: () => undefined,
  });
  return { paths, storage, cts, tasks };
};
