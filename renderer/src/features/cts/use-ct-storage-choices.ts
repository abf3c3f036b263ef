// A node's template and root-disk storages for a CT dialog; empty until loaded, and on failure.
import { useEffect, useState } from 'react';
import { loadCtStorageChoices, type CtStorageChoices } from './actions';

export function useCtStorageChoices(nodeKey: string): CtStorageChoices {
  const [choices, setChoices] = useState<CtStorageChoices>({ templateStores: [], diskStores: [], templates: {} });
  useEffect(() => {
    let cancelled = false;
    loadCtStorageChoices(nodeKey)
      .then((c) => !cancelled && setChoices(c))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [nodeKey]);
  return choices;
}
