// The agent's one entry point (one bundled file): daemon | bridge | install | start | stop | version | hdctl.
import { basename } from 'node:path';
import { AppError } from './api/errors';
import { runBridge } from './bridge/bridge';
import { nodeCliBackend } from './cli/node-backend';
import { runCli } from './cli/run-cli';
import { agentDigest } from './daemon/agent-digest';
import { selfDaemonCommand, startAgent, stopAgent } from './daemon/control';
import { runDaemon } from './daemon/daemon';
import { installAgent, type InstallOptions } from './daemon/install';
import { logLine } from './daemon/log';
import { agentPaths, type AgentPaths } from './daemon/paths';
import { AGENT_VERSION } from './version';
import { runConsole } from './vm/console-relay';

const USAGE = `Usage: hyperdesk-agent <command>

  daemon                      run the agent daemon (systemd starts it)
  bridge                      relay JSON-RPC between stdio and the daemon (the app runs this over SSH)
  install --bundle PATH --digest SHA256 [--node-binary PATH]
                              verify and install an agent bundle, then restart the daemon on it
  start                       start the daemon unless it runs, and wait until it answers
  stop                        stop the daemon
  version                     print {"version","digest"} as JSON
  hdctl <command…>            the command-line client (also when run as hdctl)
  console VMID vnc|serialN    relay stdio to a running VM's VNC display or serial port (the app runs this over SSH)
  console CTID ct-console|ct-shell
                              a running container's console (lxc-console) or a login shell in it (lxc-attach)

Environment: HYPERDESK_ROOT (default /), HYPERDESK_NODE (default: the host name).
`;

class ArgsError extends Error {}

const EXIT_USAGE = 2;

const json = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/** `--name value` or `--name=value` for the install command's three options. */
const parseInstallArgs = (args: readonly string[]): InstallOptions => {
  const values: Record<string, string> = {};
  const known = ['--bundle', '--digest', '--node-binary'];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!known.includes(name)) throw new ArgsError(`install: unknown argument ${arg}`);
    const value = eq === -1 ? args[(i += 1)] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new ArgsError(`install: ${name} needs a value`);
    values[name] = value;
  }
  if (!values['--bundle'] || !values['--digest'])
    throw new ArgsError('install needs --bundle PATH and --digest SHA256');
  return {
    bundle: values['--bundle'],
    digest: values['--digest'],
    ...(values['--node-binary'] ? { nodeBinary: values['--node-binary'] } : {}),
  };
};

const hdctl = async (args: readonly string[], paths: AgentPaths): Promise<number> => {
  const backend = nodeCliBackend(paths);
  try {
    return await runCli(args, backend, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
  } finally {
    backend.close();
  }
};

/** Resolves with an exit code, or undefined for the daemon, which keeps running. */
const main = async (argv: readonly string[]): Promise<number | undefined> => {
  const paths = agentPaths();
  if (basename(process.argv[1] ?? '').replace(/\.(c?js|ts)$/, '') === 'hdctl') return hdctl(argv, paths);
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'daemon':
        await runDaemon(paths);
        return undefined;
      case 'bridge':
        return await runBridge(paths);
      case 'install':
        json(await installAgent(paths, parseInstallArgs(args), logLine));
        return 0;
      case 'start': {
        const hello = await startAgent(paths, selfDaemonCommand());
        json({ node: hello.node, version: hello.agentVersion, digest: hello.agentDigest });
        return 0;
      }
      case 'stop':
        json({ stopped: await stopAgent(paths, logLine) });
        return 0;
      case 'version':
        json({ version: AGENT_VERSION, digest: await agentDigest() });
        return 0;
      case 'hdctl':
        return await hdctl(args, paths);
      case 'console':
        return await runConsole(args, paths);
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE);
        return 0;
      case undefined:
      default:
        process.stderr.write(
          command === undefined ? USAGE : `hyperdesk-agent: unknown command ${JSON.stringify(command)}\n\n${USAGE}`,
        );
        return EXIT_USAGE;
    }
  } catch (error) {
    if (error instanceof ArgsError) {
      process.stderr.write(`hyperdesk-agent: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    const appError = AppError.from(error);
    process.stderr.write(`error (${appError.code}): ${appError.message}\n`);
    return 1;
  }
};

main(process.argv.slice(2)).then(
  (code) => {
    // Exit once stdout has taken everything: it may be a pipe to the app.
    if (code !== undefined) process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(
      `hyperdesk-agent: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
