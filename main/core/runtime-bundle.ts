// The Node.js runtimes the app carries for nodes without Node.js >= 20 (dist/runtimes, resources/runtimes when
// packaged: the registry's node-linux-<arch> tarballs and the manifest.json build/fetch-runtimes.mjs wrote).
// A tarball is checked against its manifest's sha256 before it is ever sent to a node.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../node-agent/src/api';

export const RuntimeArch = z.enum(['x64', 'arm64']);
export type RuntimeArch = z.infer<typeof RuntimeArch>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const Manifest = z.object({
  // Plain x.y.z: it names the runtime's folder on the node.
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  runtimes: z.array(
    z.object({
      arch: RuntimeArch,
      file: z.string().regex(/^[A-Za-z0-9._-]+\.tgz$/),
      sha256: Sha256,
      /** sha256 of bin/node inside the tarball: what is checked on the node after unpacking. */
      nodeSha256: Sha256,
    }),
  ),
});

export interface CarriedRuntime {
  version: string;
  arch: RuntimeArch;
  /** The tarball (an npm package: its files under package/). */
  path: string;
  sha256: string;
  nodeSha256: string;
}

export interface CarriedRuntimes {
  dir: string;
  version: string;
  runtimes: CarriedRuntime[];
}

/** `uname -m` as a runtime's architecture; undefined for a machine the app carries no Node.js for. */
export const runtimeArch = (machine: string): RuntimeArch | undefined => {
  switch (machine.trim()) {
    case 'x86_64':
    case 'amd64':
      return 'x64';
    case 'aarch64':
    case 'arm64':
      return 'arm64';
    default:
      return undefined;
  }
};

/**
 * The runtimes listed in `<dir>/manifest.json`, or undefined when there is none (a build that could not reach
 * the registry carries no runtime). The tarballs are not read here: see readCarriedRuntime.
 */
export const loadCarriedRuntimes = async (dir: string): Promise<CarriedRuntimes | undefined> => {
  const manifestPath = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError(
      'internal-error',
      `cannot read the runtime manifest ${manifestPath}: ${(error as Error).message}`,
      {
        path: manifestPath,
      },
    );
  }
  let manifest: z.infer<typeof Manifest>;
  try {
    manifest = Manifest.parse(JSON.parse(text));
  } catch (error) {
    throw new AppError(
      'internal-error',
      `the runtime manifest ${manifestPath} is not valid: ${(error as Error).message} — rebuild it with: node build/build.mjs runtimes`,
      { path: manifestPath },
    );
  }
  return {
    dir,
    version: manifest.version,
    runtimes: manifest.runtimes.map((r) => ({
      version: manifest.version,
      arch: r.arch,
      path: join(dir, r.file),
      sha256: r.sha256,
      nodeSha256: r.nodeSha256,
    })),
  };
};

/** The tarball's bytes, refused unless they have the manifest's sha256. */
export const readCarriedRuntime = async (runtime: CarriedRuntime): Promise<Buffer> => {
  let bytes: Buffer;
  try {
    bytes = await readFile(runtime.path);
  } catch (error) {
    throw new AppError(
      'not-found',
      `the Node.js ${runtime.version} runtime for ${runtime.arch} (${runtime.path}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} — rebuild it with: node build/build.mjs runtimes`,
      { path: runtime.path },
    );
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== runtime.sha256)
    throw new AppError(
      'conflict',
      `the Node.js runtime ${runtime.path} has sha256 ${digest} but its manifest says ${runtime.sha256} — it was changed or damaged; rebuild it with: node build/build.mjs runtimes`,
      { path: runtime.path, digest, expected: runtime.sha256 },
    );
  return bytes;
};
