// The renderer's event subscriptions, kept in the preload for both transports (IPC and WebSocket): the page
// subscribes with on(), the transport hands every pushed event to dispatch(). No node:* here, as in all of preload.
import type { AppEventData, AppEventName } from './api';

export interface EventListeners {
  /** Subscribe; the returned function unsubscribes. */
  on: <E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void) => () => void;
  /** Hand an event to its listeners; one that throws is logged and does not stop the others. */
  dispatch: (event: string, data: unknown) => void;
}

type Listener = (data: unknown) => void;

export const createEventListeners = (): EventListeners => {
  const listeners = new Map<string, Set<Listener>>();
  return {
    on: <E extends AppEventName>(event: E, listener: (data: AppEventData<E>) => void): (() => void) => {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      // A fresh wrapper per subscription, so subscribing the same function twice needs two unsubscribes.
      const entry: Listener = (data) => listener(data as AppEventData<E>);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    dispatch: (event: string, data: unknown): void => {
      // A copy, so a listener that unsubscribes (or subscribes) while called does not change this round.
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          listener(data);
        } catch (error) {
          console.error(`hyperdesk: a listener for ${event} threw`, error);
        }
      }
    },
  };
};
