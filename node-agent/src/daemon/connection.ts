// One client connection on the daemon's socket: lines in, one RpcSession, answers and events out.
// A client that stops reading is dropped before its backlog can eat the daemon's memory. A client that
// half-closes (the bridge when the app hung up) still gets the answers to what it already asked.
import type { Socket } from 'node:net';
import type { Handlers } from '../rpc/server';
import { RpcSession } from '../rpc/server';
import { LineSplitter } from '../rpc/wire';

/** Bytes queued for one client before it counts as stuck and is dropped. */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

export const serveConnection = (
  name: string,
  socket: Socket,
  handlers: Omit<Handlers, 'rpc.cancel'>,
  log: (message: string) => void,
  maxBacklogBytes = MAX_BACKLOG_BYTES,
): RpcSession => {
  const session = new RpcSession(handlers, (line) => {
    if (socket.destroyed || socket.writableEnded) return;
    socket.write(line);
    if (socket.writableLength > maxBacklogBytes) {
      log(`${name}: dropped, the client is not reading (${socket.writableLength} bytes queued)`);
      socket.destroy();
    }
  });
  let pending = 0;
  let inputEnded = false;
  const endIfIdle = () => {
    if (!inputEnded || pending > 0 || socket.writableEnded) return;
    session.dispose();
    socket.end();
  };
  const splitter = new LineSplitter(
    (line) => {
      pending += 1;
      session
        .receive(line)
        // RpcSession answers every failure itself; this catch is only for a bug in it.
        .catch((error: unknown) => log(`${name}: request failed: ${String(error)}`))
        .finally(() => {
          pending -= 1;
          endIfIdle();
        });
    },
    () => {
      log(`${name}: dropped, it sent a line over the size limit`);
      socket.destroy();
    },
  );
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') log(`${name}: ${error.message}`);
  });
  socket.on('end', () => {
    inputEnded = true;
    endIfIdle();
  });
  socket.on('close', () => session.dispose());
  return session;
};
