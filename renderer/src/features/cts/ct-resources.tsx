// The Resources tab: memory, swap, cores, CPU limit, root disk and mount points with pending values beside the
// current ones; Add mount point, Edit, Remove, Revert. Every change is ct.set with the digest the page read (a
// stale one gets the conflict notice and a reload).
import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import AddRounded from '@mui/icons-material/AddRounded';
import { useT } from '../../i18n/use-t';
import { FormDialog } from '../guests/form-dialog';
import { PendingRow } from '../guests/pending-row';
import { freeKey } from '../vms/hardware-rows';
import { SelectInput, TextInput } from '../vms/form-fields';
import { setCtConfig, type CtStorageChoices } from './actions';
import { ctResourceRows, ctResourceValue, ctRowCapabilities, type CtResourceRow } from './ct-resource-rows';
import { useCtStorageChoices } from './use-ct-storage-choices';
import type { CtTabProps } from './use-ct-data';

type Change = { config?: Record<string, string | number>; delete?: string[]; revert?: string[] };

export function CtResources({ nodeKey, vmid, data }: CtTabProps) {
  const t = useT();
  const rows = useMemo(() => ctResourceRows(data.pending), [data.pending]);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ kind: 'edit'; row: CtResourceRow } | { kind: 'add-mp' } | null>(null);
  const row = rows.find((r) => r.key === selected);
  const can = ctRowCapabilities(row);
  const change = async (params: Change) => {
    if (data.digest === undefined) return;
    await setCtConfig(nodeKey, { vmid, digest: data.digest, ...params });
    data.reload();
  };
  const label = (r: CtResourceRow) =>
    r.kind === 'mp' || r.kind === 'unused' ? `${t(`ct.res.${r.kind}`)} (${r.key})` : t(`ct.res.${r.kind}`);
  return (
    <Box data-testid="ct-resources">
      <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mb: 1 }}>
        <Button
          size="small"
          startIcon={<AddRounded />}
          onClick={() => setDialog({ kind: 'add-mp' })}
          disabled={data.digest === undefined}
          data-testid="ct-res-add-mp"
        >
          {t('ct.res.addMp')}
        </Button>
        <Button
          size="small"
          disabled={!can.edit}
          onClick={() => row && setDialog({ kind: 'edit', row })}
          data-testid="ct-res-edit"
        >
          {t('vm.hw.edit')}
        </Button>
        <Button
          size="small"
          disabled={!can.remove}
          onClick={() => row && void change({ delete: [row.key] })}
          data-testid="ct-res-remove"
        >
          {t('vm.hw.remove')}
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
            now={ctResourceValue(r.kind, r.current, t)}
            pending={r.pending === undefined ? undefined : ctResourceValue(r.kind, r.pending, t)}
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
          onSave={(value) =>
            void change(
              value === ''
                ? { delete: [dialog.row.key] }
                : { config: { [dialog.row.key]: /^\d+$/.test(value) ? Number(value) : value } },
            )
          }
        />
      )}
      {dialog?.kind === 'add-mp' && (
        <AddMountPointDialog
          nodeKey={nodeKey}
          taken={data.pending.map((e) => e.key)}
          onClose={() => setDialog(null)}
          onSave={(key, spec) => void change({ config: { [key]: spec } })}
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

/** A new volume as a mount point: `mpN: STORAGE:SIZE_GiB,mp=/path` (the agent allocates it). */
function AddMountPointDialog({
  nodeKey,
  taken,
  onClose,
  onSave,
}: {
  nodeKey: string;
  taken: readonly string[];
  onClose: () => void;
  onSave: (key: string, spec: string) => void;
}) {
  const t = useT();
  const choices: CtStorageChoices = useCtStorageChoices(nodeKey);
  const [storage, setStorage] = useState('');
  const [size, setSize] = useState('8');
  const [path, setPath] = useState('/mnt/data');
  const store = storage === '' ? (choices.diskStores[0]?.id ?? '') : storage;
  const key = freeKey('mp', taken, 256);
  const ok =
    key !== undefined && store !== '' && /^\d+$/.test(size) && Number(size) > 0 && /^\/\S*$/.test(path) && path !== '/';
  return (
    <FormDialog
      title={t('ct.res.addMp')}
      testId="ct-res-dialog"
      submitLabel={t('vm.ok')}
      submitTestId="ct-res-save"
      submitDisabled={!ok}
      onSubmit={() => {
        if (key !== undefined) onSave(key, `${store}:${Number(size)},mp=${path}`);
      }}
      onClose={onClose}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', pt: 1 }}>
        <SelectInput
          label={t('vmForm.storage')}
          value={store}
          options={choices.diskStores.map((s) => ({ value: s.id, label: s.id }))}
          onChange={setStorage}
          testId="ct-res-mp-storage"
        />
        <TextInput label={t('vmForm.sizeGiB')} value={size} onChange={setSize} testId="ct-res-mp-size" />
        <TextInput label={t('ct.res.mpPath')} value={path} onChange={setPath} testId="ct-res-mp-path" />
      </Box>
    </FormDialog>
  );
}
