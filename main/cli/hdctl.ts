#!/usr/bin/env node
// hdctl, the workstation CLI: the agent's command tree over SSH to the nodes the Hyperdesk app has saved.
// Config dir: --config-dir, HYPERDESK_CONFIG_DIR, or the app's user-data folder (~/.config/Hyperdesk on Linux).
// Secrets stay in memory for the one command; passwords and keyboard-interactive answers are asked on the terminal.
import { createCore } from '../core/core';
import { readConnectionsFile } from '../core/config-store';
import { MemorySecretStore } from '../core/secrets-memory';
import { findAgentBundle } from './agent-bundle-path';
import { runHdctl } from './run-hdctl';

const main = async (): Promise<number> =>
  runHdctl(process.argv.slice(2), {
    env: process.env,
    io: { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) },
    terminal: { input: process.stdin, output: process.stderr },
    interrupts: (handler) => {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
    readClusters: async (configDir) => (await readConnectionsFile(configDir)).clusters,
    openCore: (configDir, connect) =>
      createCore({ configDir, secrets: new MemorySecretStore(), agentBundle: findAgentBundle(import.meta.url) }, { connect }),
  });

main().then(
  (code) => {
    process.exitCode = code;
    // Everything is disposed by now; this only ends a process some leftover handle would keep alive.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`error (internal-error): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
