// Uploads of ISO images and container templates from this computer to a node's storage: fingerprint the local
// file, ask the node where to stage it (and how much of it is already there), write the rest over SFTP on the
// node's own SSH connection while hashing the whole file beside it, then let the node check the sha256 and move
// the file into place. A dropped connection fails the upload with `unreachable`; starting it again resumes from
// the bytes the node already has.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { AppError } from '../../node-agent/src/api';
import { ContentFileName } from '../../node-agent/src/api/storage';
import type { UploadProgress, UploadRequest } from './app-api';
import { fingerprintOfFile, sha256OfFileInWorker } from './file-hash';
import type { NodeSessionHandle } from './node-session-api';
import { IN_FLIGHT, writeRange } from './sftp-write-range';
import type { SshConnection } from './ssh-connection';

/** At most 10 progress events a second while bytes move; state changes are always sent. */
const PROGRESS_INTERVAL_MS = 100;
/** The node reads the whole file again to check it: allow 20 MB/s, and never less than a minute. */
const verifyTimeoutMs = (size: number) => Math.max(60_000, Math.ceil(size / 20_000));

export interface UploadsOptions {
  /** Whether the node is among the saved connections. */
  saved: (node: string) => boolean;
  /** The node's session in this process, if it has one. */
  session: (node: string) => NodeSessionHandle | undefined;
  progressIntervalMs?: number;
}

interface Running {
  key: string;
  abort: AbortController;
  done: Promise<void>;
}

/** The SSH connection of a session that has one (NodeSession while online; synthetic sessions have none). */
const sshOf = (session: NodeSessionHandle): SshConnection | undefined =>
  'ssh' in session ? (session as { ssh: SshConnection | undefined }).ssh : undefined;

const fileNameOf = (request: UploadRequest): string => {
  const name = request.filename ?? basename(request.path);
  const parsed = ContentFileName.safeParse(name);
  if (!parsed.success)
    throw new AppError('invalid-params', `"${name.slice(0, 255)}" cannot be the name of an upload: ${parsed.error.issues[0]?.message ?? 'not a file name'}`, {
      filename: name.slice(0, 255),
    });
  return parsed.data;
};

export class Uploads {
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<(progress: UploadProgress) => void>();
  private disposed = false;

  constructor(private readonly options: UploadsOptions) {}

  /** Check the request, then upload in the background; progress comes through on(). */
  async start(request: UploadRequest): Promise<{ uploadId: string }> {
    if (this.disposed) throw new AppError('cancelled', 'Hyperdesk is shutting down');
    const { node, storage, content } = request;
    const filename = fileNameOf(request);
    const path = resolve(request.path);
    if (!this.options.saved(node)) throw new AppError('not-found', `node ${node} is not in the saved connections`);
    const stats = await stat(path).catch(() => undefined);
    if (!stats) throw new AppError('not-found', `${path} does not exist on this computer`, { path });
    if (!stats.isFile()) throw new AppError('invalid-params', `${path} is not a regular file`, { path });
    if (stats.size === 0) throw new AppError('invalid-params', `${path} is empty: there is nothing to upload`, { path });
    const session = this.options.session(node);
    if (!session || session.state !== 'online')
      throw new AppError('unreachable', `node ${node} is ${session?.state ?? 'not connected in this process'}`);
    const key = `${node}\0${storage}\0${content}\0${filename}`;
    for (const [id, other] of this.running)
      if (other.key === key)
        throw new AppError('conflict', `${storage}:${content}/${filename} on node ${node} is being uploaded already (upload ${id})`);

    const uploadId = randomUUID();
    const abort = new AbortController();
    const progress: UploadProgress = { uploadId, node, storage, content, filename, state: 'hashing', sent: 0, total: stats.size };
    const done = this.run(session, path, progress, abort.signal).finally(() => this.running.delete(uploadId));
    this.running.set(uploadId, { key, abort, done });
    return { uploadId };
  }

  cancel(uploadId: string): Promise<Record<string, never>> {
    const running = this.running.get(uploadId);
    if (!running) throw new AppError('not-found', `upload ${uploadId} is not running (done, failed or cancelled)`);
    running.abort.abort();
    return Promise.resolve({});
  }

