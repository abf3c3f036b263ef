// What the terminal benchmarks share: a busybox container on the lab node, Chromium with the terminal page, and the
// two terminals they measure — the node's shell (shell.open) and a shell in the container (console.open ct-shell) —
// each with the `ssh -tt` that runs the same program on the same node as its reference.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { agentPaths } from '../../node-agent/src/daemon/paths';
import { ctConsolePlan } from '../../node-agent/src/ct/ct-console';
import { shellQuote } from '../../main/core/shell-quote';
import { nodeEnv } from '../lab/lab-layout';
import type { BenchLab } from './bench-lab';
import { benchCtCalls, createStartedCt, installTemplate, removeCt } from './bench-ct';
import { openTerminalBrowser, type TerminalBrowser } from './terminal-browser';
import type { TerminalTarget } from './terminal-page';

export interface BenchTerminal {
  label: string;
  target: TerminalTarget;
  /** The remote command for `ssh -tt` (quoted for the node's shell); undefined: ssh's own login shell. */
  sshRemote: string | undefined;
}

export interface TerminalSetup {
  browser: TerminalBrowser;
  terminals: BenchTerminal[];
  close(): Promise<void>;
}

/** A busybox container `vmid` (unprivileged, as PVE creates them by default) and the browser; close() removes both. */
export const setUpTerminals = async (
  lab: BenchLab,
  vmid: number,
  log: (line: string) => void,
): Promise<TerminalSetup> => {
  const calls = await benchCtCalls(lab);
  const template = await installTemplate(lab, 'busybox');
  await createStartedCt(calls, { vmid, template, unprivileged: true });
  log(`terminal: CT ${vmid} (busybox) running`);
  let browser: TerminalBrowser;
  try {
    browser = await openTerminalBrowser(calls.core, lab.nodeKey, await mkdtemp(join(lab.workDir, 'terminal-page-')));
  } catch (error) {
    await removeCt(calls, vmid);
    throw error;
  }
  // The agent's own ct-shell command (lxc-attach into a login shell); busybox has no bash, so /bin/sh as it picks.
  const plan = ctConsolePlan(agentPaths(nodeEnv(lab.node)), vmid, 'ct-shell', '/bin/sh');
  return {
    browser,
    terminals: [
      { label: 'node shell', target: { kind: 'shell' }, sshRemote: undefined },
      { label: 'ct-shell', target: { kind: 'ct-shell', vmid }, sshRemote: shellQuote([plan.command, ...plan.args]) },
    ],
    close: async () => {
      try {
        await browser.close();
      } finally {
        await removeCt(calls, vmid);
      }
    },
  };
};
