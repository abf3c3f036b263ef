// The Hardware tab: every device as a row, pending values in a distinct colour beside the current ones; Add,
// Edit, Remove, Resize, Move and Revert. Every change names the digest the page read.
import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import AddRounded from '@mui/icons-material/AddRounded';
import { useT } from '../../i18n/use-t';
import { PendingRow } from '../guests/pending-row';
import { moveDisk, resizeDisk, setVmConfig } from './actions';
import { hardwareLabel, hardwareValue } from './hardware-format';
import { hardwareRows, rowCapabilities, splitPending, type HardwareRow } from './hardware-rows';
import { HardwareDialog, type HardwareDialogState, type HardwareSubmit } from './hardware-dialogs';
import { scsiControllers, type WizardValues } from './vm-form';
import type { VmTabProps } from './vm-tab-props';

export function VmHardware({ nodeKey, vmid, data }: VmTabProps) {
  const t = useT();
  const rows = useMemo(() => hardwareRows(data.pending), [data.pending]);
  const taken = useMemo(() => data.pending.map((e) => e.key), [data.pending]);
  const scsihw = useMemo(() => {
    const value = splitPending(data.pending).next.scsihw;
    return (scsiControllers as readonly string[]).includes(String(value)) ? (value as WizardValues['scsihw']) : 'lsi';
  }, [data.pending]);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<HardwareDialogState | null>(null);
  const [addMenu, setAddMenu] = useState<HTMLElement | null>(null);
  const row = rows.find((r) => r.id === selected);
  const can = rowCapabilities(row);

  const change = async (params: { config?: Record<string, string | number>; delete?: string[]; revert?: string[] }) => {
    if (data.digest === undefined) return;
    await setVmConfig(nodeKey, { vmid, digest: data.digest, ...params });
    data.reload();
  };
  const submit = async (s: HardwareSubmit) => {
    switch (s.kind) {
      case 'set':
        await change({ config: s.config, delete: s.delete });
        return;
      case 'resize':
        await resizeDisk(nodeKey, { vmid, disk: s.disk, size: s.size });
        return;
      case 'move': {
        const { kind: _kind, ...params } = s;
        await moveDisk(nodeKey, { vmid, ...params });
        return;
      }
    }
  };

  return (
    <Box data-testid="vm-hardware">
      <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mb: 1 }}>
        <Button size="small" startIcon={<AddRounded />} onClick={(e) => setAddMenu(e.currentTarget)} data-testid="vm-hw-add">
          {t('vm.hw.add')}
        </Button>
        <Menu open={addMenu !== null} anchorEl={addMenu} onClose={() => setAddMenu(null)}>
          {(['add-disk', 'add-net', 'add-cdrom'] as const).map((kind) => (
            <MenuItem
              key={kind}
              data-testid={`vm-hw-${kind}`}
              onClick={() => {
                setAddMenu(null);
                setDialog({ kind });
              }}
            >
              {t(kind === 'add-disk' ? 'vm.hw.addDisk' : kind === 'add-net' ? 'vm.hw.addNet' : 'vm.hw.addCdrom')}
            </MenuItem>
          ))}
        </Menu>
        <Button size="small" disabled={!can.edit} onClick={() => row && setDialog({ kind: 'edit', row })} data-testid="vm-hw-edit">
          {t('vm.hw.edit')}
        </Button>
        <Button size="small" disabled={!can.remove} onClick={() => row && void change({ delete: [row.id] })} data-testid="vm-hw-remove">
          {t('vm.hw.remove')}
        </Button>
        <Button size="small" disabled={!can.resize} onClick={() => row && setDialog({ kind: 'resize', row })} data-testid="vm-hw-resize">
          {t('vm.hw.resize')}
        </Button>
        <Button size="small" disabled={!can.move} onClick={() => row && setDialog({ kind: 'move', row })} data-testid="vm-hw-move">
          {t('vm.hw.move')}
        </Button>
        <Button size="small" disabled={!can.revert} onClick={() => row && void change({ revert: [...row.keys] })} data-testid="vm-hw-revert">
          {t('vm.hw.revert')}
        </Button>
      </Box>
      <Box role="table" sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }}>
        {rows.map((r) => (
          <HardwareRowView key={r.id} row={r} selected={r.id === selected} onSelect={() => setSelected(r.id)} />
        ))}
      </Box>
      {dialog && (
        <HardwareDialog
          nodeKey={nodeKey}
          state={dialog}
          taken={taken}
          scsihw={scsihw}
          onSubmit={(s) => void submit(s)}
          onClose={() => setDialog(null)}
        />
      )}
    </Box>
  );
}

function HardwareRowView({ row, selected, onSelect }: { row: HardwareRow; selected: boolean; onSelect: () => void }) {
  const t = useT();
  return (
    <PendingRow
      label={hardwareLabel(row, t)}
      now={hardwareValue(row.kind, row.id, row.current, t)}
      pending={row.pending === undefined ? undefined : hardwareValue(row.kind, row.id, row.pending, t)}
      deleting={row.deleting}
      selected={selected}
      onSelect={onSelect}
      testId={`vm-hw-row-${row.id}`}
      pendingTestId={`vm-hw-pending-${row.id}`}
    />
  );
}
