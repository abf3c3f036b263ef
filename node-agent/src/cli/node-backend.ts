// hdctl on a node: calls go to the local daemon over its unix socket, connected on first use so that
// `hdctl help` works without a daemon; `ct enter` runs lxc-attach here, on hdctl's terminal.
import { AppError } from '../api/errors';
import { connectAgent, type AgentConnection } from '../daemon/agent-socket';
import type { AgentPaths } from '../daemon/paths';
import { runCtConsole } from '../ct/ct-console';
import type { CliBackend } from './run-cli';

export interface NodeCliBackend extends CliBackend {
  close(): void;
}

const onlyThisNode = (paths: AgentPaths, target: { node?: string } | undefined): void => {
  if (target?.node !== undefined && target.node !== paths.node) {
    throw new AppError(
      'not-supported',
      `hdctl on node ${paths.node} talks to this node only — run it on ${target.node}, or from the workstation`,
    );
  }
};

export const nodeCliBackend = (paths: AgentPaths): NodeCliBackend => {
  let connection: Promise<AgentConnection> | undefined;
  return {
    async call(method, params, target) {
      onlyThisNode(paths, target);
      connection ??= connectAgent(paths.socket, paths.node);
      return (await connection).client.call(method, params);
    },
    // lxc-attach on hdctl's own terminal: it makes the terminal raw, passes window sizes on and restores it at the end.
    enterCt(vmid, target) {
      onlyThisNode(paths, target);
      return runCtConsole(paths, vmid, 'ct-shell');
    },
    close() {
      void connection?.then(
        (open) => open.close(),
        () => undefined,
      );
    },
  };
};
