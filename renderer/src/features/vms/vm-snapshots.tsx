// The Snapshots tab: the snapshot tree with NOW under the snapshot the current state descends from; take,
// roll back to and delete snapshots (the last two ask first). Reloads when one of this VM's tasks ends.
import { useEffect, useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import type { Result } from '../../../../node-agent/src/api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { formatDateTime } from '../../i18n/format';
import { useT } from '../../i18n/use-t';
import { deleteSnapshot, rollbackSnapshot, vmSnapshots } from './actions';
import { buildSnapshotTree, flattenSnapshotTree, NOW } from './snapshot-tree';
import { useVmTasksEnded } from './use-vm-tasks';
import { vmUiStore } from './vm-ui-store';
import type { VmTabProps } from './vm-tab-props';

export function VmSnapshots({ guestKey, nodeKey, vmid }: VmTabProps) {
  const t = useT();
  const ended = useVmTasksEnded(nodeKey, vmid);
  const [list, setList] = useState<Result<'vm.snapshots'> | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [ask, setAsk] = useState<'rollback' | 'delete' | null>(null);
  useEffect(() => {
    let cancelled = false;
    vmSnapshots(nodeKey, vmid)
      .then((r) => !cancelled && setList(r))
      .catch(() => !cancelled && setList({ snapshots: [] }));
    return () => {
      cancelled = true;
    };
  }, [nodeKey, vmid, ended]);
  const rows = useMemo(() => (list ? flattenSnapshotTree(buildSnapshotTree(list.snapshots, list.current)) : []), [list]);
  const chosen = selected !== null && selected !== NOW && rows.some((r) => r.name === selected) ? selected : null;
  return (
    <Box data-testid="vm-snapshots">
      <Box sx={{ display: 'flex', gap: 0.5, mb: 1 }}>
        <Button size="small" variant="contained" onClick={() => vmUiStore.getState().open({ kind: 'snapshot', guestKey })} data-testid="vm-snap-take">
          {t('vm.snap.take')}
        </Button>
        <Button size="small" disabled={chosen === null} onClick={() => setAsk('rollback')} data-testid="vm-snap-rollback">
          {t('vm.snap.rollback')}
        </Button>
        <Button size="small" color="error" disabled={chosen === null} onClick={() => setAsk('delete')} data-testid="vm-snap-delete">
          {t('vm.snap.delete')}
        </Button>
      </Box>
      <Box role="tree" sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }}>
        {rows.map((node) => {
          const now = node.name === NOW;
          return (
            <Box
              key={node.name}
              role="treeitem"
              aria-level={node.depth + 1}
              aria-selected={node.name === selected}
              onClick={() => setSelected(node.name)}
              data-testid={now ? 'vm-snap-now' : `vm-snap-row-${node.name}`}
              sx={{ display: 'grid', gridTemplateColumns: '1fr 170px 1fr', gap: 2, py: 0.5, pr: 1.5, pl: 1.5 + node.depth * 2.5, cursor: 'pointer', borderBottom: 1, borderColor: 'divider', bgcolor: node.name === selected ? 'action.selected' : undefined }}
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
      <ConfirmDialog
        open={ask !== null && chosen !== null}
        title={t(ask === 'delete' ? 'vm.snap.deleteTitle' : 'vm.snap.rollbackTitle', { name: chosen ?? '', vmid })}
        body={t(ask === 'delete' ? 'vm.snap.deleteBody' : 'vm.snap.rollbackBody', { name: chosen ?? '' })}
        confirm={t(ask === 'delete' ? 'vm.snap.delete' : 'vm.snap.rollback')}
        testId="vm-snap-confirm"
        onClose={() => setAsk(null)}
        onConfirm={() => {
          if (chosen === null) return;
          void (ask === 'delete' ? deleteSnapshot(nodeKey, vmid, chosen) : rollbackSnapshot(nodeKey, vmid, chosen));
        }}
      />
    </Box>
  );
}
