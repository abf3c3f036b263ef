// The envelope wrapper shared by Electron IPC and the browser host: the handles below are plain objects
// standing in for the core so each failure path can be forced; host.test.ts runs the real core.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../node-agent/src/api/errors';
import type { HyperdeskCoreHandle } from '../core/core-api';
import { invokeAsEnvelope, isAppMethod } from './envelope';

const answering = (value: unknown): Pick<HyperdeskCoreHandle, 'handle'> => ({ handle: () => Promise.resolve(value as never) });
const throwing = (error: unknown): Pick<HyperdeskCoreHandle, 'handle'> => ({ handle: () => Promise.reject(error) });

describe('invokeAsEnvelope', () => {
  it('wraps a value', async () => {
    expect(await invokeAsEnvelope(answering({ theme: 'dark' }), 'preferences.get', {})).toEqual({ ok: true, value: { theme: 'dark' } });
  });

  it('refuses a method that is not in the app contract before calling the core', async () => {
    let called = false;
    const core = { handle: () => ((called = true), Promise.resolve(undefined as never)) };
    const envelope = await invokeAsEnvelope(core, 'vm.destroyEverything', {});
    expect(envelope).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(called).toBe(false);
    expect(await invokeAsEnvelope(core, 'toString', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeAsEnvelope(core, '__proto__', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(called).toBe(false);
  });

  it('refuses a method name that is not a string', async () => {
    expect(await invokeAsEnvelope(answering(1), { toString: () => 'inventory.snapshot' }, {})).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
  });

  it('keeps an AppError intact, details included', async () => {
    const envelope = await invokeAsEnvelope(throwing(new AppError('locked', 'VM 101 is locked by task backup', { vmid: 101 })), 'inventory.snapshot', {});
    expect(envelope).toEqual({ ok: false, error: { code: 'locked', message: 'VM 101 is locked by task backup', details: { vmid: 101 } } });
  });

  it('turns any other throw into internal-error', async () => {
    expect(await invokeAsEnvelope(throwing(new TypeError('x is undefined')), 'inventory.snapshot', {})).toEqual({
      ok: false,
      error: { code: 'internal-error', message: 'x is undefined' },
    });
  });

  it('isAppMethod knows the contract', () => {
    expect(isAppMethod('agent.call')).toBe(true);
    expect(isAppMethod('hasOwnProperty')).toBe(false);
    expect(isAppMethod(3)).toBe(false);
  });
});
