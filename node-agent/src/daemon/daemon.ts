// The agent daemon: owns the node's state, serves the contract on a unix socket (root and group
// hyperdesk only), samples metrics and runs tasks. One RpcSession per connection.
import { chmod, chown, lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { AppError } from '../api/errors';
import { PROTOCOL_VERSION } from '../api/hello';
import { MetricsSampler } from '../metrics/sampler';
import { sweepStaleTransfers } from '../storage/content-transfer';
import { nodeStorageService } from '../storage/node-storage';
import { serviceStatusSource, StorageStatusSampler } from '../storage/status-sampler';
import { TaskManager } from '../tasks/task-manager';
import { AGENT_VERSION } from '../version';
import { agentDigest } from './agent-digest';
import { connectAgent } from './agent-socket';
import { serveConnection } from './connection';
import { EventsHub } from './events-hub';
import { CONNECTION_USER, createHandlers, persistedSpawn } from './handlers';
import { VmService } from '../vm/vm-service';
import { CtService } from '../ct/ct-service';
import { startCt } from '../ct/ct-lifecycle';
import { startOnBoot } from '../guests/start-on-boot';
import { startVm } from '../vm/vm-lifecycle';
import { logLine } from './log';
import type { AgentPaths } from './paths';
import { groupId, SOCKET_GROUP } from './unix-group';

export interface DaemonOptions {
  log?: (message: string) => void;
  samplerIntervalMs?: number;
  /** Where the kernel's boot id is read for start-on-boot (tests); default /proc/sys/kernel/random/boot_id. */
  bootIdFile?: string;
}

export interface RunningDaemon {
  readonly tasks: TaskManager;
  readonly events: EventsHub;
  /** Stop accepting, end connections and tasks, persist, remove the socket and pid file. */
  close(): Promise<void>;
}

/** A socket file left by a daemon that died is removed; one a live daemon serves is not ours to take. */
const claimSocket = async (paths: AgentPaths, log: (message: string) => void): Promise<void> => {
  try {
    await lstat(paths.socket);
  } catch {
    return;
  }
  const connection = await connectAgent(paths.socket, paths.node, 3000).catch(() => undefined);
  if (connection) {
    try {
      await connection.client.call('hello', { protocolVersion: PROTOCOL_VERSION, client: 'hyperdesk-agent daemon' });
      throw new AppError(
        'conflict',
        `another agent daemon is serving ${paths.socket} — stop it first (hyperdesk-agent stop)`,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict') throw error;
      throw new AppError(
        'conflict',
        `another process is listening on ${paths.socket} and does not answer hello — stop it first`,
      );
    } finally {
      connection.close();
    }
  }
  log(`removing the stale socket ${paths.socket}`);
  await unlink(paths.socket);
};

const listen = (server: Server, path: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new AppError('conflict', `another agent daemon is serving ${path}`) : error);
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve();
    });
  });

const removeIfOurs = async (pidFile: string): Promise<void> => {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  if (text.trim() === String(process.pid)) await unlink(pidFile).catch(() => undefined);
};

