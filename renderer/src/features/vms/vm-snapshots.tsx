// The Snapshots tab: the snapshot tree with NOW under the snapshot the current state descends from; take,
// roll back to and delete snapshots (the last two ask first). Reloads when one of this VM's tasks ends.
import { useEffect, useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import type { Result } from '../../../../node-agent/src/api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useT } from '../../i18n/use-t';
import { deleteSnapshot, rollbackSnapshot, vmSnapshots } from './actions';
import { buildSnapshotTree, flattenSnapshotTree, NOW } from './snapshot-tree';
import { SnapshotTreeView } from './snapshot-tree-view';
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
      <SnapshotTreeView rows={rows} selected={selected} onSelect={setSelected} prefix="vm" />
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
