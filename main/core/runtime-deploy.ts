// Put the Node.js the app carries on a node that has none >= 20, the way VS Code Remote-SSH brings its server's:
// content-addressed under <root>/usr/lib/hyperdesk/node/<version>-<arch>, used as it is when its bin/node has the
// manifest's sha256; otherwise the tarball goes up by SFTP into staging, is unpacked there, verified, tried and
// renamed into place. Every remote command is a constant script whose operands are quoted words.
import { posix } from 'node:path';
import { AppError } from '../../node-agent/src/api';
import { runRemote, runStep } from './remote-command';
import { readCarriedRuntime, type CarriedRuntime } from './runtime-bundle';
import { uploadFile } from './sftp-upload';
import { shellQuote } from './shell-quote';
import type { SshConnection } from './ssh-connection';

const HASH_TIMEOUT_MS = 60_000;
const UNPACK_TIMEOUT_MS = 180_000;
const STEP_TIMEOUT_MS = 60_000;

/** Where a runtime lives on the node and where it is staged on the way there. */
export const runtimePaths = (root: string, runtime: Pick<CarriedRuntime, 'version' | 'arch'>) => {
  const lib = posix.join(root, 'usr/lib/hyperdesk');
  const name = `${runtime.version}-${runtime.arch}`;
  const staging = posix.join(lib, 'staging');
  return {
    parent: posix.join(lib, 'node'),
    dir: posix.join(lib, 'node', name),
    nodeBinary: posix.join(lib, 'node', name, 'bin/node'),
    staging,
    tarball: posix.join(staging, `node-linux-${runtime.arch}-${runtime.version}.tgz`),
    unpacked: posix.join(staging, `node-${name}.unpack`),
    replaced: posix.join(staging, `node-${name}.old`),
  };
};

/** sha256 of a file on the node, or nothing (exit 0, empty output) when it is not there. */
const HASH_SCRIPT = 'if [ -f "$1" ]; then sha256sum "$1"; fi';
/** Only bin/node and its licence: the package's 2,700 C headers are of no use to the agent. */
const UNPACK_SCRIPT = 'rm -rf "$1" && mkdir -m 700 "$1" && tar -xzf "$2" -C "$1" package/bin/node package/LICENSE';
/** A directory cannot be renamed over a non-empty one: a damaged copy is moved aside first. */
const PLACE_SCRIPT = 'mkdir -p "$3" && rm -rf "$4" && if [ -e "$2" ]; then mv "$2" "$4"; fi && mv "$1" "$2"';

const hashCommand = (path: string) => shellQuote(['sh', '-c', HASH_SCRIPT, 'sh', path]);

const parseHash = (stdout: string): string | undefined => /^([0-9a-f]{64})\s/m.exec(stdout)?.[1];

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export interface RuntimeDeployOptions {
  /** HYPERDESK_ROOT on the node (absolute). */
  root: string;
  nodeName: string;
  log: (line: string) => void;
}

