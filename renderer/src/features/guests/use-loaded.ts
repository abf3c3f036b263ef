// A value loaded once per key from the agent (a node's storage choices, the next free VMID): `initial` until it
// arrives and on failure (the dialogs that use it stay usable with empty choices); a late answer for a key that
// has changed since, or an unmounted dialog, is dropped.
import { useEffect, useState } from 'react';

export function useLoaded<T>(key: string | undefined, load: (key: string) => Promise<T>, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  // The loader is a module function; keeping it out of the deps means a fresh arrow per render does not reload.
  const [loader] = useState(() => load);
  useEffect(() => {
    if (key === undefined) return;
    let cancelled = false;
    loader(key)
      .then((v) => {
        if (!cancelled) setValue(v);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [key, loader]);
  return value;
}
