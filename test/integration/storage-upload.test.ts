// Uploading an ISO image from the workstation to a lab node through the app's core (storage.upload): cancelled
// at about a third, started again (it resumes, it does not start over), its SSH session killed mid-way (it fails
// `unreachable`), started again once the node is back (it resumes and completes), and the file on the node has the
// workstation file's sha256. A name with `..` is refused before anything is sent. One lab per machine: this file
// waits until no other is up.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../node-agent/src/api';
import type { UploadProgress } from '../../main/core/app-api';
import { nodeKey } from '../../main/core/config-schema';
import { createCore, type HyperdeskCore } from '../../main/core/core';
import { sha256OfFile } from '../../main/core/file-hash';
import { MemorySecretStore } from '../../main/core/secrets-memory';
import type { Lab } from '../lab/lab-api';
import { CLUSTER_ID, repoRoot } from '../lab/lab-layout';
import { labUpWhenFree } from '../lab/lab-when-free';

const SIZE = 200 * 1024 * 1024;
const NAME = 'upload-test.iso';


const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new AppError('timeout', `${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

let lab: Lab;
let configDir: string;
let workDir: string;
let core: HyperdeskCore;
let file: string;
const key = nodeKey(CLUSTER_ID, 'n1');
const events: UploadProgress[] = [];

const online = () =>
  until('node n1 online', async () => (await core.handle('inventory.snapshot', {})).nodes[key]?.state === 'online', 90_000);

const of = (uploadId: string) => events.filter((e) => e.uploadId === uploadId);
const ended = (uploadId: string) => of(uploadId).find((e) => ['done', 'failed', 'cancelled'].includes(e.state));
const upload = async (): Promise<string> =>
  (await core.handle('storage.upload', { node: key, storage: 'local', content: 'iso', path: file, filename: NAME })).uploadId;
const firstUploading = (uploadId: string) => of(uploadId).find((e) => e.state === 'uploading');
const mostSent = (uploadId: string) => Math.max(0, ...of(uploadId).filter((e) => e.state === 'uploading').map((e) => e.sent));

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'hd-upload-config-'));
  workDir = await mkdtemp(join(tmpdir(), 'hd-upload-'));
  file = join(workDir, 'random.iso');
  const out = createWriteStream(file);
  for (let written = 0; written < SIZE; written += 1024 * 1024) {
    if (!out.write(randomBytes(1024 * 1024))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  lab = await labUpWhenFree({ nodes: 1, configDir, agent: true });
  core = await createCore({ configDir, secrets: new MemorySecretStore(), agentBundle: join(repoRoot(), 'dist/agent/hyperdesk-agent.js') });
  core.on('upload.progress', (event) => events.push(event));
  await online();
}, 25 * 60_000 + 240_000);

afterAll(async () => {
  await core?.dispose();
  await lab?.down();
  await rm(configDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
}, 180_000);

describe('storage.upload to a lab node', () => {
  it('refuses a name with .. before anything is sent', async () => {
    const refused = await core
      .handle('storage.upload', { node: key, storage: 'local', content: 'iso', path: file, filename: '../evil.iso' })
      .then(() => undefined, (error: unknown) => AppError.from(error));
    expect(refused?.code).toBe('invalid-params');
    const derived = await core
      .handle('storage.upload', { node: key, storage: 'local', content: 'iso', path: join(workDir, '..') })
      .then(() => undefined, (error: unknown) => AppError.from(error));
    expect(derived?.code).toBe('invalid-params');
    expect(events).toEqual([]);
    const iso = join(lab.node('n1').root, 'var/lib/vz/template/iso');
    expect(await readdir(iso).catch(() => [])).toEqual([]);
  });

  it('resumes after a cancel and after a dropped connection, and the node has the same sha256', async () => {
    // 1: cancelled at about a third.
    const first = await upload();
    await until('a third sent', () => mostSent(first) >= SIZE * 0.3 || ended(first) !== undefined);
    await core.handle('storage.upload.cancel', { uploadId: first });
    await until('the first upload ends', () => ended(first) !== undefined);
    expect(ended(first)?.state).toBe('cancelled');
    const afterFirst = mostSent(first);
    expect(afterFirst).toBeGreaterThanOrEqual(SIZE * 0.3);
    expect(afterFirst).toBeLessThan(SIZE);

    // 2: resumes, and loses its connection as soon as it sends.
    const second = await upload();
    await until('the second upload sends', () => mostSent(second) > (firstUploading(second)?.sent ?? SIZE) || ended(second) !== undefined);
    await lab.stopSshd('n1', { sessions: true });
    await until('the second upload ends', () => ended(second) !== undefined);
    expect(firstUploading(second)?.sent).toBeGreaterThanOrEqual(afterFirst);
    expect(ended(second)?.state).toBe('failed');
    expect(ended(second)?.error?.code).toBe('unreachable');
    const afterSecond = mostSent(second);

    // 3: the node back, it resumes again and completes.
    await lab.startSshd('n1');
    await online();
    const third = await upload();
    await until('the third upload ends', () => ended(third) !== undefined, 120_000);
    expect(firstUploading(third)?.sent).toBeGreaterThanOrEqual(afterSecond);
    const done = ended(third);
    expect(done).toMatchObject({ state: 'done', volid: `local:iso/${NAME}`, sent: SIZE, total: SIZE });
    const local = await sha256OfFile(file);
    expect(done?.sha256).toBe(local);
    const onNode = await lab.exec('n1', 'sha256sum', [join(lab.node('n1').root, 'var/lib/vz/template/iso', NAME)]);
    expect(onNode.stdout.split(' ')[0]).toBe(local);
    // The staging file is gone: only the image is in the folder.
    expect(await readdir(join(lab.node('n1').root, 'var/lib/vz/template/iso'))).toEqual([NAME]);
  });
});
