// One command on a node over an SSH exec channel, run to its end or a deadline, and what a failed one means:
// an AppError naming the node and the step, with the exit code and the tail of stderr.
import type { ClientChannel } from 'ssh2';
import { AppError } from '../../node-agent/src/api';
import type { SshConnection } from './ssh-connection';

const TAIL = 2000;

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run one command on the node to its end (or the deadline), collecting output; stderr lines go to `log`. */
export const runRemote = (
  conn: SshConnection,
  command: string,
  timeoutMs: number,
  log?: (line: string) => void,
): Promise<CommandResult> =>
  conn.exec(command).then(
    (channel: ClientChannel) =>
      new Promise((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        let pending = '';
        const timer = setTimeout(() => {
          channel.close();
          reject(
            new AppError(
              'timeout',
              `${command.slice(0, 80)} did not finish on ${conn.host} within ${timeoutMs / 1000} s`,
            ),
          );
        }, timeoutMs);
        channel.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        channel.stderr.on('data', (chunk: Buffer) => {
          const text = chunk.toString('utf8');
          stderr += text;
          pending += text;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) log?.(line);
        });
        channel.on('exit', (exitCode: number | null) => (code = exitCode));
        channel.on('close', () => {
          clearTimeout(timer);
          if (pending !== '') log?.(pending);
          resolve({ code, stdout, stderr });
        });
      }),
  );

/** `<step> on node <name> failed (exit N): <stderr tail>` as a command-failed error. */
export const commandFailed = (step: string, nodeName: string, result: CommandResult): AppError =>
  new AppError(
    'command-failed',
    `${step} on node ${nodeName} failed (exit ${result.code}): ${result.stderr.trim().slice(-TAIL) || result.stdout.trim().slice(-TAIL)}`,
    { node: nodeName, step, exitCode: result.code, stderr: result.stderr.slice(-TAIL) },
  );

/** Run a step that must succeed; its failure is commandFailed(step, …). */
export const runStep = async (
  conn: SshConnection,
  step: string,
  nodeName: string,
  command: string,
  timeoutMs: number,
): Promise<CommandResult> => {
  const result = await runRemote(conn, command, timeoutMs);
  if (result.code !== 0) throw commandFailed(step, nodeName, result);
  return result;
};
