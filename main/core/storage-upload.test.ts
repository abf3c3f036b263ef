// Uploads over a real OpenSSH server (SFTP on 127.0.0.1): states and progress, resume from what is staged,
// cancel, a dropped connection, and refusals before anything is sent. The node's two storage methods are played
// by a small stand-in with the agent's staging rules (the agent's own are tested in node-agent/src/storage and,
// end to end, in test/integration/storage-upload.test.ts).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type MethodName, type Params } from '../../node-agent/src/api';
import type { UploadProgress } from './app-api';
import type { NodeSessionHandle } from './node-session-api';
import { startTestSshd, type TestSshd } from './__fixtures__/test-sshd';
import { connectToTestSshd, failure } from './__fixtures__/test-support';
import type { SshConnection } from './ssh-connection';
import { Uploads } from './storage-upload';

const SIZE = 24 * 1024 * 1024 + 123;
let sshd: TestSshd;
let dir: string;
let file: string;
let sha256: string;

/** The node's side: a staging file per name in `dir`, its size the offset; commit checks the sha256 and renames. */
const standIn = (ssh: SshConnection | undefined, beforeTarget?: () => Promise<void>): NodeSessionHandle & { ssh: SshConnection | undefined } => {
  const staged = (filename: string) => join(dir, `.${filename}.upload`);
  return {
    key: 'lab/n1',
    state: 'online',
    hello: undefined,
    ssh,
    start: () => undefined,
    reconnect: () => undefined,
    on: () => () => undefined,
    dispose: () => Promise.resolve(),
    call: async <M extends MethodName>(method: M, params: Params<M>) => {
      const { filename } = params as { filename: string };
      if (method === 'storage.upload.target') {
        await beforeTarget?.();
        const size = await stat(staged(filename)).then((s) => s.size, () => 0);
        return { path: staged(filename), offset: size } as never;
      }
      const bytes = await readFile(staged(filename));
      if (createHash('sha256').update(bytes).digest('hex') !== (params as { sha256: string }).sha256)
        throw new AppError('invalid-params', `the upload of ${filename} does not match its sha256`);
      await rename(staged(filename), join(dir, filename));
      return { volid: `local:iso/${filename}` } as never;
    },
  };
};

const collect = (uploads: Uploads) => {
  const events: UploadProgress[] = [];
  uploads.on((event) => events.push(event));
  const ended = async (uploadId: string): Promise<UploadProgress> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const last = events.find((e) => e.uploadId === uploadId && ['done', 'failed', 'cancelled'].includes(e.state));
      if (last) return last;
      if (Date.now() > deadline) throw new Error(`upload ${uploadId} did not end: ${JSON.stringify(events.at(-1))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { events, ended };
};

const request = { node: 'lab/n1', storage: 'local', content: 'iso' as const };

beforeAll(async () => {
  sshd = await startTestSshd();
  dir = await mkdtemp(join(tmpdir(), 'hd-upload-unit-'));
  file = join(dir, 'source.bin');
  const bytes = randomBytes(SIZE);
  await writeFile(file, bytes);
  sha256 = createHash('sha256').update(bytes).digest('hex');
}, 60_000);

afterAll(async () => {
  await sshd?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('Uploads', () => {
  it('hashes, sends, verifies, and resumes from the bytes already staged', async () => {
    const ssh = await connectToTestSshd(sshd, 'lab/n1');
    try {
      // A previous attempt left the first 5 MiB.
      await writeFile(join(dir, '.resumed.iso.upload'), (await readFile(file)).subarray(0, 5 * 1024 * 1024));
      const uploads = new Uploads({ saved: () => true, session: () => standIn(ssh) });
      const { events, ended } = collect(uploads);
      const { uploadId } = await uploads.start({ ...request, path: file, filename: 'resumed.iso' });
      const last = await ended(uploadId);
      expect(last).toMatchObject({ state: 'done', sent: SIZE, total: SIZE, sha256, volid: 'local:iso/resumed.iso' });
      const states = [...new Set(events.map((e) => e.state))];
      expect(states).toEqual(['hashing', 'uploading', 'verifying', 'done']);
      expect(events.find((e) => e.state === 'uploading')?.sent).toBe(5 * 1024 * 1024);
      const sent = events.filter((e) => e.state === 'uploading').map((e) => e.sent);
      expect(sent).toEqual([...sent].sort((a, b) => a - b));
      expect(createHash('sha256').update(await readFile(join(dir, 'resumed.iso'))).digest('hex')).toBe(sha256);
    } finally {
      ssh.close();
    }
  });

  it('stops on cancel and leaves a staged prefix of the file to resume from', async () => {
    const ssh = await connectToTestSshd(sshd, 'lab/n1');
    try {
      const uploads = new Uploads({ saved: () => true, session: () => standIn(ssh) });
      const { events, ended } = collect(uploads);
      const { uploadId } = await uploads.start({ ...request, path: file, filename: 'cancelled.iso' });
      uploads.on((event) => {
        if (event.state === 'uploading') void uploads.cancel(uploadId).catch(() => undefined);
      });
      expect((await ended(uploadId)).state).toBe('cancelled');
      expect(events.some((e) => e.state === 'done')).toBe(false);
      const staged = await readFile(join(dir, '.cancelled.iso.upload'));
      expect(staged.length).toBeLessThanOrEqual(SIZE);
      expect(staged.equals((await readFile(file)).subarray(0, staged.length))).toBe(true);
    } finally {
      ssh.close();
    }
  });

  it('fails with unreachable when the connection is gone before sending', async () => {
    const ssh = await connectToTestSshd(sshd, 'lab/n1');
    // The node's SSH server dies between the target answer and the first write (deterministic, unlike a kill
    // mid-way on loopback; that one is the integration test's).
    const uploads = new Uploads({ saved: () => true, session: () => standIn(ssh, () => sshd.stop()) });
    const { ended } = collect(uploads);
    const { uploadId } = await uploads.start({ ...request, path: file, filename: 'dropped.iso' });
    const last = await ended(uploadId);
    await sshd.start();
    expect(last.state).toBe('failed');
    expect(last.error?.code).toBe('unreachable');
    await uploads.dispose();
  });

  it('refuses a bad name, a missing or empty file and an offline node before anything is sent', async () => {
    const uploads = new Uploads({ saved: (node) => node === 'lab/n1', session: () => standIn(undefined) });
    const { events } = collect(uploads);
    expect((await failure(uploads.start({ ...request, path: file, filename: '../evil.iso' }))).code).toBe('invalid-params');
    expect((await failure(uploads.start({ ...request, path: join(dir, '..') }))).code).toBe('invalid-params');
    expect((await failure(uploads.start({ ...request, path: join(dir, 'missing.iso') }))).code).toBe('not-found');
    expect((await failure(uploads.start({ ...request, path: dir, filename: 'dir.iso' }))).code).toBe('invalid-params');
    await writeFile(join(dir, 'empty.iso'), '');
    await truncate(join(dir, 'empty.iso'), 0);
    expect((await failure(uploads.start({ ...request, path: join(dir, 'empty.iso') }))).code).toBe('invalid-params');
    expect((await failure(uploads.start({ ...request, node: 'lab/n2', path: file, filename: 'x.iso' }))).code).toBe('not-found');
    const offline = new Uploads({ saved: () => true, session: () => undefined });
    expect((await failure(offline.start({ ...request, path: file, filename: 'x.iso' }))).code).toBe('unreachable');
    expect(events).toEqual([]);
  });
});
