// The Resources tab: memory, swap, cores, CPU limit, root disk and mount points (with their sizes), and unused
// volumes, pending values beside the current ones; Add mount point, Edit, Resize, Remove (the volume becomes
// unusedN), Delete unused, Revert. Config changes are ct.set with the digest the page read (a stale one gets the
// conflict notice and a reload); a resize is a ct.resize task, after which the tab reloads.
import { useEffect, useMemo, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import AddRounded from '@mui/icons-material/AddRounded';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useLanguage, useT } from '../../i18n/use-t';
import { FormDialog } from '../guests/form-dialog';
import { PendingRow } from '../guests/pending-row';
import { freeKey } from '../vms/hardware-rows';
import { TextInput } from '../vms/form-fields';
import { useVmTasksEnded } from '../vms/use-vm-tasks';
import { resizeCtVolume, setCtConfig } from './actions';
import { CtMountDialog, CtResizeDialog } from './ct-mount-dialogs';
import { isBindMount, mountSizeGiB, mountValues, newMount } from './ct-mount-form';
import { ctResourceRows, ctResourceValue, ctRowCapabilities, type CtResourceRow } from './ct-resource-rows';
import type { CtTabProps } from './use-ct-data';

type Change = { config?: Record<string, string | number>; delete?: string[]; revert?: string[] };
type Dialog =
  | { kind: 'edit'; row: CtResourceRow }
  | { kind: 'mount'; key: string; spec: string | undefined }
  | { kind: 'resize'; row: CtResourceRow }
  | { kind: 'remove'; row: CtResourceRow }
  | { kind: 'delete-unused'; row: CtResourceRow };