export const startDaemon = async (paths: AgentPaths, options: DaemonOptions = {}): Promise<RunningDaemon> => {
  const log = options.log ?? logLine;
  await mkdir(paths.run, { recursive: true, mode: 0o750 });
  await chmod(paths.run, 0o750);
  await claimSocket(paths, log);

  // Bind first: the socket is the lock. A second daemon racing this one fails here, before it touches
  // the task index. Connections that arrive while we load wait (unread) until the handlers are ready.
  // allowHalfOpen: a client that is done sending still gets its answers (see connection.ts).
  const server = createServer({ allowHalfOpen: true });
  const sockets = new Set<Socket>();
  const waiting: Socket[] = [];
  let serve: ((socket: Socket) => void) | undefined;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (serve) serve(socket);
    else waiting.push(socket);
  });
  server.on('error', (error) => log(`socket server: ${error.message}`));
  await listen(server, paths.socket);

  let tasks: TaskManager | undefined;
  let sampler: MetricsSampler | undefined;
  let storageSampler: StorageStatusSampler | undefined;
  let vmService: VmService | undefined;
  let ctService: CtService | undefined;
  const bootStarts = new AbortController();
  const cleanup = async () => {
    bootStarts.abort();
    // Stop accepting; close() only calls back once every connection is gone, so end them first.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
    await tasks?.dispose();
    await sampler?.dispose();
    await storageSampler?.dispose();
    await vmService?.dispose();
    await ctService?.dispose();
    await unlink(paths.socket).catch(() => undefined);
    await removeIfOurs(paths.pidFile);
  };

  const events = new EventsHub();
  let digest: string;
  try {
    await chmod(paths.socket, 0o660);
    const gid = await groupId(SOCKET_GROUP);
    if (gid !== undefined && process.getuid?.() === 0) {
      // The run folder too: group members must be able to reach the socket inside it.
      await chown(paths.run, 0, gid);
      await chown(paths.socket, 0, gid);
    }
    digest = await agentDigest();
    tasks = await TaskManager.open({ paths, log });
    sampler = new MetricsSampler({
      paths,
      ...(options.samplerIntervalMs === undefined ? {} : { intervalMs: options.samplerIntervalMs }),
    });
    await sampler.start();
    sampler.onSample((status, point) => {
      events.publish('node.status', status);
      events.publish('node.metrics', point);
    });
    tasks.onUpdate((task) => events.publish('task.update', task));
    const storage = nodeStorageService(paths);
    // Before any request is served: a download task of this daemon must never see its temp file swept.
    await sweepStaleTransfers(storage, log).catch((error: unknown) => log(`cannot sweep partial transfers: ${AppError.from(error).message}`));
    const storages = new StorageStatusSampler({ source: serviceStatusSource(storage), dataDir: paths.data, log });
    storageSampler = storages;
    storages.onSample((entries) => events.publish('storage.status', { storages: entries }));
    // Not awaited: storages answer on their own time (each within its deadline), never holding up node samples.
    sampler.onSample((_status, point) => void storages.sample(point.t));
    void storages.sample(sampler.latest()?.point.t); // start's node sample came before this subscription
    const vms = new VmService({
      paths,
      storage,
      spawnTask: persistedSpawn(tasks),
      user: CONNECTION_USER,
      publish: ({ topic, data }) => events.publish(topic, data),
      log,
    });
    vmService = vms;
    await vms.init();
    sampler.onSample(() => void vms.sample());
    const cts = new CtService({ paths, storage, spawnTask: persistedSpawn(tasks), user: CONNECTION_USER, publish: ({ topic, data }) => events.publish(topic, data), log });
    ctService = cts;
    sampler.onSample(() => void cts.sample());
    const handlers = createHandlers({ paths, sampler, tasks, events, agentDigest: digest, storage, storageMetrics: storages, vms, cts });
    let connections = 0;
    serve = (socket) => void serveConnection(`connection ${(connections += 1)}`, socket, handlers, log);
    for (const socket of waiting.splice(0)) if (!socket.destroyed) serve(socket);
    const taskManager = tasks;
    void startOnBoot({
      configDir: paths.config,
      dataDir: paths.data,
      node: paths.node,
      start: (ref) => (ref.kind === 'qemu' ? startVm(vms, ref.vmid) : startCt(cts, ref.vmid)),
      whenStopped: (upid) => taskManager.whenStopped(upid),
      log,
      signal: bootStarts.signal,
      ...(options.bootIdFile === undefined ? {} : { bootIdFile: options.bootIdFile }),
    }).catch((error: unknown) => log(`start on boot: ${AppError.from(error).message}`));
    await writeFile(paths.pidFile, `${process.pid}\n`, { mode: 0o644 });
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }

  log(`serving node ${paths.node} on ${paths.socket} (agent ${AGENT_VERSION}, bundle ${digest.slice(0, 12)})`);
  let closing: Promise<void> | undefined;
  const running = tasks;
  return { tasks: running, events, close: () => (closing ??= cleanup()) };
};

/** The `daemon` command: run until SIGTERM/SIGINT; no single bad request or stray error stops it. */
export const runDaemon = async (paths: AgentPaths): Promise<void> => {
  process.on('uncaughtException', (error) => logLine(`uncaught error, still serving: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) =>
    logLine(
      `unhandled rejection, still serving: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    ),
  );
  process.on('SIGHUP', () => logLine('SIGHUP ignored (nothing to reload)'));
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon(paths);
  } catch (error) {
    logLine(`cannot start: ${AppError.from(error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logLine(`${signal}: shutting down`);
    daemon.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logLine(`shutdown failed: ${AppError.from(error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
};
