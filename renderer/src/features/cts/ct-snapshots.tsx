// The Snapshots tab: the snapshot tree (shared with VMs) with NOW under the current state's snapshot; take, roll
// back to and delete (the last two ask first). Reloads when one of this container's tasks ends.
import { useEffect, useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import type { Result } from '../../../../node-agent/src/api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useT } from '../../i18n/use-t';
import { buildSnapshotTree, flattenSnapshotTree, NOW } from '../vms/snapshot-tree';
import { SnapshotTreeView } from '../vms/snapshot-tree-view';
import { useVmTasksEnded } from '../vms/use-vm-tasks';
import { ctSnapshots, deleteCtSnapshot, rollbackCtSnapshot } from './actions';
import { ctUiStore } from './ct-ui-store';
import type { CtTabProps } from './use-ct-data';

export function CtSnapshots({ guestKey, nodeKey, vmid }: CtTabProps) {
  const t = useT();
  // PVE's task id is the vmid for containers too.
  const ended = useVmTasksEnded(nodeKey, vmid);
  const [list, setList] = useState<Result<'ct.snapshots'> | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [ask, setAsk] = useState<'rollback' | 'delete' | null>(null);
  useEffect(() => {
    let cancelled = false;
    ctSnapshots(nodeKey, vmid)
      .then((r) => !cancelled && setList(r))
      .catch(() => !cancelled && setList({ snapshots: [] }));
    return () => {
      cancelled = true;
    };
  }, [nodeKey, vmid, ended]);
  const rows = useMemo(
    () => (list ? flattenSnapshotTree(buildSnapshotTree(list.snapshots, list.current)) : []),
    [list],
  );
  const chosen = selected !== null && selected !== NOW && rows.some((r) => r.name === selected) ? selected : null;
  return (
    <Box data-testid="ct-snapshots">
      <Box sx={{ display: 'flex', gap: 0.5, mb: 1 }}>
        <Button
          size="small"
          variant="contained"
          onClick={() => ctUiStore.getState().open({ kind: 'snapshot', guestKey })}
          data-testid="ct-snap-take"
        >
          {t('vm.snap.take')}
        </Button>
        <Button
          size="small"
          disabled={chosen === null}
          onClick={() => setAsk('rollback')}
          data-testid="ct-snap-rollback"
        >
          {t('vm.snap.rollback')}
        </Button>
        <Button
          size="small"
          color="error"
          disabled={chosen === null}
          onClick={() => setAsk('delete')}
          data-testid="ct-snap-delete"
        >
          {t('vm.snap.delete')}
        </Button>
      </Box>
      <SnapshotTreeView rows={rows} selected={selected} onSelect={setSelected} prefix="ct" />
      <ConfirmDialog
        open={ask !== null && chosen !== null}
        title={t(ask === 'delete' ? 'ct.snap.deleteTitle' : 'ct.snap.rollbackTitle', { name: chosen ?? '', vmid })}
        body={t(ask === 'delete' ? 'ct.snap.deleteBody' : 'ct.snap.rollbackBody', { name: chosen ?? '' })}
        confirm={t(ask === 'delete' ? 'vm.snap.delete' : 'vm.snap.rollback')}
        testId="ct-snap-confirm"
        onClose={() => setAsk(null)}
        onConfirm={() => {
          if (chosen === null) return;
          void (ask === 'delete' ? deleteCtSnapshot(nodeKey, vmid, chosen) : rollbackCtSnapshot(nodeKey, vmid, chosen));
        }}
      />
    </Box>
  );
}
