// One build: the agent as a single self-contained file, main/preload/web host/CLI bundles, and the renderer.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { build as viteBuild } from 'vite';

const pkg = JSON.parse(await readFile('package.json', 'utf8'));
const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);

const nodeTarget = { platform: 'node', target: 'node20', bundle: true, sourcemap: false, logLevel: 'warning', legalComments: 'none' };
const define = { __HYPERDESK_VERSION__: JSON.stringify(pkg.version) };

if (wanted('agent')) {
  // No native addons, no external packages: one file that runs on any Node.js >= 20.
  await build({ ...nodeTarget, entryPoints: ['node-agent/src/main.ts'], outfile: 'dist/agent/hyperdesk-agent.js', format: 'cjs', define, minify: true });
  const bundle = await readFile('dist/agent/hyperdesk-agent.js');
  const digest = createHash('sha256').update(bundle).digest('hex');
  // The repo's package.json says "type": "module"; the bundle is CommonJS wherever it runs.
  await writeFile('dist/agent/package.json', JSON.stringify({ type: 'commonjs' }));
  await writeFile('dist/agent/manifest.json', JSON.stringify({ version: pkg.version, digest, file: 'hyperdesk-agent.js' }, null, 2));
}

if (wanted('main')) {
  const external = ['electron', 'cpu-features', './crypto/build/Release/sshcrypto.node'];
  await build({ ...nodeTarget, entryPoints: { electron: 'main/electron/main.ts' }, outdir: 'dist/main', outExtension: { '.js': '.cjs' }, format: 'cjs', external, define });
  await build({ ...nodeTarget, entryPoints: { 'web-host': 'main/web/host.ts', hdctl: 'main/cli/hdctl.ts' }, outdir: 'dist/main', format: 'esm', external, define,
    // CommonJS dependencies (ssh2's agent.js) read __dirname at load time; an ESM bundle must define it.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url); const __filename = import.meta.filename; const __dirname = import.meta.dirname;" } });
  await build({ ...nodeTarget, entryPoints: ['preload/electron.ts'], outfile: 'dist/preload/electron.cjs', format: 'cjs', external: ['electron'] });
}

if (wanted('renderer')) {
  await mkdir('dist', { recursive: true });
  await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
}

// --- web preload (owned with preload/web.ts) ---
// window.hyperdesk over WebSocket for the browser host, loaded by index.html before the app bundle. Runs after
// the renderer block because vite empties dist/renderer.
if (wanted('renderer') || wanted('web-preload')) {
  await build({ entryPoints: ['preload/web.ts'], outfile: 'dist/renderer/web-preload.js', bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning', legalComments: 'none' });
}

// --- Node.js runtimes (owned with build/fetch-runtimes.mjs) ---
// The pinned Node.js the app installs on nodes without Node.js >= 20, fetched once into a cache and verified.
// A registry that cannot be reached (and nothing cached) is a warning, not a failed build: that build carries none.
if (wanted('runtimes')) {
  const { fetchRuntimes } = await import('./fetch-runtimes.mjs');
  await fetchRuntimes();
}
