// Put the carried agent on a node, the way VS Code Remote-SSH deploys its server: probe the node with one
// constant script, pick a Node.js to run it (the node's own from 20 on, else the runtime the app carries,
// installed by runtime-deploy.ts), upload the bundle by SFTP under its digest, and let the agent's own `install`
// verify and activate it. Nothing the node or the person typed is ever interpolated unquoted.
import { posix } from 'node:path';
import { AppError } from '../../node-agent/src/api';
import type { AgentBundle } from './agent-bundle';
import { commandFailed, runRemote } from './remote-command';
import { loadCarriedRuntimes, runtimeArch, type CarriedRuntime, type CarriedRuntimes } from './runtime-bundle';
import { installCarriedRuntime } from './runtime-deploy';
import { uploadFile } from './sftp-upload';
import { shellQuote } from './shell-quote';
import type { SshConnection } from './ssh-connection';

// Callers that run single commands on a node beside deployment have always found it here.
export { runRemote, type CommandResult } from './remote-command';

/** The oldest Node.js the agent runs on (its bundle targets node20). */
export const MIN_NODE_MAJOR = 20;
const INSTALL_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = 30_000;

export interface NodeProbe {
  /** HYPERDESK_ROOT as the node's sshd sets it, '/' by default. */
  root: string;
  arch: string;
  nodePath: string | undefined;
  /** `node --version` as printed, e.g. v20.19.2. */
  nodeVersion: string | undefined;
  uid: number | undefined;
}

/**
 * The probe: constant text, run by `sh -c` so the login shell's flavour does not matter. Each value on
 * its own `key=value` line after a marker, so a chatty login (motd on stdout) cannot be mistaken for it.
 */
export const PROBE_SCRIPT = [
  'n=$(command -v node 2>/dev/null)',
  'v=; if [ -n "$n" ]; then v=$("$n" --version 2>/dev/null); fi',
  'printf "HYPERDESK-PROBE\\nroot=%s\\narch=%s\\nnode=%s\\nversion=%s\\nuid=%s\\n" "${HYPERDESK_ROOT:-/}" "$(uname -m)" "$n" "$v" "$(id -u)"',
].join('; ');

export const PROBE_COMMAND = shellQuote(['sh', '-c', PROBE_SCRIPT]);

export const parseProbe = (stdout: string): NodeProbe => {
  const lines = stdout.split('\n');
  const start = lines.lastIndexOf('HYPERDESK-PROBE');
  if (start === -1)
    throw new AppError('protocol-error', 'the node did not answer the probe (no HYPERDESK-PROBE marker)');
  const values = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const text = (key: string) => {
    const value = values.get(key);
    return value === undefined || value === '' ? undefined : value;
  };
  const uid = Number(text('uid'));
  return {
    root: text('root') ?? '/',
    arch: text('arch') ?? 'unknown',
    nodePath: text('node'),
    nodeVersion: text('version'),
    uid: Number.isInteger(uid) ? uid : undefined,
  };
};

/** The node's own Node.js when it is 20 or newer. */
export const ownNodeJs = (probe: NodeProbe): string | undefined => {
  const major = /^v?(\d+)\./.exec(probe.nodeVersion ?? '')?.[1];
  return probe.nodePath !== undefined && major !== undefined && Number(major) >= MIN_NODE_MAJOR
    ? probe.nodePath
    : undefined;
};

/** The node's own Node.js, or the runtime the app carries for the node's architecture. */
export type RuntimeChoice = { kind: 'node'; nodeBinary: string } | { kind: 'carried'; runtime: CarriedRuntime };

/**
 * Which Node.js runs the agent: the node's own when it is 20 or newer, otherwise the one the app carries for the
 * node's architecture (`carried` is undefined when this build carries none). The error says what to install.
 */
