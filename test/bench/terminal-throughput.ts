// Benchmark: terminal output throughput. Ours: a command's output through the app's path — SSH exec channel with a
// pty (node shell, or the agent's ct-shell into a container), the core's one-shot WebSocket bridge, the renderer's
// TerminalSession with its flow control — until xterm.js's write callback for the last byte, in headless Chromium.
// References, same run: `ssh -tt` to the same node running the same shell, output read raw and dropped; and xterm.js
// alone, fed the very bytes ours received, in the same page (no SSH, no WebSocket).
import { performance } from 'node:perf_hooks';
import type { BenchLab } from './bench-lab';
import type { Benchmark, BenchResult, BenchRow } from './bench-types';
import { openSshTty } from './ssh-tty';
import { summarize } from './stats';
import type { ThroughputMarks } from './terminal-driver';
import { setUpTerminals, type BenchTerminal, type TerminalSetup } from './terminal-targets';

const MiB = 1024 * 1024;
const settings = (quick: boolean) => (quick ? { mib: 8, runs: 1 } : { mib: 64, runs: 3 });
const RUN_TIMEOUT_MS = 600_000;
const CT_VMID = 256;

/** base64 of zeros: 76-character lines, CR LF from the pty; the same output on the node and in busybox. */
const commandFor = (mib: number): string => `head -c ${mib * MiB} /dev/zero | base64`;

interface Run {
  /** MB/s (10^6 bytes) from the first marker's arrival to the last one rendered. */
  rate: number;
  /** Seconds from Enter to the last marker rendered. */
  total: number;
  bytes: number;
  /** How many chunks the bytes came in (WebSocket messages in the page, reads from ssh's stdout here). */
  chunks: number;
  /** This process's CPU (the core with its SSH connection and console bridge; Playwright idles) in % of one core. */
  hostCpu?: number;
  /** How often TerminalSession's flow control asked the bridge to pause (ours only). */
  pauses?: number;
}

const runOf = (marks: ThroughputMarks): Run => ({
  rate: marks.bytes / 1e6 / ((marks.end.rendered - marks.begin.arrived) / 1000),
  total: (marks.end.rendered - marks.sent) / 1000,
  bytes: marks.bytes,
  chunks: marks.chunks,
});

/** `measure()` with this process's CPU use over it, in % of one core. */
const withCpu = async <T>(measure: () => Promise<T>): Promise<{ value: T; cpu: number }> => {
  const before = process.cpuUsage();
  const started = performance.now();
  const value = await measure();
  const { user, system } = process.cpuUsage(before);
  return { value, cpu: ((user + system) / 1000 / (performance.now() - started)) * 100 };
};

/** Ours rendered, ours reaching the page only (xterm.js not fed), and ssh -tt. */
const SIDES = ['ours', 'path', 'ssh'] as const;
type Side = (typeof SIDES)[number];

interface TerminalRuns {
  terminal: BenchTerminal;
  runs: Record<Side, Run[]>;
}

/** Runs of the command on each side in turn, the order rotating per run; the first of ours may be captured. */
const measure = async (
  setup: TerminalSetup,
  lab: BenchLab,
  terminal: BenchTerminal,
  runs: number,
  command: string,
  capture: boolean,
  log: (line: string) => void,
): Promise<TerminalRuns> => {
  const result: TerminalRuns = { terminal, runs: { ours: [], path: [], ssh: [] } };
  const size = await setup.browser.call('open', terminal.target);
  log(`terminal-throughput: ${terminal.label}: xterm.js ${size.cols}×${size.rows}`);
  const ssh = await openSshTty(lab, terminal.sshRemote);
  try {
    for (let i = 0; i < runs; i++) {
      for (const side of [...SIDES.slice(i % SIDES.length), ...SIDES.slice(0, i % SIDES.length)]) {
        let run: Run;
        if (side === 'ssh') run = runOf(await ssh.driver.throughput(command, RUN_TIMEOUT_MS));
        else {
          const options = {
            capture: capture && side === 'ours' && result.runs.ours.length === 0,
            render: side === 'ours',
            timeoutMs: RUN_TIMEOUT_MS,
          };
          const { value, cpu } = await withCpu(() => setup.browser.call('throughput', command, options));
          run = { ...runOf(value), hostCpu: cpu, pauses: value.pauses };
        }
        result.runs[side].push(run);
        log(
          `terminal-throughput: ${terminal.label}: ${side} ${run.rate.toFixed(1)} MB/s (${(run.bytes / 1e6).toFixed(1)} MB)`,
        );
      }
    }
  } finally {
    await setup.browser.call('close');
    await ssh.close();
  }
  return result;
};

const median = (values: readonly number[]): number | undefined =>
  values.length === 0 ? undefined : summarize(values).p50;

