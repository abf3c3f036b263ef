// Small helpers the integration tests (and the benchmarks) share: run the built hdctl, log in to a lab node with
// OpenSSH, talk raw JSON-RPC to a node's bridge over it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { run, runChecked, type RunResult } from '../../node-agent/src/exec/run';
import { remoteAgentCommand } from '../../node-agent/src/daemon/paths';
import { join } from 'node:path';
import { CONFIG_FILES } from '../../main/core/config-schema';
import type { Lab } from '../lab/lab-api';

export const ensureBuilt = async (): Promise<void> => {
  if (!existsSync('dist/main/hdctl.js') || !existsSync('dist/agent/hyperdesk-agent.js'))
    await runChecked('node', ['build/build.mjs', 'agent', 'main'], { timeoutMs: 180_000 });
};

/** The workstation CLI as a person runs it (the built bundle), against a config dir. */
export const hdctl = (configDir: string, ...args: string[]): Promise<RunResult> =>
  run('node', ['dist/main/hdctl.js', '--config-dir', configDir, ...args], { timeoutMs: 120_000 });

export const hdctlJson = async <T>(configDir: string, ...args: string[]): Promise<T> => {
  const result = await hdctl(configDir, ...args, '--output', 'json');
  if (result.code !== 0) throw new Error(`hdctl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

/**
 * OpenSSH client options that log in to a lab node as the app does: the lab's client key and the host keys the app
 * saved (strictly), and nothing of the person's own ~/.ssh (config, agent keys, known hosts).
 */
export const labSshOptions = (lab: Pick<Lab, 'clientKey'>, knownHostsPath: string): string[] => [
  '-F', '/dev/null',
  '-i', lab.clientKey,
  '-o', 'IdentitiesOnly=yes',
  '-o', 'BatchMode=yes',
  '-o', `UserKnownHostsFile=${knownHostsPath}`,
  '-o', 'GlobalKnownHostsFile=/dev/null',
  '-o', 'StrictHostKeyChecking=yes',
  '-o', 'ConnectTimeout=5',
];

const sshArgs = (lab: Lab, configDir: string, address: string) => [
  ...labSshOptions(lab, join(configDir, CONFIG_FILES.knownHosts)),
  `root@${address}`,
];

/** Open the node's bridge through OpenSSH and exchange raw lines: send each, collect one answer line per request. */
export const rawBridge = (lab: Lab, configDir: string, node: string) => {
  const child = spawn('ssh', [...sshArgs(lab, configDir, lab.node(node).address), remoteAgentCommand('bridge')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  const lines: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error('no answer from the bridge within 15 s')), 15_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  return {
    async send(line: string): Promise<Record<string, unknown>> {
      child.stdin.write(`${line}\n`);
      return JSON.parse(await nextLine()) as Record<string, unknown>;
    },
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
};
