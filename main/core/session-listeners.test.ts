import { describe, expect, it } from 'vitest';
import { AppError } from '../../node-agent/src/api';
import { SessionListeners, type SessionEvent } from './session-listeners';

describe('SessionListeners', () => {
  it('tells each listener of its own event, until it unsubscribes or all are cleared', () => {
    const listeners = new SessionListeners();
    const seen: string[] = [];
    const off = listeners.on('state', (state, error) => seen.push(`state ${state} ${error?.code ?? '-'}`));
    listeners.on('hello', (hello) => seen.push(`hello ${hello.node}`));
    listeners.emit('state', 'offline', new AppError('unreachable', 'n1 is down'));
    listeners.emit('hello', { protocolVersion: 1, agentVersion: '0.1.0', agentDigest: 'd'.repeat(64), node: 'n1', capabilities: [] });
    off();
    listeners.emit('state', 'online', undefined);
    listeners.clear();
    listeners.emit('hello', { protocolVersion: 1, agentVersion: '0.1.0', agentDigest: 'd'.repeat(64), node: 'n2', capabilities: [] });
    expect(seen).toEqual(['state offline unreachable', 'hello n1']);
  });

  it('reports a listener that throws and still tells the others, when given a reporter', () => {
    const reported: [SessionEvent, string][] = [];
    const listeners = new SessionListeners((event, error) => reported.push([event, (error as Error).message]));
    const seen: string[] = [];
    listeners.on('state', () => {
      throw new Error('boom');
    });
    listeners.on('state', (state) => seen.push(state));
    listeners.emit('state', 'online', undefined);
    expect(seen).toEqual(['online']);
    expect(reported).toEqual([['state', 'boom']]);
  });

  it('lets the error through without a reporter', () => {
    const listeners = new SessionListeners();
    listeners.on('state', () => {
      throw new Error('boom');
    });
    expect(() => listeners.emit('state', 'online', undefined)).toThrow('boom');
  });

  it('does not tell, in this round, a listener subscribed while telling', () => {
    const listeners = new SessionListeners();
    const seen: string[] = [];
    listeners.on('state', () => {
      seen.push('first');
      listeners.on('state', () => seen.push('late'));
    });
    listeners.emit('state', 'online', undefined);
    expect(seen).toEqual(['first']);
  });
});
