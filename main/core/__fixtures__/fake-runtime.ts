// A stand-in for a node-linux-<arch> package, built with the real tar: package/bin/node is a small sh script that
// answers --version like Node.js and records any other argv beside itself. Its manifest is what
// build/fetch-runtimes.mjs writes, so runtime-bundle.ts and runtime-deploy.ts are tested on the real format.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from '../../../node-agent/src/exec/run';

export const FAKE_VERSION = '22.23.3';

export const FAKE_NODE = `#!/bin/sh
if [ "$1" = --version ]; then echo v${FAKE_VERSION}; exit 0; fi
printf '%s\\n' "$@" > "$0.argv"
`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Writes <dir>/node-linux-<arch>-<version>.tgz and <dir>/manifest.json; resolves the manifest. */
export const makeFakeRuntimes = async (dir: string, archs: ('x64' | 'arm64')[] = ['x64']) => {
  const source = join(dir, 'source');
  await mkdir(join(source, 'package/bin'), { recursive: true });
  await writeFile(join(source, 'package/bin/node'), FAKE_NODE);
  await chmod(join(source, 'package/bin/node'), 0o755);
  await writeFile(join(source, 'package/LICENSE'), 'MIT\n');
  await writeFile(join(source, 'package/README.md'), 'not unpacked on the node\n');
  const runtimes = [];
  for (const arch of archs) {
    const file = `node-linux-${arch}-${FAKE_VERSION}.tgz`;
    await runChecked('tar', ['-czf', join(dir, file), '-C', source, 'package'], { timeoutMs: 10_000 });
    runtimes.push({
      arch,
      package: `node-linux-${arch}`,
      file,
      sha256: sha256(await readFile(join(dir, file))),
      nodeSha256: sha256(Buffer.from(FAKE_NODE)),
    });
  }
  const manifest = { version: FAKE_VERSION, runtimes };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
};
