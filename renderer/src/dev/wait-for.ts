// Dev and test helper: resolve when the app store satisfies a condition (no sleeps), or fail after a deadline.
import type { StoreApi } from 'zustand/vanilla';

export function waitForState<S>(store: StoreApi<S>, predicate: (state: S) => boolean, timeoutMs = 2000): Promise<S> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getState())) {
      resolve(store.getState());
      return;
    }
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`state condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = store.subscribe((state) => {
      if (!predicate(state)) return;
      clearTimeout(timer);
      stop();
      resolve(state);
    });
  });
}
