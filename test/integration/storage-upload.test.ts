// Uploading an ISO image from the workstation to a lab node through the app's core (storage.upload): cancelled
// at about a third, started again (it resumes, it does not start over), its SSH session killed mid-way (it fails
// `unreachable`), started again once the node is back (it resumes and completes), and the file on the node has the
// workstation file's sha256. A name with `..` is refused before anything is sent. One lab per machine: this file
// waits until no other is up.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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
import { ensureBuilt, hdctl, hdctlJson } from './helpers';
import { until as waitUntil } from './lab-calls';

const SIZE = 200 * 1024 * 1024;
const NAME = 'upload-test.iso';

// Upload progress moves fast: poll more often than the shared default.
const until = (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) =>
  waitUntil(what, check, timeoutMs, 20);

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

describe('hdctl storage against the lab node', () => {
  interface Listed { digest: string; storages: { id: string; content: string[] }[] }
  const cli = (...args: string[]) => hdctl(configDir, ...args, '--node', 'n1');
  const json = <T>(...args: string[]) => hdctlJson<T>(configDir, ...args, '--node', 'n1');

  it('adds, shows, changes, fills, empties and removes a dir storage', async () => {
    await ensureBuilt();
    const { digest } = await json<Listed>('storage', 'list');
    // A storage that cannot activate here is refused and not saved.
    const refused = await cli('storage', 'add', '--config', JSON.stringify({ type: 'btrfs', id: 'notbtrfs', path: '/srv/notbtrfs', content: ['iso'] }));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/storage notbtrfs cannot be used on node n1: .*not on a btrfs file system.* — nothing was saved/);
    expect((await json<Listed>('storage', 'list')).digest).toBe(digest);

    const added = await json<{ digest: string }>('storage', 'add', '--config', JSON.stringify({ type: 'dir', id: 'cli', path: '/srv/cli', content: ['iso', 'images'] }), '--digest', digest);
    const listed = await json<Listed>('storage', 'list');
    expect(listed.digest).toBe(added.digest);
    expect(listed.storages.find((storage) => storage.id === 'cli')?.content).toEqual(['iso', 'images']);
    const [status] = await json<{ storage: string; active: boolean; total: number }[]>('storage', 'status', '--storage', 'cli');
    expect(status).toMatchObject({ storage: 'cli', active: true });
    expect(status?.total).toBeGreaterThan(0);
    expect((await cli('storage', 'status')).stdout).toMatch(/^cli\s+dir\s/m);

    const stale = await cli('storage', 'set', 'cli', '--properties', '{"content":["iso","vztmpl"]}', '--digest', digest);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/storage.cfg changed since you read it/);
    const changed = await json<{ digest: string }>('storage', 'set', 'cli', '--properties', '{"content":["iso","vztmpl"]}', '--digest', added.digest);

    const small = join(workDir, 'small.iso');
    await writeFile(small, randomBytes(3 * 1024 * 1024 + 17));
    const uploaded = await cli('storage', 'content', 'upload', '--storage', 'cli', '--content', 'iso', small);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stdout).toContain('cli:iso/small.iso');
    expect(uploaded.stdout).toContain(await sha256OfFile(small));
    const content = await json<{ volid: string; size: number; format: string }[]>('storage', 'content', 'list', 'cli', '--content', 'iso');
    expect(content).toEqual([expect.objectContaining({ volid: 'cli:iso/small.iso', size: 3 * 1024 * 1024 + 17, format: 'iso' })]);
    expect((await cli('storage', 'content', 'list', 'cli')).stdout).toContain('cli:iso/small.iso');

    const deleted = await cli('storage', 'content', 'delete', 'cli:iso/small.iso');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await json<unknown[]>('storage', 'content', 'list', 'cli')).toEqual([]);
    const gone = await cli('storage', 'content', 'delete', 'cli:iso/small.iso');
    expect(gone.stderr).toMatch(/cli:iso\/small.iso does not exist|does not exist/);

    await json('storage', 'remove', 'cli', '--digest', changed.digest);
    expect((await json<Listed>('storage', 'list')).storages.map((storage) => storage.id)).not.toContain('cli');
  });
});
