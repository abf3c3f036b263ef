// The daemon's answer to every method in the contract. Params arrive validated (RpcSession);
// long operations validate first, then spawn a task and return its UPID (PVE's recipe).
import { AppError } from '../api/errors';
import { PROTOCOL_VERSION, type Capability } from '../api/hello';
import type { Consolidation, MetricsPoint, NodeStatus, Timeframe } from '../api/node';
import { runNodeCheck, summarizeChecks } from '../node/check';
import { nodeStorageService } from '../storage/node-storage';
import type { StorageService } from '../storage/service';
import type { StorageStatusSampler } from '../storage/status-sampler';
import { storageHandlers } from './storage-handlers';
import { vmHandlers } from './vm-handlers';
import { ctHandlers } from './ct-handlers';
import { CtService } from '../ct/ct-service';
import { VmService } from '../vm/vm-service';
import type { Handlers } from '../rpc/server';
import type { TaskManager } from '../tasks/task-manager';
import { AGENT_VERSION } from '../version';
import type { EventsHub } from './events-hub';
import type { AgentPaths } from './paths';

/** What the handlers need from the sampler (MetricsSampler in the daemon). */
export interface StatusSource {
  latest(): { status: NodeStatus; point: MetricsPoint } | undefined;
  history(timeframe: Timeframe, cf: Consolidation): { step: number; points: MetricsPoint[] };
}

export interface DaemonServices {
  paths: AgentPaths;
  sampler: StatusSource;
  tasks: TaskManager;
  events: EventsHub;
  /** sha256 of the running bundle. */
  agentDigest: string;
  /** storage.cfg, volumes and transfers; the node's own (nodeStorageService) when not given. */
  storage?: StorageService;
  /** Storage usage history (storage.metrics); empty histories when not given. */
  storageMetrics?: Pick<StorageStatusSampler, 'history'>;
  /** The node's VMs; one over this node's storage service when not given. */
  vms?: VmService;
  /** The node's containers; likewise. */
  cts?: CtService;
}

export const CAPABILITIES: Capability[] = ['node.metrics', 'tasks', 'events'];

/**
 * Who started a task. Every connection comes through the root-and-group-hyperdesk socket, reached over SSH as
 * root; until connections carry an authenticated user, tasks are attributed to root@pam as on PVE.
 */
export const CONNECTION_USER = 'root@pam';

/** Spawn, then wait until the index holds the task: a UPID handed out survives a crash of the daemon. */
export const persistedSpawn =
  (tasks: TaskManager) =>
  async (...args: Parameters<TaskManager['spawn']>): Promise<{ upid: string }> => {
    const upid = tasks.spawn(...args);
    await tasks.persisted();
    return { upid };
  };

export const createHandlers = (services: DaemonServices): Omit<Handlers, 'rpc.cancel'> => {
  const { paths, sampler, tasks, events } = services;
  const storage = services.storage ?? nodeStorageService(paths);

  const spawnTask = persistedSpawn(tasks);

  return {
    hello: () => ({
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: AGENT_VERSION,
      agentDigest: services.agentDigest,
      node: paths.node,
      capabilities: CAPABILITIES,
    }),

    'node.status': () => {
      const latest = sampler.latest();
      if (!latest)
        throw new AppError(
          'internal-error',
          `node ${paths.node} has no status sample yet — try again in a few seconds`,
        );
      return latest.status;
    },

    'node.metrics': ({ timeframe, cf }) => sampler.history(timeframe, cf),

    'node.check': () =>
      spawnTask({ type: 'nodecheck', id: '', user: CONNECTION_USER }, async (ctx) => {
        const summary = summarizeChecks(await runNodeCheck(ctx, paths));
        ctx.log(summary.text);
        if (summary.failed > 0) {
          throw new AppError(
            'command-failed',
            `node ${paths.node} fails ${summary.failed} prerequisite check(s): ${summary.failedIds.join(', ')}`,
          );
        }
      }),

    'task.list': ({ limit, source, type }) => tasks.list({ limit, source, type }),
    'task.status': ({ upid }) => tasks.status(upid),
    'task.log': ({ upid, start, limit }) => tasks.log(upid, start, limit),
    'task.cancel': ({ upid }) => {
      tasks.cancel(upid);
      return {};
    },

    ...storageHandlers(storage, spawnTask, CONNECTION_USER, services.storageMetrics),
    ...vmHandlers(
      services.vms ??
        new VmService({
          paths,
          storage,
          spawnTask,
          user: CONNECTION_USER,
          publish: ({ topic, data }) => events.publish(topic, data),
          log: () => undefined,
        }),
    ),
    ...ctHandlers(
      services.cts ??
        new CtService({ paths, storage, spawnTask, user: CONNECTION_USER, publish: ({ topic, data }) => events.publish(topic, data), log: () => undefined }),
    ),

    'events.subscribe': ({ topics }, ctx) => ({ subscription: events.subscribe(ctx.session, topics) }),
    'events.unsubscribe': ({ subscription }, ctx) => {
      events.unsubscribe(ctx.session, subscription);
      return {};
    },
  };
};
