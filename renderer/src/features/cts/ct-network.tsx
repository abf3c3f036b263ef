// The Network tab: one row per netN with pending values beside the current ones; Add, Edit, Remove, Revert, each a
// ct.set with the digest the page read. The dialog is the wizard's network fields (net-fields.tsx).
import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import AddRounded from '@mui/icons-material/AddRounded';
import { useT } from '../../i18n/use-t';
import { FormDialog } from '../guests/form-dialog';
import { PendingRow } from '../guests/pending-row';
import { freeKey, splitPending } from '../vms/hardware-rows';
import { setCtConfig } from './actions';
import { netSpec, netValues, newNet, validateNet, type NetValues } from './ct-net-form';
import { NetFields } from './net-fields';
import type { CtTabProps } from './use-ct-data';

const NET = /^net\d+$/;

export function CtNetwork({ nodeKey, vmid, data }: CtTabProps) {
  const t = useT();
  const { now, next } = useMemo(() => splitPending(data.pending), [data.pending]);
  const keys = useMemo(
    () =>
      [...new Set([...Object.keys(now), ...Object.keys(next)])]
        .filter((k) => NET.test(k))
        .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))),
    [now, next],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ key: string; value: NetValues } | null>(null);
  const row = selected !== null && keys.includes(selected) ? selected : null;
  const deleting = row !== null && now[row] !== undefined && next[row] === undefined;
  const pending = row !== null && now[row] !== next[row];
  const change = async (params: { config?: Record<string, string>; delete?: string[]; revert?: string[] }) => {
    if (data.digest === undefined) return;
    await setCtConfig(nodeKey, { vmid, digest: data.digest, ...params });
    data.reload();
  };
  const add = () => {
    const key = freeKey('net', keys, 32);
    if (key !== undefined) setEditing({ key, value: newNet(`eth${key.slice(3)}`) });
  };
  return (
    <Box data-testid="ct-network">
      <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mb: 1 }}>
        <Button
          size="small"
          startIcon={<AddRounded />}
          onClick={add}
          disabled={data.digest === undefined}
          data-testid="ct-net-add"
        >
          {t('vm.hw.add')}
        </Button>
        <Button
          size="small"
          disabled={row === null || deleting}
          onClick={() =>
            row !== null && setEditing({ key: row, value: netValues(String(next[row] ?? now[row] ?? '')) })
          }
          data-testid="ct-net-edit"
        >
          {t('vm.hw.edit')}
        </Button>
        <Button
          size="small"
          disabled={row === null || deleting}
          onClick={() => row !== null && void change({ delete: [row] })}
          data-testid="ct-net-remove"
        >
          {t('vm.hw.remove')}
        </Button>
        <Button
          size="small"
          disabled={!pending}
          onClick={() => row !== null && void change({ revert: [row] })}
          data-testid="ct-net-revert"
        >
          {t('vm.hw.revert')}
        </Button>
      </Box>
      <Box role="table" sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }}>
        {keys.length === 0 && <Box sx={{ p: 1.5, color: 'text.secondary' }}>{t('ct.net.none')}</Box>}
        {keys.map((key) => {
          const gone = now[key] !== undefined && next[key] === undefined;
          return (
            <PendingRow
              key={key}
              label={`${t('vm.hw.net')} (${key})`}
              now={String(now[key] ?? '')}
              pending={gone || now[key] === next[key] ? undefined : String(next[key] ?? '')}
              deleting={gone}
              selected={key === row}
              onSelect={() => setSelected(key)}
              testId={`ct-net-row-${key}`}
            />
          );
        })}
      </Box>
      {editing && (
        <NetDialog
          state={editing}
          onClose={() => setEditing(null)}
          onSave={(spec) => void change({ config: { [editing.key]: spec } })}
        />
      )}
    </Box>
  );
}

function NetDialog({
  state,
  onClose,
  onSave,
}: {
  state: { key: string; value: NetValues };
  onClose: () => void;
  onSave: (spec: string) => void;
}) {
  const t = useT();
  const [value, setValue] = useState(state.value);
  const errors = validateNet(value);
  const ok = Object.keys(errors).length === 0;
  return (
    <FormDialog
      title={t('vm.hw.editTitle', { key: state.key })}
      testId="ct-net-dialog"
      maxWidth="sm"
      submitLabel={t('vm.ok')}
      submitTestId="ct-net-save"
      submitDisabled={!ok}
      onSubmit={() => {
        onSave(netSpec(value));
      }}
      onClose={onClose}
    >
      <Box sx={{ pt: 1 }}>
        <NetFields value={value} errors={errors} onChange={setValue} prefix="ct-net" />
      </Box>
    </FormDialog>
  );
}
