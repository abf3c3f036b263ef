// hdctl on the workstation: the generated command tree, routed to one saved node through main/core,
// plus `node list` and `storage content upload`. Exit codes: 0 ok, 1 error, 2 usage.
import type { MethodName, Params, Result } from '../../node-agent/src/api';
import { runCli, type CliBackend, type CliCommand, type CliIo } from '../../node-agent/src/cli/run-cli';
import { defaultGlobals, takeGlobal, UsageError } from '../../node-agent/src/cli/parse-args';
import type { NodeKey, SavedCluster } from '../core/config-schema';
import type { HyperdeskCoreHandle } from '../core/core-api';
import { positionalNode, takeConfigDir } from './argv';
import { CliCore } from './cli-core';
import { workstationCtEnter } from './ct-enter-console';
import { resolveConfigDir } from './config-dir';
import { formatNodeList } from './node-list';
import { findNode, routableNodes, routeCall, type RoutableNode } from './node-route';
import { storageUploadCommand, type Interrupts } from './storage-upload-command';
import type { Terminal } from './tty-prompt';

export interface HdctlEnvironment {
  env: NodeJS.ProcessEnv;
  io: CliIo;
  /** Where keyboard-interactive and password prompts are asked (stdin/stderr). */
  terminal: Terminal;
  /** The saved clusters of a config dir: read before anything connects, to route the command. */
  readClusters(configDir: string): Promise<SavedCluster[]>;
  /** A core for the config dir that connects only the saved nodes `connect` accepts. */
  openCore(configDir: string, connect: (key: NodeKey) => boolean): Promise<HyperdeskCoreHandle>;
  /** How often `task log --follow` and `--wait` poll (default 500 ms). */
  pollMs?: number;
  /** Ctrl+C: a running upload is cancelled instead of the process dying mid-write. */
  interrupts?: Interrupts;
}

const nodeListCommand = (nodes: () => Promise<RoutableNode[]>, core: CliCore): CliCommand => ({
  path: ['node', 'list'],
  doc: 'Every saved node: state, CPU, memory, uptime and when that was true (last-known for offline nodes).',
  usage: '[--node NAME] [--output json|table] [--config-dir DIR]',
  async run(args, io) {
    const globals = defaultGlobals();
    for (let i = 0; i < args.length; ) {
      const used = takeGlobal(args, i, globals);
      if (used === 0) throw new UsageError(`unexpected argument ${JSON.stringify(args[i])} for 'node list'`, ['node', 'list']);
      i += used;
    }
    const saved = await nodes();
    const chosen = globals.node === undefined ? saved : [findNode(saved, globals.node)];
    const entries = chosen.length === 0 ? [] : await core.list(chosen.map((node) => node.key));
    io.out(formatNodeList(entries, globals.output));
    return 0;
  },
});

/** Run one hdctl command line (without the program name); resolves with the exit code. */
export const runHdctl = async (argv: readonly string[], environment: HdctlEnvironment): Promise<number> => {
  const { io } = environment;
  let configFlag: string | undefined;
  let rest: string[];
  try {
    ({ configDir: configFlag, rest } = takeConfigDir(argv));
  } catch (error) {
    io.err(`error (invalid-params): ${(error as Error).message}\n`);
    return 2;
  }
  const configDir = resolveConfigDir(configFlag, environment.env);
  let saved: Promise<RoutableNode[]> | undefined;
  const nodes = () => (saved ??= environment.readClusters(configDir).then(routableNodes));
  const core = new CliCore((connect) => environment.openCore(configDir, connect), environment.terminal);
  const backend: CliBackend = {
    async call<M extends MethodName>(method: M, params: Params<M>, target?: { node?: string }): Promise<Result<M>> {
      const node = routeCall(await nodes(), target?.node, params);
      return (await core.call(node.key, method, params)) as Result<M>;
    },
    extraCommands: [nodeListCommand(nodes, core), storageUploadCommand(nodes, core, environment.interrupts)],
    enterCt: workstationCtEnter(nodes, core),
  };
  try {
    return await runCli(positionalNode(rest), backend, io, environment.pollMs === undefined ? {} : { pollMs: environment.pollMs });
  } finally {
    await core.dispose();
  }
};
