// One app call from an untrusted caller (IPC or the browser host's WebSocket), answered as an Envelope.
// The method name is checked here; core.handle validates the params against the app contract.
import { AppError } from '../../node-agent/src/api/errors';
import { appMethods, type AppMethodName, type Envelope } from '../core/app-api';
import type { HyperdeskCoreHandle } from '../core/core-api';

export const isAppMethod = (name: unknown): name is AppMethodName =>
  typeof name === 'string' && Object.hasOwn(appMethods, name);

/** Never throws: every failure becomes `{ok: false, error}` because contextBridge drops custom Error fields. */
export const invokeAsEnvelope = async (
  core: Pick<HyperdeskCoreHandle, 'handle'>,
  method: unknown,
  params: unknown,
): Promise<Envelope<unknown>> => {
  try {
    if (typeof method !== 'string') throw new AppError('invalid-params', 'the method name must be a string');
    if (!isAppMethod(method)) throw new AppError('not-found', `there is no app method named "${method.slice(0, 100)}"`);
    return { ok: true, value: await core.handle(method, params) };
  } catch (error) {
    return { ok: false, error: AppError.from(error).toWire() };
  }
};
