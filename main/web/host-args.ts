// Command line of the browser host: `web-host [--config-dir DIR] [--port N] [--renderer-dir DIR] [--agent-bundle FILE]`.
import { AppError } from '../../node-agent/src/api/errors';
import { resolveConfigDir } from '../cli/config-dir';

export interface HostArgs {
  configDir: string;
  port: number;
  rendererDir?: string;
  agentBundle?: string;
}

const valueOf = (argv: readonly string[], index: number, flag: string): string => {
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new AppError('invalid-params', `${flag} needs a value`);
  return value;
};

export const parseHostArgs = (argv: readonly string[], env: NodeJS.ProcessEnv): HostArgs => {
  // --config-dir, else HYPERDESK_CONFIG_DIR, else the app's folder: the CLI's rule, so all three see the same connections.
  const args: HostArgs = { configDir: resolveConfigDir(undefined, env), port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const value = valueOf(argv, i, flag);
      i++;
      return value;
    };
    switch (flag) {
      case '--config-dir':
        args.configDir = resolveConfigDir(take(), env);
        break;
      case '--port': {
        const text = take();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535) throw new AppError('invalid-params', `--port ${text} is not a port number (0 picks a free one)`);
        args.port = port;
        break;
      }
      case '--renderer-dir':
        args.rendererDir = take();
        break;
      case '--agent-bundle':
        args.agentBundle = take();
        break;
      default:
        throw new AppError('invalid-params', `unknown option ${arg} — use --config-dir, --port, --renderer-dir or --agent-bundle`);
    }
  }
  return args;
};
