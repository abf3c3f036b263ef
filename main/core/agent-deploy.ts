// Put the carried agent on a node, the way VS Code Remote-SSH deploys its server: probe the node with one
// constant script, pick a Node.js to run it, upload the bundle by SFTP under its digest, and let the
// agent's own `install` verify and activate it. Nothing the node or the person typed is ever interpolated unquoted.
import { posix } from 'node:path';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { AppError } from '../../node-agent/src/api';
import type { AgentBundle } from './agent-bundle';
import { shellQuote } from './shell-quote';
import type { SshConnection } from './ssh-connection';

/** The oldest Node.js the agent runs on (its bundle targets node20). */
export const MIN_NODE_MAJOR = 20;
const INSTALL_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = 30_000;
const TAIL = 2000;

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

/**
 * Which Node.js runs the agent: the node's own when it is 20 or newer. Otherwise the error says what to
 * install. This is where the runtime the app carries (linux-x64/arm64) will slot in; it is not built yet.
 */
export const chooseRuntime = (probe: NodeProbe, nodeName: string): string | AppError => {
  const major = /^v?(\d+)\./.exec(probe.nodeVersion ?? '')?.[1];
  if (probe.nodePath !== undefined && major !== undefined && Number(major) >= MIN_NODE_MAJOR) return probe.nodePath;
  return new AppError(
    'not-supported',
    `node ${nodeName} has Node.js ${probe.nodeVersion ?? 'none'}; the agent needs ${MIN_NODE_MAJOR} or newer — install nodejs (Debian 12 has 18; use NodeSource or the runtime the app carries)`,
    {
      reason: 'node-runtime',
      nodeVersion: probe.nodeVersion ?? null,
      nodePath: probe.nodePath ?? null,
      arch: probe.arch,
    },
  );
};

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run one command on the node to its end (or the deadline), collecting output; stderr lines go to `log`. */
export const runRemote = (
  conn: SshConnection,
  command: string,
  timeoutMs: number,
  log?: (line: string) => void,
): Promise<CommandResult> =>
  conn.exec(command).then(
    (channel: ClientChannel) =>
      new Promise((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        let pending = '';
        const timer = setTimeout(() => {
          channel.close();
          reject(
            new AppError(
              'timeout',
              `${command.slice(0, 80)} did not finish on ${conn.host} within ${timeoutMs / 1000} s`,
            ),
          );
        }, timeoutMs);
        channel.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        channel.stderr.on('data', (chunk: Buffer) => {
          const text = chunk.toString('utf8');
          stderr += text;
          pending += text;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) log?.(line);
        });
        channel.on('exit', (exitCode: number | null) => (code = exitCode));
        channel.on('close', () => {
          clearTimeout(timer);
          if (pending !== '') log?.(pending);
          resolve({ code, stdout, stderr });
        });
      }),
  );

const sftpCall = <T>(
  what: string,
  action: (done: (error: Error | null | undefined, value?: T) => void) => void,
): Promise<T> =>
  new Promise((resolve, reject) =>
    action((error, value) =>
      error ? reject(new AppError('command-failed', `${what}: ${error.message}`)) : resolve(value as T),
    ),
  );

/** mkdir -p over SFTP: create each missing component; the last one with `mode`. */
const mkdirs = async (sftp: SFTPWrapper, path: string, mode: number): Promise<void> => {
  const parts = path.split('/').filter((part) => part !== '');
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    const exists = await new Promise<boolean>((resolve) =>
      sftp.stat(dir, (error, stats) => resolve(!error && stats.isDirectory())),
    );
    if (exists) continue;
    await sftpCall(`cannot create ${dir}`, (done) =>
      sftp.mkdir(dir, { mode: i === parts.length ? mode : 0o755 }, (error) => done(error)),
    );
  }
};

/** Upload to `<staged>.tmp`, then rename into place, so a half-sent file is never taken for the bundle. */
const upload = async (sftp: SFTPWrapper, bundle: AgentBundle, staged: string): Promise<void> => {
  await mkdirs(sftp, posix.dirname(staged), 0o700);
  const tmp = `${staged}.tmp`;
  await sftpCall(`cannot write ${tmp}`, (done) =>
    sftp.writeFile(tmp, bundle.bytes, { mode: 0o600 }, (error) => done(error)),
  );
  await new Promise<void>((resolve) => sftp.unlink(staged, () => resolve()));
  await sftpCall(`cannot rename ${tmp}`, (done) => sftp.rename(tmp, staged, (error) => done(error)));
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
  if (probed.code !== 0)
    throw new AppError(
      'command-failed',
      `probing node ${nodeName} failed (exit ${probed.code}): ${probed.stderr.trim().slice(-TAIL)}`,
      {
        exitCode: probed.code,
        stderr: probed.stderr.slice(-TAIL),
      },
    );
  const probe = parseProbe(probed.stdout);
  log(
    `node ${nodeName}: root ${probe.root}, ${probe.arch}, Node.js ${probe.nodeVersion ?? 'none'}${probe.nodePath ? ` at ${probe.nodePath}` : ''}`,
  );
  const runtime = chooseRuntime(probe, nodeName);
  if (runtime instanceof AppError) throw runtime;
  if (!posix.isAbsolute(probe.root))
    throw new AppError(
      'invalid-params',
      `node ${nodeName} has HYPERDESK_ROOT=${probe.root}; it must be an absolute path`,
    );

  const staged = posix.join(probe.root, 'usr/lib/hyperdesk/staging', `${bundle.digest}.js`);
  log(`uploading agent ${bundle.version} (${bundle.digest.slice(0, 12)}, ${bundle.bytes.length} bytes) to ${staged}`);
  const sftp = await conn.sftp();
  try {
    await upload(sftp, bundle, staged);
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
  if (installed.code !== 0)
    throw new AppError(
      'command-failed',
      `installing the agent on node ${nodeName} failed (exit ${installed.code}): ${installed.stderr.trim().slice(-TAIL) || installed.stdout.trim().slice(-TAIL)}`,
      { exitCode: installed.code, stderr: installed.stderr.slice(-TAIL) },
    );
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
