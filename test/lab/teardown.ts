// Removing a lab: its processes first (pid files, recorded pids, then anything still inside its namespaces),
// then its host link and namespaces, then its state dir. Safe on a half-made lab and safe to run twice.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { AppError } from '../../node-agent/src/api/errors';
import { run } from '../../node-agent/src/exec/run';
import { HOST_LINK, isLabNamespace } from './lab-layout';
import type { LabState } from './lab-state';
import { isAlreadyGone, planNetworkDown, type LabResource } from './network-plan';
import { namespacePids, readPidFile, stopInNamespace } from './processes';
import { removePrivsepDir } from './sshd';

export type Log = (line: string) => void;

const stopNodeProcesses = async (state: LabState, log: Log): Promise<void> => {
  for (const node of state.nodes) {
    const recorded = Object.entries(state.pids)
      .filter(([key]) => key.startsWith(`${node.name}/`))
      .map(([, pid]) => pid);
    const fromFiles = await Promise.all([readPidFile(node.sshPidFile), readPidFile(node.agentPidFile)]);
    const pids = [...recorded, ...fromFiles.filter((pid): pid is number => pid !== undefined)];
    const stopped = await stopInNamespace(pids, node.namespace);
    if (stopped.length > 0) log(`stopped ${node.name}: pids ${stopped.join(' ')}`);
  }
};

/** Whatever else lives in the lab's namespaces (sessions, bridges, guests the agent started) goes too. */
const sweepNamespaces = async (namespaces: readonly string[], log: Log): Promise<void> => {
  for (const namespace of namespaces) {
    // A few rounds: a supervisor in the namespace may start something while we stop the rest.
    for (let round = 0; round < 3; round++) {
      const stopped = await stopInNamespace(await namespacePids(namespace), namespace);
      if (stopped.length === 0) break;
      log(`stopped in ${namespace}: pids ${stopped.join(' ')}`);
    }
    const left = await namespacePids(namespace);
    if (left.length > 0)
      throw new AppError('command-failed', `processes ${left.join(' ')} are still running in ${namespace}`);
  }
};

const removeNetwork = async (resources: readonly LabResource[], log: Log): Promise<string[]> => {
  const failures: string[] = [];
  for (const step of planNetworkDown(resources)) {
    const result = await run('ip', step.args, { timeoutMs: 20_000 });
    if (result.code === 0) log(`ip ${step.args.join(' ')}`);
    else if (!isAlreadyGone(result.stderr)) failures.push(`ip ${step.args.join(' ')}: ${result.stderr.trim()}`);
  }
  return failures;
};

/** Tear down the recorded lab. The state dir goes only when everything else did, so a failed `down` can be rerun. */
export const teardownLab = async (state: LabState, log: Log = () => undefined): Promise<void> => {
  const namespaces = state.resources.filter((r) => r.kind === 'namespace').map((r) => r.name);
  await stopNodeProcesses(state, log);
  await sweepNamespaces(namespaces, log);
  const failures = await removeNetwork(state.resources, log);
  if (state.createdRunSshd) await removePrivsepDir();
  if (failures.length > 0)
    throw new AppError('command-failed', `the lab was not fully removed: ${failures.join('; ')}`);
  await rm(state.stateDir, { recursive: true, force: true });
  log(`removed ${state.stateDir}`);
};

/** Lab-named namespaces and the host link present on this machine, whoever made them. */
export const leftoverResources = async (): Promise<LabResource[]> => {
  const listed = await run('ip', ['netns', 'list'], { timeoutMs: 10_000 });
  const namespaces = listed.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(isLabNamespace)
    .map((name): LabResource => ({ kind: 'namespace', name }));
  // Switch first, as `up` makes it: planNetworkDown removes newest first.
  namespaces.sort((a, b) => (a.name === 'hdlab-sw' ? -1 : b.name === 'hdlab-sw' ? 1 : a.name.localeCompare(b.name)));
  const hostLink: LabResource[] = existsSync(`/sys/class/net/${HOST_LINK}`)
    ? [{ kind: 'host-link', name: HOST_LINK }]
    : [];
  return [...namespaces, ...hostLink];
};

/**
 * `down --force`: no usable state.json, so remove what carries the lab's names (hdlab-sw, hdlab-nN, hdlab0) and
 * the state dir if it holds only what `up` writes there. Only for cleaning up after a lab whose record was lost.
 */
export const forceTeardown = async (stateDir: string, log: Log = () => undefined): Promise<void> => {
  const resources = await leftoverResources();
  await sweepNamespaces(
    resources.filter((r) => r.kind === 'namespace').map((r) => r.name),
    log,
  );
  const failures = await removeNetwork(resources, log);
  if (failures.length > 0)
    throw new AppError('command-failed', `the lab was not fully removed: ${failures.join('; ')}`);
  if (await looksLikeLabStateDir(stateDir)) {
    await rm(stateDir, { recursive: true, force: true });
    log(`removed ${stateDir}`);
  }
};

/** A dir holding only what `up` writes there (state.json, client/, nodes/, agent/) — never someone's other files. */
const looksLikeLabStateDir = async (stateDir: string): Promise<boolean> => {
  const entries = await readdir(stateDir).catch(() => undefined);
  return (
    entries !== undefined &&
    entries.length > 0 &&
    entries.every((e) => ['client', 'nodes', 'agent'].includes(e) || e.startsWith('state.json'))
  );
};