const rowsOf = ({ terminal, runs: { ours, path, ssh } }: TerminalRuns): BenchRow[] => {
  const of = (runs: Run[], figure: (run: Run) => number | undefined) => median(runs.flatMap((r) => figure(r) ?? []));
  const versus = (mine: Run[], metric: string, unit: string, figure: (run: Run) => number): BenchRow => ({
    metric: `${terminal.label}: ${metric}`,
    unit,
    ours: of(mine, figure),
    reference: of(ssh, figure),
    oursSamples: mine.length,
    referenceSamples: ssh.length,
  });
  const oursOnly = (metric: string, unit: string, figure: (run: Run) => number | undefined): BenchRow => ({
    metric: `${terminal.label}: ${metric}`,
    unit,
    ours: of(ours, figure),
    reference: undefined,
    oursSamples: ours.length,
  });
  return [
    versus(ours, 'output rendered vs ssh -tt raw', 'MB/s', (r) => r.rate),
    versus(path, 'output reaching the page (xterm.js not fed) vs ssh -tt raw', 'MB/s', (r) => r.rate),
    versus(ours, 'Enter → last byte rendered', 's', (r) => r.total),
    versus(ours, 'mean chunk (WebSocket message / ssh read)', 'kB', (r) => r.bytes / r.chunks / 1000),
    oursOnly('core process CPU while rendered', '% of a core', (r) => r.hostCpu),
    oursOnly('flow-control pauses while rendered', '', (r) => r.pauses),
  ];
};

export const terminalThroughput: Benchmark = {
  id: 'terminal-throughput',
  name: 'Terminal throughput: console bridge into xterm.js (TerminalSession page) vs ssh -tt and xterm.js alone',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const { mib, runs } = settings(quick);
    const command = commandFor(mib);
    const setup = await setUpTerminals(lab, CT_VMID, log);
    const measured: TerminalRuns[] = [];
    const alone: { bytes: number; ms: number }[] = [];
    try {
      for (const [index, terminal] of setup.terminals.entries())
        measured.push(await measure(setup, lab, terminal, runs, command, index === 0, log));
      // The bytes the first terminal's first run received, written again with nothing in front of xterm.js.
      for (let i = 0; i < runs; i++) {
        alone.push(await setup.browser.call('replay', RUN_TIMEOUT_MS));
        log(
          `terminal-throughput: xterm.js alone ${(alone.at(-1)!.bytes / 1e6 / (alone.at(-1)!.ms / 1000)).toFixed(1)} MB/s`,
        );
      }
    } finally {
      await setup.close();
    }
    const first = measured[0];
    const aloneRate = median(alone.map((a) => a.bytes / 1e6 / (a.ms / 1000)));
    return {
      ours: `\`${command}\` typed into the app's terminal: SSH exec channel with a pty → core console bridge (one-shot ws://127.0.0.1) → the renderer's TerminalSession (xterm.js 6, DOM renderer, flow control) in headless Chromium, until xterm's write callback for the last byte`,
      reference: `the same command typed into \`ssh -tt\` (OpenSSH, same key) running the same shell on the same node, its output read raw and dropped; and xterm.js alone: the bytes ours received written into a fresh TerminalSession in the same page, with the same flow control`,
      rows: [
        ...measured.flatMap(rowsOf),
        {
          metric: `${first?.terminal.label ?? 'node shell'}: rendered vs xterm.js alone (same bytes)`,
          unit: 'MB/s',
          ours: median(first?.runs.ours.map((r) => r.rate) ?? []),
          reference: aloneRate,
          oursSamples: first?.runs.ours.length ?? 0,
          referenceSamples: alone.length,
        },
      ],
      notes: [
        `${mib} MiB of zeros as base64 (${((Math.ceil((mib * MiB) / 3) * 4 * 78) / 76 / 1e6).toFixed(1)} MB with CR LF), median of ${runs} run(s) each, the sides taking turns; MB/s is the bytes from the chunk with the begin marker to the one with the end marker, over the time from the first arriving to the last rendered (ssh: arriving).`,
        "the page is not the whole app: it bundles the renderer's TerminalSession (xterm.js, its WebSocket protocol and flow control) without React and the rest of the UI; 'rendered' is xterm's write callback (parsed into the buffer), the screen is painted at the next animation frame.",
        'the node shell is `exec "$SHELL" -l` on an exec channel with a pty (ours) against ssh\'s own login shell; ct-shell is the agent\'s lxc-attach into /bin/sh -l of a busybox container (ours) against the same lxc-attach command over ssh -tt.',
        "'reaching the page' is ours with TerminalSession's writes dropped in the page (callbacks at once, so flow control never pauses): what the SSH channel, the bridge and Chromium's WebSocket deliver on their own.",
        'the lab node is this machine: the SSH path carries no network latency; Chromium, the core, sshd and the shell share its 2 cores.',
      ],
      extra: {
        mib,
        runs,
        command,
        measured: measured.map(({ terminal, runs: sides }) => ({ terminal: terminal.label, ...sides })),
        alone,
      },
    };
  },
};