export function CtResources({ nodeKey, vmid, data }: CtTabProps) {
  const t = useT();
  const language = useLanguage();
  const rows = useMemo(() => ctResourceRows(data.pending), [data.pending]);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const row = rows.find((r) => r.key === selected);
  const can = ctRowCapabilities(row);
  // A resize (or any task of this container) may have changed a size: read the config again when one ends.
  const ended = useVmTasksEnded(nodeKey, vmid);
  const seen = useRef(ended);
  const { reload } = data;
  useEffect(() => {
    if (ended === seen.current) return;
    seen.current = ended;
    reload();
  }, [ended, reload]);
  const change = async (params: Change) => {
    if (data.digest === undefined) return;
    await setCtConfig(nodeKey, { vmid, digest: data.digest, ...params });
    data.reload();
  };
  const label = (r: CtResourceRow) =>
    r.kind === 'mp' || r.kind === 'unused' ? `${t(`ct.res.${r.kind}`)} (${r.key})` : t(`ct.res.${r.kind}`);
  const value = (r: CtResourceRow) => String(r.pending ?? r.current ?? '');
  const edit = (r: CtResourceRow) =>
    setDialog(
      r.kind === 'rootfs' || r.kind === 'mp' ? { kind: 'mount', key: r.key, spec: value(r) } : { kind: 'edit', row: r },
    );
  const addMountPoint = () => {
    const key = freeKey(
      'mp',
      data.pending.map((e) => e.key),
      256,
    );
    if (key !== undefined) setDialog({ kind: 'mount', key, spec: undefined });
  };
  return (
    <Box data-testid="ct-resources">
      <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mb: 1 }}>
        <Button
          size="small"
          startIcon={<AddRounded />}
          onClick={addMountPoint}
          disabled={data.digest === undefined}
          data-testid="ct-res-add-mp"
        >
          {t('ct.res.addMp')}
        </Button>
        <Button size="small" disabled={!can.edit} onClick={() => row && edit(row)} data-testid="ct-res-edit">
          {t('vm.hw.edit')}
        </Button>
        <Button
          size="small"
          disabled={!can.resize}
          onClick={() => row && setDialog({ kind: 'resize', row })}
          data-testid="ct-res-resize"
        >
          {t('vm.hw.resize')}
        </Button>
        <Button
          size="small"
          disabled={!can.remove}
          onClick={() => row && setDialog({ kind: 'remove', row })}
          data-testid="ct-res-remove"
        >
          {t('vm.hw.remove')}
        </Button>
        <Button
          size="small"
          color="error"
          disabled={!can.deleteUnused}
          onClick={() => row && setDialog({ kind: 'delete-unused', row })}
          data-testid="ct-res-delete-unused"
        >
          {t('ct.res.deleteUnused')}
        </Button>
        <Button
          size="small"
          disabled={!can.revert}
          onClick={() => row && void change({ revert: [row.key] })}
          data-testid="ct-res-revert"
        >
          {t('vm.hw.revert')}
        </Button>
      </Box>
      <Box role="table" sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }}>
        {rows.map((r) => (
          <PendingRow
            key={r.key}
            label={label(r)}
            now={ctResourceValue(r.kind, r.current, t, language)}
            pending={r.pending === undefined ? undefined : ctResourceValue(r.kind, r.pending, t, language)}
            deleting={r.deleting}
            selected={r.key === selected}
            onSelect={() => setSelected(r.key)}
            testId={`ct-res-row-${r.key}`}
          />
        ))}
      </Box>
      {dialog?.kind === 'edit' && (
        <EditValueDialog
          row={dialog.row}
          onClose={() => setDialog(null)}
          onSave={(text) =>
            void change(
              text === ''
                ? { delete: [dialog.row.key] }
                : { config: { [dialog.row.key]: /^\d+$/.test(text) ? Number(text) : text } },
            )
          }
        />
      )}
      {dialog?.kind === 'mount' && (
        <CtMountDialog
          nodeKey={nodeKey}
          mountKey={dialog.key}
          initial={dialog.spec === undefined ? newMount() : mountValues(dialog.spec)}
          adding={dialog.spec === undefined}
          onClose={() => setDialog(null)}
          onSave={(spec) => void change({ config: { [dialog.key]: spec } })}
        />
      )}
      {dialog?.kind === 'resize' && (
        <CtResizeDialog
          mountKey={dialog.row.key}
          currentGiB={mountSizeGiB(String(dialog.row.current ?? ''))}
          onClose={() => setDialog(null)}
          onSave={(size) => void resizeCtVolume(nodeKey, { vmid, disk: dialog.row.key, size })}
        />
      )}
      {(dialog?.kind === 'remove' || dialog?.kind === 'delete-unused') && (
        <ConfirmDialog
          open
          title={t(dialog.kind === 'remove' ? 'ct.res.removeTitle' : 'ct.res.deleteUnusedTitle', {
            key: dialog.row.key,
            vmid,
          })}
          body={t(
            dialog.kind === 'delete-unused'
              ? 'ct.res.deleteUnusedBody'
              : isBindMount(value(dialog.row))
                ? 'ct.res.removeBindBody'
                : 'ct.res.removeVolumeBody',
            { key: dialog.row.key, volume: value(dialog.row).split(',')[0] ?? '' },
          )}
          confirm={t(dialog.kind === 'remove' ? 'vm.hw.remove' : 'ct.res.deleteUnused')}
          testId={`ct-res-confirm-${dialog.kind}`}
          onClose={() => setDialog(null)}
          onConfirm={() => void change({ delete: [dialog.row.key] })}
        />
      )}
    </Box>
  );
}

function EditValueDialog({
  row,
  onClose,
  onSave,
}: {
  row: CtResourceRow;
  onClose: () => void;
  onSave: (value: string) => void;
}) {
  const t = useT();
  const [text, setText] = useState(String(row.pending ?? row.current ?? ''));
  return (
    <FormDialog
      title={t('vm.hw.editTitle', { key: row.key })}
      testId="ct-res-dialog"
      submitLabel={t('vm.ok')}
      submitTestId="ct-res-save"
      onSubmit={() => {
        onSave(text.trim());
      }}
      onClose={onClose}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', pt: 1 }}>
        <TextInput
          label={row.key}
          value={text}
          onChange={setText}
          testId={`ct-res-input-${row.key}`}
          helper={t('vm.emptyDeletes')}
          autoFocus
        />
      </Box>
    </FormDialog>
  );
}
