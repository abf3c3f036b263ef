// Add or edit a storage definition: per-type fields, content limited to what the type can hold, validation as
// the person types, and the digest read passed back (a conflict says someone else changed storage.cfg).
import { useState, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import type { StorageEntry } from '../../../../node-agent/src/api';
import type { StorageType } from '../../../../node-agent/src/storage/plugin';
import { UiError } from '../../app-error';
import { useT } from '../../i18n/use-t';
import { appStore } from '../../store/store';
import { addStorage, setStorage } from './actions';
import { contentTabs } from './storage-format';
import {
  defaultContent,
  emptyStorageForm,
  formFromEntry,
  toChanges,
  toDefinition,
  typeCapabilities,
  typeFields,
  validateStorageForm,
  type StorageField,
  type StorageFormValues,
} from './storage-form';

const TYPES: readonly StorageType[] = ['dir', 'btrfs', 'lvm', 'lvmthin', 'zfspool'];

export function StorageFormDialog(props: {
  nodeKey: string;
  digest: string;
  storages: readonly StorageEntry[];
  /** The definition to edit; undefined adds a new one. */
  entry: StorageEntry | undefined;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT();
  const mode = props.entry === undefined ? 'add' : 'edit';
  const [values, setValues] = useState<StorageFormValues>(() =>
    props.entry === undefined ? emptyStorageForm('dir', defaultContent('dir')) : formFromEntry(props.entry),
  );
  const [touched, setTouched] = useState<Partial<Record<StorageField, true>>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UiError | null>(null);
  const caps = typeCapabilities(props.storages, values.type);
  const errors = validateStorageForm(values, {
    mode,
    takenIds: new Set(props.storages.map((s) => s.id)),
    allowedContent: caps.content,
  });
  const fields = typeFields[values.type];
  const update = (patch: Partial<StorageFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const shown = (field: StorageField) => (touched[field] === true ? errors[field] : undefined);

  const text = (
    field: 'id' | 'path' | 'vgname' | 'thinpool' | 'pool' | 'nodes' | 'pruneBackups' | 'blocksize',
    label: string,
    help?: string,
  ) => {
    const error = shown(field);
    return (
      <TextField
        label={label}
        size="small"
        value={values[field]}
        disabled={mode === 'edit' && ['id', 'path', 'vgname', 'thinpool', 'pool'].includes(field)}
        error={error !== undefined}
        helperText={error !== undefined ? t(error) : (help ?? ' ')}
        onChange={(event) => {
          update({ [field]: event.target.value });
          // Validation as you type: a field shows its error from its first keystroke on.
          setTouched((s) => ({ ...s, [field]: true }));
        }}
        slotProps={{
          htmlInput: {
            'data-testid': `storage-form-${field === 'pruneBackups' ? 'prune-backups' : field}`,
            spellCheck: false,
          },
        }}
      />
    );
  };
  const flag = (field: 'shared' | 'enable' | 'saferemove' | 'sparse', label: string) => (
    <FormControlLabel
      control={
        <Checkbox
          size="small"
          checked={values[field]}
          onChange={(event) => update({ [field]: event.target.checked })}
          slotProps={{ input: { 'data-testid': `storage-form-${field}` } as object }}
        />
      }
      label={label}
    />
  );

  const submit = async () => {
    setTouched(Object.fromEntries(Object.keys(values).map((k) => [k, true])));
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    setFailure(null);
    try {
      if (props.entry === undefined)
        await addStorage(props.nodeKey, { config: toDefinition(values), digest: props.digest });
      else
        await setStorage(props.nodeKey, {
          id: props.entry.id,
          ...toChanges(values, props.entry),
          digest: props.digest,
        });
      appStore.getState().pushNotice({ severity: 'success', key: 'dcStorage.saved', params: { storage: values.id } });
      appStore.getState().bumpStorageEpoch();
      props.onSaved();
      props.onClose();
    } catch (error) {
      setFailure(UiError.from(error));
    } finally {
      setBusy(false);
    }
  };

  const row = (children: ReactNode) => (
    <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 2 }}>{children}</Box>
  );
  return (
    <Dialog open onClose={props.onClose} maxWidth="sm" fullWidth data-testid="storage-form">
      <DialogTitle>
        {mode === 'add'
          ? t('storageForm.addTitle', { type: values.type })
          : t('storageForm.editTitle', { storage: values.id })}
      </DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 1, pt: '8px !important' }}>
        {row(
          <>
            {text('id', t('storageForm.id'))}
            <TextField
              select
              label={t('storageForm.type')}
              size="small"
              value={values.type}
              disabled={mode === 'edit'}
              helperText=" "
              onChange={(event) => {
                const type = event.target.value as StorageType;
                update({ type, content: defaultContent(type) });
              }}
              slotProps={{ select: { native: true }, htmlInput: { 'data-testid': 'storage-form-type' } }}
            >
              {TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </TextField>
          </>,
        )}
        {fields.includes('path') && text('path', t('storageForm.path'))}
        {fields.includes('vgname') &&
          row(
            <>
              {text('vgname', t('storageForm.vgname'))}
              {fields.includes('thinpool') ? text('thinpool', t('storageForm.thinpool')) : <span />}
            </>,
          )}
        {fields.includes('pool') &&
          row(
            <>
              {text('pool', t('storageForm.pool'))}
              {text('blocksize', t('storageForm.blocksize'), t('storageForm.blocksizeHelp'))}
            </>,
          )}
        <FormLabel sx={{ fontSize: 12 }}>{t('storageForm.content')}</FormLabel>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 1 }}>
          {contentTabs([...caps.content]).map((content) => (
            <FormControlLabel
              key={content}
              label={t(`content.${content}`)}
              control={
                <Checkbox
                  size="small"
                  checked={values.content.includes(content)}
                  onChange={(event) => {
                    update({
                      content: event.target.checked
                        ? [...values.content, content]
                        : values.content.filter((c) => c !== content),
                    });
                    setTouched((s) => ({ ...s, content: true }));
                  }}
                  slotProps={{ input: { 'data-testid': `storage-form-content-${content}` } as object }}
                />
              }
            />
          ))}
        </Box>
        {shown('content') !== undefined && (
          <FormHelperText error>{t(shown('content') ?? 'storageForm.invalid.content')}</FormHelperText>
        )}
        {text('nodes', t('storageForm.nodes'), t('storageForm.nodesHelp'))}
        {(fields.includes('format') || fields.includes('preallocation')) &&
          row(
            <>
              {fields.includes('format') ? (
                <TextField
                  select
                  size="small"
                  label={t('storageForm.format')}
                  value={values.format}
                  helperText=" "
                  slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
                  onChange={(event) => update({ format: event.target.value as StorageFormValues['format'] })}
                >
                  <MenuItem value="">{t('storageForm.preallocation.default')}</MenuItem>
                  {caps.formats.map((format) => (
                    <MenuItem key={format} value={format}>
                      {format}
                    </MenuItem>
                  ))}
                </TextField>
              ) : (
                <span />
              )}
              <TextField
                select
                size="small"
                label={t('storageForm.preallocation')}
                value={values.preallocation}
                helperText=" "
                slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
                onChange={(event) =>
                  update({ preallocation: event.target.value as StorageFormValues['preallocation'] })
                }
              >
                <MenuItem value="">{t('storageForm.preallocation.default')}</MenuItem>
                {(['off', 'metadata', 'falloc', 'full'] as const).map((value) => (
                  <MenuItem key={value} value={value}>
                    {value}
                  </MenuItem>
                ))}
              </TextField>
            </>,
          )}
        {fields.includes('pruneBackups') &&
          text('pruneBackups', t('storageForm.pruneBackups'), t('storageForm.pruneBackupsHelp'))}
        <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2 }}>
          {flag('enable', t('storageForm.enable'))}
          {fields.includes('shared') && flag('shared', t('storageForm.shared'))}
          {fields.includes('saferemove') && flag('saferemove', t('storageForm.saferemove'))}
          {fields.includes('sparse') && flag('sparse', t('storageForm.sparse'))}
        </Box>
        {failure && (
          <Alert severity="error" data-testid="storage-form-error" data-code={failure.code}>
            {failure.code === 'conflict'
              ? t('dcStorage.conflict')
              : t('common.labelValue', { label: t(`error.${failure.code}`), value: failure.message })}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
        <Button variant="contained" disabled={busy} onClick={() => void submit()} data-testid="storage-form-submit">
          {mode === 'add' ? t('storageForm.submitAdd') : t('storageForm.submitEdit')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