  on(listener: (progress: UploadProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancel every upload and wait for each to stop (what was sent stays staged on the node, to resume). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const running = [...this.running.values()];
    for (const upload of running) upload.abort.abort();
    await Promise.allSettled(running.map((upload) => upload.done));
    this.listeners.clear();
  }

  private emit(progress: UploadProgress): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(progress);
      } catch {
        // A listener's failure is its own; the upload and the other listeners go on.
      }
    }
  }

  private async run(session: NodeSessionHandle, path: string, initial: UploadProgress, signal: AbortSignal): Promise<void> {
    const { node, storage, content, filename, total } = initial;
    let progress = initial;
    let last = 0;
    const interval = this.options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
    const update = (change: Partial<UploadProgress>, always: boolean) => {
      progress = { ...progress, ...change };
      const now = Date.now();
      if (!always && now - last < interval) return;
      last = now;
      this.emit(progress);
    };
    try {
      update({}, true);
      const fingerprint = await fingerprintOfFile(path, total);
      const target = await session.call('storage.upload.target', { storage, content, filename, size: total, fingerprint }, { signal });
      update({ state: 'uploading', sent: target.offset }, true);
      // Hash beside the sending (two cores, one pass each over the page cache) rather than before it; a failed
      // send stops the hashing.
      const stopHashing = new AbortController();
      const hashing = sha256OfFileInWorker(path, AbortSignal.any([signal, stopHashing.signal]));
      hashing.catch(() => undefined);
      try {
        if (target.offset < total) await this.send(session, path, target, progress, signal, (sent) => update({ sent }, sent === total));
      } catch (error) {
        stopHashing.abort();
        throw error;
      }
      const sha256 = await hashing;
      if (signal.aborted) throw new AppError('cancelled', `the upload of ${filename} to node ${node} was cancelled`);
      update({ sha256 }, true);
      update({ state: 'verifying', sent: total }, true);
      const { volid } = await session.call(
        'storage.upload.commit',
        { storage, content, filename, fingerprint, sha256 },
        { signal, timeoutMs: verifyTimeoutMs(total) },
      );
      update({ state: 'done', volid }, true);
    } catch (error) {
      if (signal.aborted) update({ state: 'cancelled' }, true);
      else update({ state: 'failed', error: AppError.from(error).toWire() }, true);
    }
  }

  /** The bytes from the node's offset on, over SFTP on the session's own SSH connection. */
  private async send(
    session: NodeSessionHandle,
    path: string,
    target: { path: string; offset: number },
    progress: UploadProgress,
    signal: AbortSignal,
    sent: (bytes: number) => void,
  ): Promise<void> {
    const { node, filename, total } = progress;
    const ssh = sshOf(session);
    if (!ssh)
      throw new AppError(
        session.state === 'online' ? 'not-supported' : 'unreachable',
        session.state === 'online'
          ? `node ${node} has no SSH connection to upload ${filename} over`
          : `node ${node} went ${session.state} before ${filename} was sent — start the upload again to resume`,
      );
    const dropped = () =>
      new AppError('unreachable', `the connection to node ${node} dropped while uploading ${filename} — start the upload again to resume`, { node });
    const sftp = await ssh.sftp();
    const lost = new AbortController();
    // Every write in flight listens for the drop.
    setMaxListeners(IN_FLIGHT + 2, lost.signal);
    let ending = false;
    const stopWatching = ssh.onClose(() => lost.abort(dropped()));
    sftp.on('close', () => {
      if (!ending) lost.abort(dropped());
    });
    try {
      await writeRange(sftp, path, target.path, {
        offset: target.offset,
        size: total,
        signal,
        lost: lost.signal,
        progress: (written) => sent(target.offset + written),
        // ssh2 fails the requests still waiting with "No response from server" when the channel goes away.
        failure: (what, error) =>
          ssh.closed || lost.signal.aborted || /no response from server/i.test(error.message)
            ? dropped()
            : new AppError('command-failed', `${what} on node ${node}: ${error.message}`, { node }),
      });
    } finally {
      ending = true;
      stopWatching();
      sftp.end();
    }
  }
}
