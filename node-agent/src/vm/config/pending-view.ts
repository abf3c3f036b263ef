// The two views PVE derives from a config with [PENDING]: the per-key pending list (GET …/pending) and the
// config as it will be after the next start (GET …/config?current=0 shows pending values applied).
import { PENDING, currentOf, pendingDeletes, sectionOf, type VmConf } from './conf-document';

export interface PendingItem {
  key: string;
  value?: string;
  pending?: string;
  delete?: boolean;
}

/** Every key of the current config and of [PENDING], sorted: its value now, its pending value, a pending delete. */
export const pendingItems = (conf: VmConf): PendingItem[] => {
  const current = currentOf(conf).values;
  const pending = sectionOf(conf, PENDING)?.values ?? {};
  const deletes = new Set(pendingDeletes(conf).map((d) => d.key));
  const keys = new Set([...Object.keys(current), ...Object.keys(pending), ...deletes]);
  keys.delete('delete');
  return [...keys].sort().map((key) => ({
    key,
    ...(current[key] !== undefined && { value: current[key] }),
    ...(pending[key] !== undefined && { pending: pending[key] }),
    ...(deletes.has(key) && { delete: true }),
  }));
};

/** The current values with the pending ones applied (what the next start will run). */
export const withPending = (conf: VmConf): Record<string, string> => {
  const values: Record<string, string> = { ...currentOf(conf).values };
  for (const [key, value] of Object.entries(sectionOf(conf, PENDING)?.values ?? {}))
    if (key !== 'delete') values[key] = value;
  for (const { key } of pendingDeletes(conf)) delete values[key];
  return values;
};
