// `hyperdesk-agent bridge`: what the app runs over SSH exec. Relays bytes between its stdio and the
// daemon's socket; stdout carries protocol only. If the daemon is down, the first request gets a typed
// `unreachable` answer so the app can say so (and offer to start or update the agent).
import { connect } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../api/errors';
import type { AgentPaths } from '../daemon/paths';
import { encode, MAX_LINE_BYTES } from '../rpc/wire';

/** sysexits EX_UNAVAILABLE / EX_NOPERM: the app and scripts can tell "no daemon" from a crash. */
export const EXIT_UNAVAILABLE = 69;
export const EXIT_NOPERM = 77;

/** After stdin ends, how long answers to requests already sent may still arrive. */
const LINGER_MS = 5000;

export interface BridgeIo {
  stdin: Readable;
  stdout: Writable;
}

/** The first line on stdin (bounded), or '' when stdin ends first. */
const firstLine = (stdin: Readable): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause();
      const all = Buffer.concat(chunks);
      const nl = all.indexOf(10);
      resolve((nl === -1 ? all : all.subarray(0, nl)).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (chunk.includes(10) || bytes > MAX_LINE_BYTES) done();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
  });

const requestId = (line: string): string | number | null => {
  try {
    const id = (JSON.parse(line) as { id?: unknown } | null)?.id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
};

/** Run the bridge; resolves with the process exit code once either side has closed. */
export const runBridge = (
  paths: AgentPaths,
  io: BridgeIo = { stdin: process.stdin, stdout: process.stdout },
): Promise<number> =>
  new Promise((resolve) => {
    const { stdin, stdout } = io;
    const socket = connect(paths.socket);
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      stdin.unpipe(socket);
      socket.destroy();
      resolve(code);
    };

    socket.once('error', (error: NodeJS.ErrnoException) => {
      const denied = error.code === 'EACCES';
      const appError = denied
        ? new AppError(
            'access-denied',
            `you may not use the agent socket ${paths.socket} on node ${paths.node} — connect as root or join the group hyperdesk`,
          )
        : new AppError(
            'unreachable',
            `the Hyperdesk agent daemon is not running on node ${paths.node} (${paths.socket})`,
            { errno: error.code },
          );
      void firstLine(stdin).then((line) => {
        stdout.write(encode({ jsonrpc: '2.0', id: requestId(line), error: appError.toWire() }), () =>
          finish(denied ? EXIT_NOPERM : EXIT_UNAVAILABLE),
        );
      });
    });

    socket.once('connect', () => {
      socket.removeAllListeners('error');
      socket.on('error', () => finish(1));
      stdin.pipe(socket);
      socket.pipe(stdout, { end: false });
      // Either side closing ends the bridge. When the app hangs up (stdin ends) the daemon still answers
      // what was already asked, then closes; a daemon that takes too long is not waited for.
      const hangUp = () => {
        socket.end();
        setTimeout(() => finish(0), LINGER_MS).unref();
      };
      stdin.once('end', hangUp);
      socket.once('close', () => finish(0));
      stdout.once('error', () => finish(1));
    });
  });