export const chooseRuntime = (
  probe: NodeProbe,
  nodeName: string,
  carried: CarriedRuntimes | undefined,
): RuntimeChoice | AppError => {
  const own = ownNodeJs(probe);
  if (own !== undefined) return { kind: 'node', nodeBinary: own };
  const has = `node ${nodeName} has Node.js ${probe.nodeVersion ?? 'none'}; the agent needs ${MIN_NODE_MAJOR} or newer`;
  const install = `install nodejs ${MIN_NODE_MAJOR} or newer on it (Debian 12 has 18; use NodeSource)`;
  const details = {
    reason: 'node-runtime',
    nodeVersion: probe.nodeVersion ?? null,
    nodePath: probe.nodePath ?? null,
    arch: probe.arch,
  };
  const arch = runtimeArch(probe.arch);
  if (arch === undefined)
    return new AppError(
      'not-supported',
      `${has}, and the app carries Node.js only for x86_64 and aarch64, not ${probe.arch} — ${install}`,
      details,
    );
  if (carried === undefined)
    return new AppError(
      'not-supported',
      `${has}, and this build of the app carries no Node.js runtime (it was built without the npm registry) — ${install}, or use a build that carries one`,
      details,
    );
  const runtime = carried.runtimes.find((r) => r.arch === arch);
  if (runtime === undefined)
    return new AppError(
      'not-supported',
      `${has}, and this build of the app carries Node.js ${carried.version} only for ${carried.runtimes.map((r) => r.arch).join(', ') || 'no architecture'}, not ${arch} — ${install}`,
      details,
    );
  return { kind: 'carried', runtime };
};

/** The install command's JSON answer: the last stdout line that parses as an object. */
const parseInstallAnswer = (stdout: string): Record<string, unknown> | undefined => {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // a line of something else
    }
  }
  return undefined;
};

export interface DeployOptions {
  /** How the node is named in messages (default: its host). */
  nodeName?: string;
}

export const deployAgent = async (
  conn: SshConnection,
  bundle: AgentBundle,
  log: (line: string) => void = () => undefined,
  options: DeployOptions = {},
): Promise<{ digest: string; version: string }> => {
  const nodeName = options.nodeName ?? conn.host;
  log(`probing node ${nodeName}`);
  const probed = await runRemote(conn, PROBE_COMMAND, PROBE_TIMEOUT_MS);
  if (probed.code !== 0) throw commandFailed('probing', nodeName, probed);
  const probe = parseProbe(probed.stdout);
  log(
    `node ${nodeName}: root ${probe.root}, ${probe.arch}, Node.js ${probe.nodeVersion ?? 'none'}${probe.nodePath ? ` at ${probe.nodePath}` : ''}`,
  );
  if (!posix.isAbsolute(probe.root))
    throw new AppError(
      'invalid-params',
      `node ${nodeName} has HYPERDESK_ROOT=${probe.root}; it must be an absolute path`,
    );
  // The carried runtimes are looked at only for a node that needs one: a broken set cannot stop the others.
  const carried =
    ownNodeJs(probe) === undefined && bundle.runtimesDir !== undefined
      ? await loadCarriedRuntimes(bundle.runtimesDir)
      : undefined;
  const choice = chooseRuntime(probe, nodeName, carried);
  if (choice instanceof AppError) throw choice;
  const runtime =
    choice.kind === 'node'
      ? choice.nodeBinary
      : await installCarriedRuntime(conn, choice.runtime, { root: probe.root, nodeName, log });

  const staged = posix.join(probe.root, 'usr/lib/hyperdesk/staging', `${bundle.digest}.js`);
  log(`uploading agent ${bundle.version} (${bundle.digest.slice(0, 12)}, ${bundle.bytes.length} bytes) to ${staged}`);
  const sftp = await conn.sftp();
  try {
    await uploadFile(sftp, bundle.bytes, staged, { mode: 0o600, dirMode: 0o700 });
  } finally {
    sftp.end();
  }

  const command = shellQuote([
    runtime,
    staged,
    'install',
    '--bundle',
    staged,
    '--digest',
    bundle.digest,
    '--node-binary',
    runtime,
  ]);
  log(`# ${command}`);
  const installed = await runRemote(conn, command, INSTALL_TIMEOUT_MS, log);
  if (installed.code !== 0) throw commandFailed('installing the agent', nodeName, installed);
  const answer = parseInstallAnswer(installed.stdout);
  const digest =
    typeof answer?.installed === 'string'
      ? answer.installed
      : typeof answer?.digest === 'string'
        ? answer.digest
        : bundle.digest;
  const version = typeof answer?.version === 'string' ? answer.version : bundle.version;
  if (digest !== bundle.digest)
    throw new AppError(
      'conflict',
      `node ${nodeName} reports agent ${digest} installed, not the ${bundle.digest} just sent`,
      { digest, expected: bundle.digest },
    );
  log(`agent ${version} installed on node ${nodeName}`);
  return { digest, version };
};
