// hdctl on a node: calls go to the local daemon over its unix socket, connected on first use so that
// `hdctl help` works without a daemon.
import { AppError } from '../api/errors';
import { connectAgent, type AgentConnection } from '../daemon/agent-socket';
import type { AgentPaths } from '../daemon/paths';
import type { CliBackend } from './run-cli';

export interface NodeCliBackend extends CliBackend {
  close(): void;
}

export const nodeCliBackend = (paths: AgentPaths): NodeCliBackend => {
  let connection: Promise<AgentConnection> | undefined;
  return {
    async call(method, params, target) {
      if (target?.node !== undefined && target.node !== paths.node) {
        throw new AppError(
          'not-supported',
          `hdctl on node ${paths.node} talks to this node only — run it on ${target.node}, or from the workstation`,
        );
      }
      connection ??= connectAgent(paths.socket, paths.node);
      return (await connection).client.call(method, params);
    },
    close() {
      void connection?.then(
        (open) => open.close(),
        () => undefined,
      );
    },
  };
};
