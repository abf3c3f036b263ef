// A guest's snapshot tree as an indented list (name, time, description) with NOW under the snapshot the current
// state descends from; one row is selectable. The VM's and the container's Snapshots tabs both show it.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { formatDateTime } from '../../i18n/format';
import { useT } from '../../i18n/use-t';
import { NOW, type SnapshotNode } from './snapshot-tree';

/** Test ids: `${prefix}-snap-now` and `${prefix}-snap-row-<name>`. */
export function SnapshotTreeView({
  rows,
  selected,
  onSelect,
  prefix,
}: {
  rows: readonly SnapshotNode[];
  selected: string | null;
  onSelect: (name: string) => void;
  prefix: string;
}) {
  const t = useT();
  return (
    <Box role="tree" sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }}>
      {rows.map((node) => {
        const now = node.name === NOW;
        return (
          <Box
            key={node.name}
            role="treeitem"
            aria-level={node.depth + 1}
            aria-selected={node.name === selected}
            onClick={() => onSelect(node.name)}
            data-testid={now ? `${prefix}-snap-now` : `${prefix}-snap-row-${node.name}`}
            sx={{
              display: 'grid',
              gridTemplateColumns: '1fr 170px 1fr',
              gap: 2,
              py: 0.5,
              pr: 1.5,
              pl: 1.5 + node.depth * 2.5,
              cursor: 'pointer',
              borderBottom: 1,
              borderColor: 'divider',
              bgcolor: node.name === selected ? 'action.selected' : undefined,
            }}
          >
            <Typography variant="body2" sx={{ fontWeight: now ? 600 : 400 }}>
              {now ? t('vm.snap.now') : node.name}
              {node.snapshot?.vmstate === true ? ` · ${t('vm.snap.withRam')}` : ''}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {node.snapshot?.snaptime === undefined ? '' : formatDateTime(node.snapshot.snaptime * 1000)}
            </Typography>
            <Typography variant="body2" color="text.secondary" noWrap>
              {now ? t('vm.snap.nowHint') : (node.snapshot?.description ?? '')}
            </Typography>
          </Box>
        );
      })}
    </Box>
  );
}
