// Which bundle is running, and its sha256: what `hello` reports and deployment compares against.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The running bundle: `__filename` in the CommonJS bundle; the entry script when run from source (ESM, tsx). */
export const runningBundlePath = (): string => {
  if (typeof __filename === 'string' && __filename !== '') return __filename;
  return process.argv[1] ?? '';
};

/** sha256 of a file, streamed (hex). */
export const sha256File = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });

let digest: Promise<string> | undefined;

/** The running bundle's sha256, computed once per process; 'unknown' if the file cannot be read. */
export const agentDigest = (): Promise<string> => {
  digest ??= sha256File(runningBundlePath()).catch(() => 'unknown');
  return digest;
};
