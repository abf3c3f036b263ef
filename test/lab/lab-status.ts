// What a recorded lab looks like right now: per node, its namespace, address, sshd and agent.
import { existsSync } from 'node:fs';
import { HOST_ADDRESS, HOST_LINK, LAB_PREFIX } from './lab-layout';
import type { LabState } from './lab-state';
import { namespaceId, runningFromPidFile } from './processes';

export interface NodeStatus {
  name: string;
  namespace: string;
  address: string;
  root: string;
  namespacePresent: boolean;
  sshd: { running: boolean; pid?: number };
  agent: { running: boolean; pid?: number };
}

export interface LabStatus {
  up: boolean;
  phase?: LabState['phase'];
  stateDir: string;
  hostLink: { name: string; address: string; present: boolean };
  agent?: boolean;
  configDir?: string;
  nodes: NodeStatus[];
}

const pidStatus = (pid: number | undefined): { running: boolean; pid?: number } =>
  pid === undefined ? { running: false } : { running: true, pid };

export const labStatus = async (stateDir: string, state: LabState | undefined): Promise<LabStatus> => {
  const hostLink = {
    name: HOST_LINK,
    address: `${HOST_ADDRESS}/${LAB_PREFIX}`,
    present: existsSync(`/sys/class/net/${HOST_LINK}`),
  };
  if (!state) return { up: false, stateDir, hostLink, nodes: [] };
  const nodes = await Promise.all(
    state.nodes.map(async (node): Promise<NodeStatus> => ({
      name: node.name,
      namespace: node.namespace,
      address: node.address,
      root: node.root,
      namespacePresent: (await namespaceId(node.namespace)) !== undefined,
      sshd: pidStatus(await runningFromPidFile(node.sshPidFile, node.namespace)),
      agent: pidStatus(await runningFromPidFile(node.agentPidFile, node.namespace)),
    })),
  );
  return {
    up: true,
    phase: state.phase,
    stateDir,
    hostLink,
    agent: state.agent,
    ...(state.configDir === undefined ? {} : { configDir: state.configDir }),
    nodes,
  };
};

const cell = (running: boolean, pid: number | undefined): string => (running ? `running (${pid})` : 'stopped');

/** A plain table for people; `--output json` prints the LabStatus itself. */
export const formatLabStatus = (status: LabStatus): string => {
  if (!status.up) {
    return `no lab is up (state dir ${status.stateDir})${status.hostLink.present ? ` — but ${HOST_LINK} exists: \`npm run lab -- down --force\` removes it` : ''}\n`;
  }
  const rows = [
    ['NODE', 'NAMESPACE', 'ADDRESS', 'SSHD', 'AGENT'],
    ...status.nodes.map((n) => [
      n.name,
      n.namespacePresent ? n.namespace : `${n.namespace} (missing)`,
      n.address,
      cell(n.sshd.running, n.sshd.pid),
      cell(n.agent.running, n.agent.pid),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const head = [
    `lab ${status.phase === 'up' ? 'up' : 'STARTING (or left half-made: run `npm run lab -- down`)'} — state dir ${status.stateDir}`,
    `workstation link ${status.hostLink.name} ${status.hostLink.address}${status.hostLink.present ? '' : ' (missing)'}`,
    ...(status.configDir ? [`config dir ${status.configDir}`] : []),
    ...(status.agent === false ? ['agent not installed (--no-agent)'] : []),
  ];
  return `${head.join('\n')}\n\n${table}\n`;
};
