// Benchmark 2: how long a change on a node takes to reach the aggregated inventory (the patch a front end
// receives), pushed by the agent's events through the app's core — beside PVE's model, a 3 s poller feeding
// the same Aggregator, whose view is as old as its last poll.
import { performance } from 'node:perf_hooks';
import { TaskRef, type MethodName, type Params, type Result } from '../../node-agent/src/api';
import { Aggregator } from '../../main/core/aggregator';
import type { HyperdeskCore } from '../../main/core/core';
import { CLUSTER_ID, CLUSTER_NAME } from '../lab/lab-layout';
import type { Benchmark, BenchResult, BenchRow } from './bench-types';
import { InventoryView } from './inventory-view';
import { summarizeOrNone, type Summary } from './stats';
import { PVE_POLL_INTERVAL_MS, StatusPoller, type Caller } from './status-poller';

const TASK_START_TIMEOUT_MS = 10_000;
const TASK_END_TIMEOUT_MS = 120_000;

const settings = (quick: boolean) => (quick ? { tasks: 20, windowMs: 30_000 } : { tasks: 200, windowMs: 180_000 });

const caller =
  (core: HyperdeskCore, node: string): Caller =>
  <M extends MethodName>(method: M, params: Params<M>) =>
    core.handle('agent.call', { node, method, params }) as Promise<Result<M>>;

/**
 * Start node.check tasks one after another; each: ms from the call to the first patch that shows the task.
 * That patch usually says running; a task that ends within one coalescing window shows up already stopped.
 */
const measureTaskStarts = async (core: HyperdeskCore, node: string, view: InventoryView, count: number) => {
  const shownAt = new Map<string, number>();
  const off = view.onPatch((patch, at) => {
    for (const [upid, task] of Object.entries(patch.tasks ?? {})) if (task && !shownAt.has(upid)) shownAt.set(upid, at);
  });
  const samples: number[] = [];
  const calls: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const { upid } = TaskRef.parse(await core.handle('agent.call', { node, method: 'node.check', params: {} }));
      calls.push(performance.now() - started);
      await view.until(`task ${upid}`, () => shownAt.has(upid), TASK_START_TIMEOUT_MS);
      samples.push(shownAt.get(upid)! - started);
      // One task at a time: the next measurement must not queue behind this one's work.
      await view.until(`task ${upid} stopped`, () => view.tasks.get(upid)?.status === 'stopped', TASK_END_TIMEOUT_MS);
    }
  } finally {
    off();
  }
  return { samples, calls };
};

