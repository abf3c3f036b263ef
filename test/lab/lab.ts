// `npm run lab -- up --nodes N [--config-dir DIR] [--no-agent] [--without-nodejs NODE]…`, `down [--force]`,
// `status [--output json]`.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { AppError } from '../../node-agent/src/api/errors';
import { labDown, labStatusOf, labUp } from './lab-api';
import { formatLabStatus } from './lab-status';
import { MAX_NODES } from './lab-layout';

const USAGE = `usage: npm run lab -- <command>
  up --nodes N [--config-dir DIR] [--no-agent]   bring N nodes up (1..${MAX_NODES}); DIR gets connections.json and known_hosts
     [--without-nodejs NODE]…                    NODE's sessions find no Node.js (its agent is left for the app to deploy)
  down [--force]                                 stop and remove everything the lab made (--force: also unrecorded hdlab-* leftovers)
  status [--output json]                         each node's namespace, address, sshd and agent
The lab's state lives in $HDLAB_DIR (default /var/tmp/hdlab). Run as root.`;

const log = (line: string): void => {
  process.stderr.write(`hdlab: ${line}\n`);
};

const up = async (args: string[]): Promise<void> => {
  const { values } = parseArgs({
    args,
    options: {
      nodes: { type: 'string' },
      'config-dir': { type: 'string' },
      'no-agent': { type: 'boolean', default: false },
      'without-nodejs': { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  if (values.nodes === undefined || !/^\d+$/.test(values.nodes))
    throw new AppError('invalid-params', `up needs --nodes N (1..${MAX_NODES})`);
  const controller = new AbortController();
  // Ctrl-C while coming up: stop at the next step and remove what was made, rather than leave half a lab.
  const onInterrupt = () => {
    log('interrupted — removing what was made');
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    const lab = await labUp({
      nodes: Number(values.nodes),
      agent: !values['no-agent'],
      nodeWithoutNodejs: values['without-nodejs'],
      ...(values['config-dir'] === undefined ? {} : { configDir: resolve(values['config-dir']) }),
      signal: controller.signal,
      log,
    });
    process.stdout.write(formatLabStatus(await lab.status()));
    process.stdout.write(`\nssh -i ${lab.clientKey} root@${lab.nodes[0]?.address ?? ''}\n`);
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
};

const down = async (args: string[]): Promise<void> => {
  const { values } = parseArgs({ args, options: { force: { type: 'boolean', default: false } }, strict: true });
  const outcome = await labDown({ force: values.force, log });
  process.stdout.write(outcome === 'down' ? 'lab is down\n' : 'no lab was up\n');
};

const status = async (args: string[]): Promise<void> => {
  const { values } = parseArgs({ args, options: { output: { type: 'string', default: 'text' } }, strict: true });
  if (values.output !== 'text' && values.output !== 'json')
    throw new AppError('invalid-params', `--output is text or json, not ${values.output}`);
  const current = await labStatusOf();
  process.stdout.write(values.output === 'json' ? `${JSON.stringify(current, null, 2)}\n` : formatLabStatus(current));
};

const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (process.getuid?.() !== 0 && !['help', '--help', undefined].includes(command)) {
    throw new AppError('access-denied', 'the lab makes network namespaces and starts sshd: run it as root');
  }
  switch (command) {
    case 'up':
      await up(rest);
      return 0;
    case 'down':
      await down(rest);
      return 0;
    case 'status':
      await status(rest);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // parseArgs rejects unknown or malformed options with ERR_PARSE_ARGS_* codes: a usage error, not a crash.
    const usage = (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true;
    const appError = usage ? new AppError('invalid-params', (error as Error).message) : AppError.from(error);
    process.stderr.write(`hdlab: ${appError.code}: ${appError.message}\n`);
    process.exitCode = 1;
  },
);
