// The node page's tab, kept in the terminals store so the `node.shell` command can turn it to Shell. Turning to
// Shell with no shell open on the node opens one, as PVE's node Shell page does.
import { useCallback } from 'react';
import { openNodeShellTab } from './actions';
import { setNodeTab, terminalsStore, useTerminals } from './terminal-store';

export const useNodePageTab = (nodeKey: string): [string, (tab: string) => void] => {
  const tab = useTerminals((s) => s.nodeTabs[nodeKey] ?? 'summary');
  const set = useCallback(
    (next: string) => {
      if (next === 'shell' && !terminalsStore.getState().tabs.some((t) => t.nodeKey === nodeKey))
        openNodeShellTab(nodeKey);
      setNodeTab(nodeKey, next);
    },
    [nodeKey],
  );
  return [tab, set];
};
