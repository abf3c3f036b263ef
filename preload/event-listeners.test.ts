import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEventListeners } from './event-listeners';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createEventListeners', () => {
  it('hands an event to the listeners of that event only, until they unsubscribe', () => {
    const listeners = createEventListeners();
    const restored: unknown[] = [];
    const prompts: unknown[] = [];
    const off = listeners.on('connection.restored', (data) => restored.push(data));
    listeners.on('auth.prompt', (data) => prompts.push(data.promptId));
    listeners.dispatch('connection.restored', { n: 1 });
    off();
    listeners.dispatch('connection.restored', { n: 2 });
    listeners.dispatch('no.such.event', {});
    expect(restored).toEqual([{ n: 1 }]);
    expect(prompts).toEqual([]);
  });

  it('needs two unsubscribes for the same function subscribed twice', () => {
    const listeners = createEventListeners();
    let calls = 0;
    const count = () => (calls += 1);
    const offFirst = listeners.on('connection.restored', count);
    listeners.on('connection.restored', count);
    offFirst();
    listeners.dispatch('connection.restored', {});
    expect(calls).toBe(1);
  });

  it('logs a listener that throws and still calls the others', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const listeners = createEventListeners();
    const seen: string[] = [];
    listeners.on('connection.restored', () => {
      throw new Error('boom');
    });
    listeners.on('connection.restored', () => seen.push('second'));
    listeners.dispatch('connection.restored', {});
    expect(seen).toEqual(['second']);
    expect(logged).toHaveBeenCalledWith('hyperdesk: a listener for connection.restored threw', expect.any(Error));
  });

  it('does not call, in this round, a listener subscribed while dispatching', () => {
    const listeners = createEventListeners();
    const seen: string[] = [];
    listeners.on('connection.restored', () => {
      seen.push('first');
      listeners.on('connection.restored', () => seen.push('late'));
    });
    listeners.dispatch('connection.restored', {});
    expect(seen).toEqual(['first']);
  });
});