/** Each new status sample's node time → the wall time its patch reached the view (same machine, same clock). */
const followSamples = (view: InventoryView, node: string, first: number | undefined) => {
  const latencies: number[] = [];
  /** Node time between consecutive samples: the sampler interval as it really ran. */
  const gaps: number[] = [];
  let last = first;
  view.onPatch((patch) => {
    const time = patch.nodes?.[node]?.status?.time;
    if (time === undefined || time === last) return;
    if (last !== undefined) {
      latencies.push(Date.now() - time);
      gaps.push(time - last);
    }
    last = time;
  });
  return { latencies, gaps };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rows = (
  label: string,
  ours: Summary | undefined,
  reference: Summary | undefined,
  keys: readonly ('p50' | 'p95' | 'max')[],
  target?: { key: string; text: string },
): BenchRow[] =>
  keys.map((key) => ({
    metric: `${label} ${key}`,
    unit: 'ms',
    ours: ours?.[key],
    reference: reference?.[key],
    ...(target?.key === key ? { target: target.text } : {}),
    oursSamples: ours?.n ?? 0,
    referenceSamples: reference?.n ?? 0,
  }));

export const changeToInventory: Benchmark = {
  id: 'inventory',
  name: 'Change → aggregated inventory',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const s = settings(quick);
    const key = lab.nodeKey;
    const core = await lab.openCore();
    const ours = new InventoryView();
    const reference = new InventoryView();
    const poller = new StatusPoller(key, caller(core, key));
    const aggregator = new Aggregator({ seedOnHello: false });
    let windowOpen = true;
    try {
      const snapshot = await core.handle('inventory.snapshot', {});
      for (const [k, entry] of Object.entries(snapshot.nodes)) ours.nodes.set(k, entry);
      const offOurs = core.on('inventory.patch', (patch) => ours.apply(patch));
      const oursSamples = followSamples(ours, key, ours.nodes.get(key)?.status?.time);
      const referenceSamples = followSamples(reference, key, undefined);

      aggregator.onPatch((patch) => reference.apply(patch));
      aggregator.addNode(
        { key, cluster: CLUSTER_ID, clusterName: CLUSTER_NAME, name: lab.node.name, host: lab.node.address },
        poller,
      );
      poller.start();
      await reference.until('the first poll', () => reference.nodes.get(key)?.status !== undefined, 10_000);

      log(`inventory: ${s.tasks} node.check tasks in turn, and a ${s.windowMs / 1000} s window of random instants`);
      // A change made at instant t shows in the poller's view with the first patch from a poll sent after t.
      const pendingChanges: number[] = [];
      const pollWait: number[] = [];
      reference.onPatch(() => {
        const revision = reference.nodes.get(key)?.revision;
        const sentAt = revision === undefined ? undefined : poller.sentAt(revision);
        if (sentAt === undefined) return;
        const now = Date.now();
        while (pendingChanges.length > 0 && pendingChanges[0]! <= sentAt) pollWait.push(now - pendingChanges.shift()!);
      });
      const oursStatusAge: number[] = [];
      const referenceStatusAge: number[] = [];
      const windowEnds = Date.now() + s.windowMs;
      const instants = (async () => {
        while (windowOpen && Date.now() < windowEnds) {
          // Random instants, so the readings do not lock onto the poll or sample period.
          await sleep(50 + Math.random() * 200);
          const now = Date.now();
          pendingChanges.push(now);
          const oursTime = ours.nodes.get(key)?.status?.time;
          if (oursTime !== undefined) oursStatusAge.push(now - oursTime);
          const shownTime = reference.nodes.get(key)?.status?.time;
          if (shownTime !== undefined) referenceStatusAge.push(now - shownTime);
        }
      })();
      const tasks = await measureTaskStarts(core, key, ours, s.tasks);
      await instants;
      // The last instants still wait for a poll: let it come, so the tail of the window counts too.
      await reference.until(
        'the poll after the window',
        () => pendingChanges.length === 0,
        PVE_POLL_INTERVAL_MS + 5_000,
      );
      offOurs();

      const taskStart = summarizeOrNone(tasks.samples);
      const poll = summarizeOrNone(pollWait);
      const oursStatus = summarizeOrNone(oursSamples.latencies);
      const sampleGap = summarizeOrNone(oursSamples.gaps);
      const referenceStatus = summarizeOrNone(referenceSamples.latencies);
      const oursAge = summarizeOrNone(oursStatusAge);
      const referenceAge = summarizeOrNone(referenceStatusAge);
      return {
        ours: 'HyperdeskCore (NodeSession events → Aggregator → inventory.patch), as the app runs it',
        reference: `PVE's model: node.status polled every ${PVE_POLL_INTERVAL_MS / 1000} s into the same Aggregator (pvestatd also samples every 10 s)`,
        rows: [
          ...rows('change → inventory', taskStart, poll, ['p50', 'p95', 'max'], { key: 'p95', text: '< 300' }),
          ...rows('status sample → inventory', oursStatus, referenceStatus, ['p50', 'max']),
          ...rows('status age shown, random instants', oursAge, referenceAge, ['p50', 'p95']),
        ],
        notes: [
          'ours "change → inventory": node.check started through agent.call, measured from the call to the first inventory.patch showing the task (task.update event path); it includes the RPC and the Aggregator\'s 50 ms patch coalescing',
          `reference "change → inventory": for changes made at random instants (${poll?.n ?? 0}), the wait until the patch from the first poll sent after them reached the view — as if the poll read the change live; for node status pvestatd's 10 s sampling comes on top`,
          `status sample → inventory: from the node clock \`time\` of each new node.status sample to its patch reaching the view (same machine, same clock); samples came every ${sampleGap ? `${(sampleGap.p50 / 1000).toFixed(1)} s` : '— (fewer than two seen)'}, hence few of them`,
          'status age shown: now − `time` of the status the view shows; both include the 10 s sampler, the reference adds its poll interval',
          'the sampler interval cannot be shortened from outside the daemon (runDaemon starts it at its 10 s default; no HYPERDESK_METRICS_INTERVAL_MS, and the lab passes no extra environment), so node.status events are too rare for percentiles: the change path with many samples is the task one',
          ...(poller.failures.length > 0 ? [`${poller.failures.length} poll(s) failed: ${poller.failures[0]}`] : []),
        ],
        extra: {
          settings: s,
          taskStart,
          taskCall: summarizeOrNone(tasks.calls),
          pollWait: poll,
          statusSampleToInventory: { ours: oursStatus, reference: referenceStatus, sampleGap },
          statusAgeShown: { ours: oursAge, reference: referenceAge },
        },
      };
    } finally {
      windowOpen = false;
      await poller.dispose();
      aggregator.dispose();
      await core.dispose();
    }
  },
};
