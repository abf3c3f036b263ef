// A list of config keys with their current and pending values and an Edit dialog per key: the Options and
// Cloud-init tabs. Changes go through vm.set with the digest the page read.
import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import type { MessageKey } from '../../i18n/translate';
import { useT } from '../../i18n/use-t';
import { FormDialog } from '../guests/form-dialog';
import { setVmConfig } from './actions';
import { CheckInput, TextInput } from './form-fields';
import { splitPending } from './hardware-rows';
import type { VmTabProps } from './vm-tab-props';
import type { VmData } from './use-vm-data';

/** The change call: vm.set by default; the container page passes ct.set. */
export type SetGuestConfig = (
  nodeKey: string,
  params: { vmid: number; digest: string; config?: Record<string, string | number>; delete?: string[] },
) => Promise<unknown>;

export interface KeySpec {
  key: string;
  label: MessageKey;
  kind: 'text' | 'flag' | 'secret' | 'multiline';
  /** Stored form ↔ edited form (sshkeys are URL-encoded in the config). */
  decode?: (stored: string) => string;
  encode?: (edited: string) => string;
}

export function ConfigKeyList({
  specs,
  nodeKey,
  vmid,
  data,
  testId,
  setConfig = setVmConfig,
}: Omit<VmTabProps, 'guestKey' | 'data'> & {
  data: Pick<VmData, 'pending' | 'digest' | 'reload'>;
  specs: readonly KeySpec[];
  testId: string;
  setConfig?: SetGuestConfig;
}) {
  const t = useT();
  const { now, next } = splitPending(data.pending);
  const [editing, setEditing] = useState<KeySpec | null>(null);
  const show = (spec: KeySpec, value: string | number | undefined): string => {
    if (value === undefined) return '—';
    if (spec.kind === 'flag') return t(Number(value) === 1 ? 'storage.yes' : 'storage.no');
    if (spec.kind === 'secret') return '••••••';
    return spec.decode ? spec.decode(String(value)) : String(value);
  };
  return (
    <Box role="table" sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }} data-testid={testId}>
      {specs.map((spec) => {
        const pending = now[spec.key] !== next[spec.key];
        return (
          <Box key={spec.key} role="row" data-testid={`vm-key-${spec.key}`} data-pending={pending} sx={{ display: 'grid', gridTemplateColumns: '220px 1fr auto', gap: 2, px: 1.5, py: 0.75, alignItems: 'center', borderBottom: 1, borderColor: 'divider', '&:last-of-type': { borderBottom: 0 } }}>
            <Typography variant="body2" sx={{ fontWeight: 500 }}>
              {t(spec.label)}
            </Typography>
            <Box sx={{ minWidth: 0 }}>
              <Typography variant="body2" sx={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
                {show(spec, now[spec.key])}
              </Typography>
              {pending && (
                <Typography variant="body2" color="warning.main" sx={{ wordBreak: 'break-all' }}>
                  {next[spec.key] === undefined ? t('vm.hw.pendingDelete') : t('vm.hw.pendingValue', { value: show(spec, next[spec.key]) })}
                </Typography>
              )}
            </Box>
            <Button size="small" onClick={() => setEditing(spec)} disabled={data.digest === undefined} data-testid={`vm-key-${spec.key}-edit`}>
              {t('vm.hw.edit')}
            </Button>
          </Box>
        );
      })}
      {editing && (
        <KeyEditor
          spec={editing}
          initial={next[editing.key]}
          onClose={() => setEditing(null)}
          onSave={async (value) => {
            if (data.digest === undefined) return;
            const params = value === undefined ? { delete: [editing.key] } : { config: { [editing.key]: value } };
            await setConfig(nodeKey, { vmid, digest: data.digest, ...params });
            data.reload();
          }}
        />
      )}
    </Box>
  );
}

function KeyEditor({ spec, initial, onClose, onSave }: { spec: KeySpec; initial: string | number | undefined; onClose: () => void; onSave: (value: string | number | undefined) => Promise<void> }) {
  const t = useT();
  const start = initial === undefined ? '' : spec.decode ? spec.decode(String(initial)) : String(initial);
  const [text, setText] = useState(spec.kind === 'secret' ? '' : start);
  const [flag, setFlag] = useState(Number(initial ?? 0) === 1);
  const value = (): string | number | undefined => {
    if (spec.kind === 'flag') return flag ? 1 : 0;
    const trimmed = spec.kind === 'multiline' ? text.trim() : text.trim();
    if (trimmed === '') return undefined;
    return spec.encode ? spec.encode(trimmed) : trimmed;
  };
  return (
    <FormDialog
      title={t('vm.hw.editTitle', { key: spec.key })}
      testId="vm-key-dialog"
      maxWidth="sm"
      contentSx={{ pt: '8px !important' }}
      submitLabel={t('vm.ok')}
      submitTestId="vm-key-save"
      onSubmit={() => {
        void onSave(value());
      }}
      onClose={onClose}
    >
        {spec.kind === 'flag' ? (
          <CheckInput label={t(spec.label)} checked={flag} onChange={setFlag} testId={`vm-key-input-${spec.key}`} />
        ) : (
          <Box sx={{ display: 'flex', flexDirection: 'column' }}>
            <TextInput label={t(spec.label)} value={text} onChange={setText} type={spec.kind === 'secret' ? 'password' : 'text'} multiline={spec.kind === 'multiline'} testId={`vm-key-input-${spec.key}`} helper={t('vm.emptyDeletes')} />
          </Box>
        )}
    </FormDialog>
  );
}
