// Benchmark 3: the agent daemon at rest (no client connected) beside a bare Node.js process that only keeps
// a timer — Node's own floor — measured over the same window on the same machine.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { AppError } from '../../node-agent/src/api/errors';
import { agentPid } from '../lab/agent';
import { namespacePids, pollUntil } from '../lab/processes';
import type { Benchmark, BenchResult, BenchRow } from './bench-types';
import { measureFootprints, type Footprint } from './proc-footprint';

const NODE_FLOOR_SCRIPT = 'setInterval(()=>{},1000)';

const commandLine = (pid: number): Promise<string> =>
  readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (text) => text.split('\0').join(' '),
    () => '',
  );

/** Wait until no `hyperdesk-agent bridge` runs in the node: earlier benchmarks' clients must be gone. */
const waitNoClients = async (namespace: string): Promise<void> => {
  await pollUntil(
    `the agent bridges of earlier benchmarks in ${namespace} exiting`,
    async () => {
      const lines = await Promise.all((await namespacePids(namespace)).map(commandLine));
      return lines.some((line) => / bridge$/.test(line.trim())) ? undefined : true;
    },
    15_000,
    100,
  );
};

const startNodeFloor = (): Promise<{ pid: number; stop: () => Promise<void> }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', NODE_FLOOR_SCRIPT], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', (error) =>
      reject(new AppError('command-failed', `${process.execPath} could not start: ${error.message}`)),
    );
    child.once('spawn', () =>
      resolve({
        pid: child.pid!,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      }),
    );
  });

/** A fresh Node has not finished starting when spawned: wait until its RSS stops moving before measuring. */
const waitSettled = (pid: number): Promise<true> => {
  let last = -1;
  return pollUntil(
    `node ${pid} settling after start`,
    async () => {
      const rss = /^VmRSS:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
      const settled = rss !== undefined && Number(rss) === last;
      last = Number(rss);
      return settled ? true : undefined;
    },
    10_000,
    250,
  );
};

type Pair = { agent: Footprint; bare: Footprint };

/** The daemon and the bare Node sampled at the same instants over one window. */
const measurePair = async (daemon: number, floor: number, windowMs: number): Promise<Pair> => {
  const [agent, bare] = await measureFootprints([daemon, floor], windowMs);
  return { agent: agent!, bare: bare! };
};

const rowsFor = (label: string, { agent, bare }: Pair, target: boolean): BenchRow[] =>
  [
    {
      metric: `RSS max, ${label}`,
      unit: 'MiB',
      ours: agent.rssMaxMiB,
      reference: bare.rssMaxMiB,
      ...(target ? { target: '< 60' } : {}),
    },
    { metric: `RSS mean, ${label}`, unit: 'MiB', ours: agent.rssMeanMiB, reference: bare.rssMeanMiB },
    { metric: `PSS mean, ${label}`, unit: 'MiB', ours: agent.pssMeanMiB, reference: bare.pssMeanMiB },
    { metric: `anon RSS mean, ${label}`, unit: 'MiB', ours: agent.anonMeanMiB, reference: bare.anonMeanMiB },
    { metric: `CPU of one core, ${label}`, unit: '%', ours: agent.cpuPercent, reference: bare.cpuPercent },
  ].map((row) => ({ ...row, oursSamples: agent.samples, referenceSamples: bare.samples }));

export const agentFootprint: Benchmark = {
  id: 'footprint',
  name: 'Agent daemon idle footprint',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const windowMs = quick ? 15_000 : 120_000;
    const served = await agentPid(lab.node);
    if (served === undefined)
      throw new AppError('not-found', `the agent daemon of lab node ${lab.node.name} is not running`);
    await waitNoClients(lab.node.namespace);
    const floor = await startNodeFloor();
    let asFound: Pair;
    let fresh: Pair;
    try {
      await waitSettled(floor.pid);
      log(`footprint: daemon pid ${served} as found beside bare node pid ${floor.pid}, ${windowMs / 1000} s`);
      asFound = await measurePair(served, floor.pid, windowMs);
      // The same daemon started afresh: what it costs before any client ever connected.
      await lab.lab.stopAgent(lab.node.name);
      const restarted = await lab.lab.startAgent(lab.node.name);
      await waitSettled(restarted);
      log(`footprint: restarted daemon pid ${restarted}, no client since its start, ${windowMs / 1000} s`);
      fresh = await measurePair(restarted, floor.pid, windowMs);
    } finally {
      await floor.stop();
    }
    return {
      ours: `hyperdesk-agent daemon on lab node ${lab.node.name}, no client connected (sampler at its default 10 s)`,
      reference: `bare \`node -e "${NODE_FLOOR_SCRIPT}"\` (same Node.js ${process.version}), sampled at the same instants`,
      rows: [...rowsFor('as found', asFound, true), ...rowsFor('restarted', fresh, true)],
      notes: [
        `two windows of ${(asFound.agent.windowMs / 1000).toFixed(1)} s, memory read every second: "as found" is the daemon as the lab left it after whatever ran before (in a full run, the earlier benchmarks' clients, all gone), "restarted" the same daemon started afresh and never connected to`,
        "RSS counts the Node.js binary's pages shared with the bare process; PSS splits those shared pages between the two",
        ...(quick
          ? ['a 15 s window holds one or two 10 s samples of the sampler: the CPU figure is rough in quick mode']
          : []),
      ],
      extra: { windowMs, asFound, fresh },
    };
  },
};
