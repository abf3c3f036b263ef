// The agent bundle the app carries (dist/agent/hyperdesk-agent.js and manifest.json beside it), checked
// against its manifest's sha256 before it is ever sent to a node. Deployment is content-addressed by that digest.
// The Node.js runtimes the app carries for nodes without one sit in the sibling folder `runtimes`.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../node-agent/src/api';

export interface AgentBundle {
  path: string;
  version: string;
  /** sha256 of the file, lower-case hex (what the agent's hello reports as agentDigest). */
  digest: string;
  bytes: Buffer;
  /**
   * Where the Node.js runtimes the app carries are (runtime-bundle.ts): `runtimes` beside the bundle's folder,
   * dist/runtimes next to dist/agent, resources/runtimes next to resources/agent in a packaged app.
   */
  runtimesDir?: string;
}

/** dist/agent/hyperdesk-agent.js → dist/runtimes. */
export const runtimesDirFor = (bundlePath: string): string => join(dirname(dirname(bundlePath)), 'runtimes');

const Manifest = z.object({
  version: z.string().min(1),
  digest: z.string().regex(/^[0-9a-f]{64}$/i),
  file: z.string().optional(),
});

const readOrExplain = async (path: string, what: string): Promise<Buffer> => {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new AppError(
        'not-found',
        `the agent ${what} ${path} is missing — build it with: node build/build.mjs agent`,
        { path },
      );
    throw new AppError('internal-error', `cannot read the agent ${what} ${path}: ${(error as Error).message}`, {
      path,
    });
  }
};

export const loadAgentBundle = async (bundlePath: string): Promise<AgentBundle> => {
  const manifestPath = join(dirname(bundlePath), 'manifest.json');
  const bytes = await readOrExplain(bundlePath, 'bundle');
  let manifest: z.infer<typeof Manifest>;
  try {
    manifest = Manifest.parse(JSON.parse((await readOrExplain(manifestPath, 'manifest')).toString('utf8')));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'internal-error',
      `the agent manifest ${manifestPath} is not valid: ${(error as Error).message}`,
      { path: manifestPath },
    );
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== manifest.digest.toLowerCase())
    throw new AppError(
      'conflict',
      `the agent bundle ${bundlePath} has sha256 ${digest} but its manifest says ${manifest.digest} — rebuild it with: node build/build.mjs agent`,
      { path: bundlePath, digest, expected: manifest.digest },
    );
  return { path: bundlePath, version: manifest.version, digest, bytes, runtimesDir: runtimesDirFor(bundlePath) };
};

/**
 * Compare two semantic versions (major.minor.patch[-prerelease]); a prerelease sorts before its release.
 * Anything unparsable sorts lowest, so an agent reporting garbage is never taken for a newer one.
 */
export const compareVersions = (a: string, b: string): number => {
  const parse = (version: string) => {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(version.trim());
    return match ? { core: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4] } : undefined;
  };
  const left = parse(a);
  const right = parse(b);
  if (!left || !right) return left ? 1 : right ? -1 : 0;
  for (let i = 0; i < 3; i++) {
    const diff = (left.core[i] ?? 0) - (right.core[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (left.pre === right.pre) return 0;
  if (left.pre === undefined) return 1;
  if (right.pre === undefined) return -1;
  const l = left.pre.split('.');
  const r = right.pre.split('.');
  for (let i = 0; i < Math.max(l.length, r.length); i++) {
    const x = l[i];
    const y = r[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined && nx !== ny) return Math.sign(nx - ny);
    if (nx !== undefined && ny === undefined) return -1;
    if (nx === undefined && ny !== undefined) return 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};
