// A node's template and root-disk storages for a CT dialog; empty until loaded, and on failure.
import { useLoaded } from '../guests/use-loaded';
import { loadCtStorageChoices, type CtStorageChoices } from './actions';

const NONE: CtStorageChoices = { templateStores: [], diskStores: [], templates: {} };

export function useCtStorageChoices(nodeKey: string): CtStorageChoices {
  return useLoaded(nodeKey, loadCtStorageChoices, NONE);
}