/** Make sure the carried runtime is on the node; resolves the path of its bin/node. */
export const installCarriedRuntime = async (
  conn: SshConnection,
  runtime: CarriedRuntime,
  { root, nodeName, log }: RuntimeDeployOptions,
): Promise<string> => {
  const paths = runtimePaths(root, runtime);
  const label = `Node.js ${runtime.version} for ${runtime.arch}`;
  const present = await runStep(
    conn,
    'checking the installed Node.js runtime',
    nodeName,
    hashCommand(paths.nodeBinary),
    HASH_TIMEOUT_MS,
  );
  const found = parseHash(present.stdout);
  if (found === runtime.nodeSha256) {
    log(`${label} is already installed at ${paths.dir} (bin/node sha256 ${found.slice(0, 12)})`);
    return paths.nodeBinary;
  }
  log(
    found === undefined
      ? `${label} is not installed on node ${nodeName}`
      : `${paths.nodeBinary} has sha256 ${found.slice(0, 12)}, not ${runtime.nodeSha256.slice(0, 12)}: installing ${label} again`,
  );

  const bytes = await readCarriedRuntime(runtime);
  log(`uploading ${label} (${megabytes(bytes.length)}, sha256 ${runtime.sha256.slice(0, 12)}) to ${paths.tarball}`);
  try {
    const started = Date.now();
    const sftp = await conn.sftp();
    try {
      await uploadFile(sftp, bytes, paths.tarball, { mode: 0o600, dirMode: 0o700 });
    } catch (error) {
      const appError = AppError.from(error);
      throw new AppError('command-failed', `uploading ${label} to node ${nodeName} failed: ${appError.message}`, {
        node: nodeName,
        step: 'upload',
      });
    } finally {
      sftp.end();
    }
    const seconds = (Date.now() - started) / 1000;
    log(
      `uploaded ${megabytes(bytes.length)} in ${seconds.toFixed(1)} s (${megabytes(bytes.length / Math.max(seconds, 0.001))}/s)`,
    );

    log(`# tar -xzf ${paths.tarball} -C ${paths.unpacked}`);
    await runStep(
      conn,
      `unpacking ${label}`,
      nodeName,
      shellQuote(['sh', '-c', UNPACK_SCRIPT, 'sh', paths.unpacked, paths.tarball]),
      UNPACK_TIMEOUT_MS,
    );
    const unpackedNode = posix.join(paths.unpacked, 'package/bin/node');
    const hashed = await runStep(conn, `verifying ${label}`, nodeName, hashCommand(unpackedNode), HASH_TIMEOUT_MS);
    const actual = parseHash(hashed.stdout);
    if (actual !== runtime.nodeSha256)
      throw new AppError(
        'conflict',
        `verifying ${label} on node ${nodeName} failed: the unpacked bin/node has sha256 ${actual ?? 'none'}, not ${runtime.nodeSha256} — the upload was damaged; connect again to resend it`,
        { node: nodeName, step: 'verify', digest: actual ?? null, expected: runtime.nodeSha256 },
      );
    log(`bin/node has the manifest's sha256 ${actual.slice(0, 12)}`);
    // A binary for this machine that cannot start (a C library too old, a noexec mount) fails here, not in install.
    const tried = await runStep(
      conn,
      `running ${label}`,
      nodeName,
      shellQuote([unpackedNode, '--version']),
      STEP_TIMEOUT_MS,
    );
    if (tried.stdout.trim() !== `v${runtime.version}`)
      throw new AppError(
        'command-failed',
        `running ${label} on node ${nodeName} printed ${JSON.stringify(tried.stdout.trim().slice(0, 80))}, not v${runtime.version}`,
        { node: nodeName, step: 'run' },
      );
    log(`${unpackedNode} --version: v${runtime.version}; moving it to ${paths.dir}`);
    await runStep(
      conn,
      `moving ${label} into place`,
      nodeName,
      shellQuote([
        'sh',
        '-c',
        PLACE_SCRIPT,
        'sh',
        posix.join(paths.unpacked, 'package'),
        paths.dir,
        paths.parent,
        paths.replaced,
      ]),
      STEP_TIMEOUT_MS,
    );
    log(`installed ${label} at ${paths.dir}`);
  } finally {
    // Staging is cleaned whatever happened; a failure here must not hide the step that failed.
    const cleaned = await runRemote(
      conn,
      shellQuote(['rm', '-rf', paths.unpacked, paths.replaced, paths.tarball, `${paths.tarball}.tmp`]),
      STEP_TIMEOUT_MS,
    ).catch((error: unknown) => ({ code: -1, stdout: '', stderr: AppError.from(error).message }));
    if (cleaned.code !== 0) log(`could not remove the staged runtime on node ${nodeName}: ${cleaned.stderr.trim()}`);
  }
  return paths.nodeBinary;
};
