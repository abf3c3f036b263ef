// A JSON-RPC client over the daemon's unix socket: for hdctl on a node, install/start (waiting for
// `hello`) and the daemon's own check for a live predecessor.
import { connect, type Socket } from 'node:net';
import { AppError } from '../api/errors';
import { PROTOCOL_VERSION, type Hello } from '../api/hello';
import { connectStreams, type RpcClient } from '../rpc/client';

export interface AgentConnection {
  readonly client: RpcClient;
  close(): void;
}

/** Connect to the socket; rejects with unreachable (or access-denied) naming the socket. */
export const connectAgent = (socketPath: string, node: string, timeoutMs = 30_000): Promise<AgentConnection> =>
  new Promise((resolve, reject) => {
    const socket: Socket = connect(socketPath);
    const onError = (error: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(
        error.code === 'EACCES'
          ? new AppError(
              'access-denied',
              `you may not use the agent socket ${socketPath} on node ${node} — run as root or join the group hyperdesk`,
            )
          : new AppError('unreachable', `the Hyperdesk agent daemon is not running on node ${node} (${socketPath})`, {
              code: error.code,
            }),
      );
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      socket.on('error', () => undefined); // connectStreams sees the close
      const client = connectStreams(socket, socket, timeoutMs);
      resolve({ client, close: () => socket.destroy() });
    });
  });

/** Ask the daemon on the socket for `hello`; undefined if nothing answers within timeoutMs. */
export const helloOver = async (socketPath: string, node: string, timeoutMs: number): Promise<Hello | undefined> => {
  let connection: AgentConnection | undefined;
  try {
    connection = await connectAgent(socketPath, node, timeoutMs);
    return await connection.client.call('hello', { protocolVersion: PROTOCOL_VERSION, client: 'hyperdesk-agent' });
  } catch {
    return undefined;
  } finally {
    connection?.close();
  }
};
