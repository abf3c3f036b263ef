// The resource tree: Datacenter → clusters → nodes → guests, virtualized so tens of thousands of rows scroll smoothly.
import { useCallback, useRef, useState, type KeyboardEvent } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useGuestTotals, useTreeRows, type TreeRow } from '../store/selectors';
import { appStore, useAppStore } from '../store/store';
import type { Selection } from '../store/ui-slice';
import { useT } from '../i18n/use-t';
import { useVirtualRows } from '../components/use-virtual-rows';
import { TreeRowView, TREE_ROW_HEIGHT } from './tree-row';
import { TreeContextMenu, type TreeMenuAnchor } from './tree-context-menu';

const rowOf = (selection: Selection): TreeRow => {
  switch (selection.kind) {
    case 'datacenter':
      return 'datacenter';
    case 'cluster':
      return `cluster:${selection.id}`;
    case 'node':
      return `node:${selection.key}`;
    case 'guest':
      return `guest:${selection.key}`;
    case 'storage':
      return `storage:${selection.key}`;
  }
};

const selectionOf = (row: TreeRow): Selection => {
  if (row === 'datacenter') return { kind: 'datacenter' };
  const colon = row.indexOf(':');
  const kind = row.slice(0, colon);
  const id = row.slice(colon + 1);
  switch (kind) {
    case 'cluster':
      return { kind: 'cluster', id };
    case 'guest':
      return { kind: 'guest', key: id };
    case 'storage':
      return { kind: 'storage', key: id };
    default:
      return { kind: 'node', key: id };
  }
};

/** The id a row folds under (cluster id or node key), when it is a cluster or node row. */
const foldIdOf = (selection: Selection): string | undefined =>
  selection.kind === 'cluster' ? selection.id : selection.kind === 'node' ? selection.key : undefined;

export function ResourceTree() {
  const t = useT();
  const rows = useTreeRows();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [menu, setMenu] = useState<TreeMenuAnchor | null>(null);
  const virtualizer = useVirtualRows({
    count: rows.length,
    scrollRef,
    rowHeight: TREE_ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => rows[index] ?? index,
  });
  const openMenu = useCallback((anchor: TreeMenuAnchor) => setMenu(anchor), []);
  const nodeCount = useAppStore((s) => Object.keys(s.nodes).length);
  const guestCount = useGuestTotals().total;

  // Arrow keys walk the rows and fold clusters, like a file tree.
  const onKeyDown = (event: KeyboardEvent) => {
    const state = appStore.getState();
    const current = rows.indexOf(rowOf(state.selection));
    let next = current;
    if (event.key === 'ArrowDown') next = Math.min(rows.length - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = rows.length - 1;
    else if ((event.key === 'ArrowLeft' || event.key === 'ArrowRight') && foldIdOf(state.selection) !== undefined) {
      const id = foldIdOf(state.selection) ?? '';
      const folded = Boolean(state.collapsed[id]);
      if (folded === (event.key === 'ArrowRight')) state.toggleCollapsed(id);
    } else return;
    event.preventDefault();
    const row = rows[next];
    if (row !== undefined && next !== current) {
      state.select(selectionOf(row));
      virtualizer.scrollToIndex(next);
    }
  };

  return (
    <>
      <Box
        sx={{
          px: 1.5,
          py: 1,
          display: 'flex',
          alignItems: 'baseline',
          gap: 1,
          borderBottom: 1,
          borderColor: 'divider',
        }}
      >
        <Typography
          variant="subtitle2"
          sx={{ textTransform: 'uppercase', letterSpacing: 0.6, fontSize: 11, color: 'text.secondary' }}
        >
          {t('tree.title')}
        </Typography>
        <Typography variant="caption" color="text.disabled">
          {t('tree.nodeCount', { count: nodeCount })}
          {guestCount > 0 && ` · ${t('tree.guestCount', { count: guestCount })}`}
        </Typography>
      </Box>
      <Box
        ref={scrollRef}
        role="tree"
        aria-label={t('tree.title')}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="resource-tree"
        sx={{ flex: 1, overflow: 'auto', outline: 'none', py: 0.5 }}
      >
        <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            return row === undefined ? null : (
              <TreeRowView key={item.key} row={row} top={item.start} onContextMenu={openMenu} />
            );
          })}
        </Box>
        {nodeCount === 0 && (
          <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 1 }}>
            {t('tree.empty')}
          </Typography>
        )}
      </Box>
      <TreeContextMenu anchor={menu} onClose={() => setMenu(null)} />
    </>
  );
}
