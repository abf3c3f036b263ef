// Benchmark 1: one RPC round trip over SSH (node.status through NodeSession: ssh2 → bridge → daemon),
// beside what OpenSSH costs for the same hop in the same run.
import { AppError } from '../../node-agent/src/api/errors';
import { connectAgent } from '../../node-agent/src/daemon/agent-socket';
import type { Benchmark, BenchResult, BenchRow } from './bench-types';
import { timeBridgeOverOpenSsh, timeMultiplexedExec, timeSequential } from './openssh-reference';
import { summarize, summarizeOrNone, type Summary } from './stats';

const settings = (quick: boolean) =>
  quick
    ? { calls: 300, warmup: 50, execs: 30, execWarmup: 3 }
    : { calls: 3000, warmup: 300, execs: 200, execWarmup: 10 };

const latencyRows = (label: string, ours: Summary, reference: Summary | undefined, p50Target?: string): BenchRow[] =>
  (['p50', 'p95', 'p99', 'max'] as const).map((key) => ({
    metric: `${label} ${key}`,
    unit: 'ms',
    ours: ours[key],
    reference: reference?.[key],
    ...(key === 'p50' && p50Target ? { target: p50Target } : {}),
    oursSamples: ours.n,
    ...(reference ? { referenceSamples: reference.n } : {}),
  }));

export const rpcRoundTrip: Benchmark = {
  id: 'rpc',
  name: 'RPC round trip over SSH',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const s = settings(quick);
    const notes: string[] = [];

    log(`rpc: NodeSession, ${s.calls} sequential node.status calls after ${s.warmup} warm-up`);
    const session = await lab.openSession(['node.status', 'task.update']);
    let ours: Summary;
    try {
      ours = summarize(await timeSequential(s.calls, s.warmup, () => session.call('node.status', {})));
    } finally {
      await session.dispose();
    }

    log(`rpc: OpenSSH multiplexed exec of \`true\`, ${s.execs} runs after the master is up`);
    const exec = summarizeOrNone(
      await timeMultiplexedExec(lab, { kind: 'command', command: 'true' }, s.execs, s.execWarmup),
    );
    log(`rpc: OpenSSH multiplexed session without a shell (sftp subsystem), ${s.execs} runs`);
    const subsystem = summarizeOrNone(
      await timeMultiplexedExec(lab, { kind: 'subsystem', name: 'sftp' }, s.execs, s.execWarmup),
    );

    log(`rpc: the bridge through one OpenSSH client process, ${s.calls} node.status calls`);
    const bridge = await timeBridgeOverOpenSsh(lab, s.calls, s.warmup).then(summarize, (error: unknown) => {
      notes.push(`the bridge over an OpenSSH client could not be measured: ${AppError.from(error).message}`);
      return undefined;
    });

    log(`rpc: the daemon's unix socket directly (no SSH, no bridge), ${s.calls} node.status calls`);
    const agent = await connectAgent(lab.agentSocket, lab.node.name);
    let socket: Summary;
    try {
      socket = summarize(await timeSequential(s.calls, s.warmup, () => agent.client.call('node.status', {})));
    } finally {
      agent.close();
    }

    const shell = exec && subsystem ? exec.p50 - subsystem.p50 : undefined;
    notes.push(
      'the OpenSSH exec reference runs `true`, i.e. no agent work at all: it is the floor for tools that start one ssh command per call (even over a ControlMaster)',
      `it includes the node's login shell starting for every command (sshd runs \`$SHELL -c true\`; bash also reads root's ~/.bashrc then)${shell === undefined ? '' : `: about ${shell.toFixed(0)} ms of its p50 here, going by the row without a shell`}`,
      'ours rows against "ssh without shell": an OpenSSH mux session running the internal-sftp subsystem, stdin closed at once — OpenSSH\'s own per-session cost',
      'ours rows against "bridge via ssh": the same bridge and daemon reached through the OpenSSH client instead of ssh2 — the difference is our SSH client',
      'ours rows against "socket": the daemon alone over its unix socket — what SSH plus the bridge relay add on top',
    );
    return {
      ours: 'NodeSession.call("node.status") — ssh2 channel → `hyperdesk-agent bridge` → daemon socket',
      reference: `OpenSSH ${'`ssh … true`'} over a ControlMaster (ControlPersist), one process per call`,
      rows: [
        ...latencyRows('round trip', ours, exec, '< 5'),
        ...latencyRows('vs ssh without shell:', ours, subsystem).filter((r) => /p50|p95/.test(r.metric)),
        ...latencyRows('vs bridge via ssh:', ours, bridge).filter((r) => /p50|p95/.test(r.metric)),
        ...latencyRows('vs daemon socket:', ours, socket).filter((r) => /p50|p95/.test(r.metric)),
      ],
      notes,
      extra: {
        settings: s,
        ours,
        opensshExec: exec,
        opensshSubsystem: subsystem,
        bridgeOverOpenSsh: bridge,
        daemonSocket: socket,
      },
    };
  },
};
