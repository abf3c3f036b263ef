// Run a program on our own stdio, as if exec'd in our place (Node has no execve): for `console <id> ct-*` the agent's
// stdin/stdout are the pty the app's SSH channel gave, and lxc-console/lxc-attach must own it directly.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { AppError } from '../api/errors';

/** Signals that end the agent and so must end the program too (a hangup also reaches it through the pty). */
const FORWARDED = ['SIGHUP', 'SIGTERM'] as const;

/**
 * Resolves with the program's exit code (128 + signal number if a signal ended it, as a shell reports it); rejects
 * with not-found if it is not installed. No timeout: it lasts as long as the user's session.
 */
export const runOnTerminal = (command: string, args: readonly string[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: 'inherit', env: process.env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(
        error.code === 'ENOENT'
          ? new AppError('not-found', `command ${command} is not installed on this node`, { command })
          : new AppError('command-failed', `${command} could not start: ${error.message}`, { command }),
      );
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
