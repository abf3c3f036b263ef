// Benchmark: keystroke echo latency. Ours: a key typed into the renderer's TerminalSession in headless Chromium →
// WebSocket → core console bridge → SSH exec channel with a pty (node shell, or the agent's ct-shell into a
// container) → the pty's echo all the way back, until xterm.js's write callback. Reference, same run: the same key
// written to `ssh -tt` running the same shell on the same node, until its echo is read. `cat` runs on both ptys, so
// the echo is the kernel line discipline's in both; keys go one at a time at a typist's pace, in alternating blocks.
import type { BenchLab } from './bench-lab';
import type { Benchmark, BenchResult, BenchRow } from './bench-types';
import { openSshTty } from './ssh-tty';
import { summarizeOrNone, type Summary } from './stats';
import type { EchoTimes } from './terminal-driver';
import { setUpTerminals, type BenchTerminal, type TerminalSetup } from './terminal-targets';

const settings = (quick: boolean) => (quick ? { keys: 50 } : { keys: 200 });
/** 30 ms between keys: a fast typist (about 33 keys a second). */
const PACE_MS = 30;
/** Keys per turn before the other side types its block. */
const BLOCK = 10;
const CT_VMID = 257;

interface TerminalEcho {
  terminal: BenchTerminal;
  ours: EchoTimes;
  ssh: number[];
}

const measure = async (
  setup: TerminalSetup,
  lab: BenchLab,
  terminal: BenchTerminal,
  keys: number,
): Promise<TerminalEcho> => {
  const result: TerminalEcho = { terminal, ours: { arrived: [], rendered: [] }, ssh: [] };
  await setup.browser.call('open', terminal.target);
  const ssh = await openSshTty(lab, terminal.sshRemote);
  try {
    await setup.browser.call('startCat');
    await ssh.driver.startCat();
    for (let done = 0, turn = 0; done < keys; done += BLOCK, turn++) {
      const count = Math.min(BLOCK, keys - done);
      const order = turn % 2 === 0 ? (['ours', 'ssh'] as const) : (['ssh', 'ours'] as const);
      for (const who of order) {
        if (who === 'ours') {
          const times = await setup.browser.call('echo', count, PACE_MS);
          result.ours.arrived.push(...times.arrived);
          result.ours.rendered.push(...times.rendered);
        } else result.ssh.push(...(await ssh.driver.echo(count, PACE_MS)).arrived);
      }
    }
    await setup.browser.call('stopCat');
    await ssh.driver.stopCat();
  } finally {
    await setup.browser.call('close');
    await ssh.close();
  }
  return result;
};

const rowsOf = ({ terminal, ours, ssh }: TerminalEcho): BenchRow[] => {
  const rendered = summarizeOrNone(ours.rendered);
  const arrived = summarizeOrNone(ours.arrived);
  const reference = summarizeOrNone(ssh);
  const row = (metric: string, summary: Summary | undefined, p: 'p50' | 'p95'): BenchRow => ({
    metric: `${terminal.label}: ${metric}, ${p}`,
    unit: 'ms',
    ours: summary?.[p],
    reference: reference?.[p],
    oursSamples: summary?.n ?? 0,
    referenceSamples: reference?.n ?? 0,
  });
  return [
    row('key → echo rendered', rendered, 'p50'),
    row('key → echo rendered', rendered, 'p95'),
    row('key → echo reaches xterm.js', arrived, 'p50'),
  ];
};

export const terminalEcho: Benchmark = {
  id: 'terminal-echo',
  name: 'Keystroke echo: console bridge and xterm.js (TerminalSession page) vs ssh -tt',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const { keys } = settings(quick);
    const setup = await setUpTerminals(lab, CT_VMID, log);
    const measured: TerminalEcho[] = [];
    try {
      for (const terminal of setup.terminals) {
        measured.push(await measure(setup, lab, terminal, keys));
        const last = measured.at(-1)!;
        log(
          `terminal-echo: ${terminal.label}: p50 ${summarizeOrNone(last.ours.rendered)?.p50.toFixed(2)} ms ours, ${summarizeOrNone(last.ssh)?.p50.toFixed(2)} ms ssh -tt`,
        );
      }
    } finally {
      await setup.close();
    }
    return {
      ours: "a key typed into the renderer's TerminalSession (xterm.js input → WebSocket → core console bridge → SSH exec channel with a pty) in headless Chromium, timed in the page to xterm's write callback for its echo",
      reference:
        '`ssh -tt` (OpenSSH, same key) running the same shell on the same node: the key written to its stdin, timed to its echo read from its stdout',
      rows: measured.flatMap(rowsOf),
      notes: [
        `${keys} keys per terminal and side, ${PACE_MS} ms apart, in blocks of ${BLOCK} alternating between ours and ssh; \`cat\` on the pty, so the echo is the line discipline's on both sides.`,
        "'reaches xterm.js' is when TerminalSession hands the echo to xterm (WebSocket message in the page): the rest of 'rendered' is xterm parsing it. Timed with the page's clock (performance.now), ssh's with this process's.",
        "the page is not the whole app: it bundles the renderer's TerminalSession without React and the rest of the UI; Chromium's input handling before xterm's onData is not included (the key enters at xterm's input()).",
        'the lab node is this machine: no network latency; the SSH, WebSocket and relay hops are all that differ.',
      ],
      extra: {
        keys,
        paceMs: PACE_MS,
        measured: measured.map(({ terminal, ours, ssh }) => ({ terminal: terminal.label, ours, ssh })),
      },
    };
  },
};
