// Waiting for a node session to reach a state, for the tests and the benchmarks that drive real sessions.
import { AppError } from '../../../node-agent/src/api';
import type { ConnectionState } from '../inventory-schema';
import type { NodeSessionHandle } from '../node-session-api';

/**
 * Resolves when the session is in `state` (now or later), with the error it reached it with, if any; rejects at the
 * deadline with a timeout naming the states it went through.
 */
export const waitForState = (
  session: NodeSessionHandle,
  state: ConnectionState,
  timeoutMs = 60_000,
): Promise<AppError | undefined> =>
  new Promise((resolve, reject) => {
    if (session.state === state) return resolve(undefined);
    const seen: string[] = [];
    const timer = setTimeout(() => {
      off();
      const saw = seen.join(' → ') || 'nothing';
      reject(new AppError('timeout', `node ${session.key} did not become ${state} within ${timeoutMs} ms (saw ${saw})`));
    }, timeoutMs);
    const off = session.on('state', (next, error) => {
      seen.push(error ? `${next} (${error.message})` : next);
      if (next !== state) return;
      clearTimeout(timer);
      off();
      resolve(error);
    });
  });
