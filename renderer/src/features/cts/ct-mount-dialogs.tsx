// The Resources tab's volume dialogs: add or edit a mount point (a new storage volume or a bind mount of a host
// directory, with its options), edit the root disk's options, and resize a volume. Their rules are ct-mount-form.ts;
// the tab makes the call (ct.set with the digest it read, or ct.resize).
import { useState } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { formatBytes } from '../../i18n/format';
import { useLanguage, useT } from '../../i18n/use-t';
import { FormDialog } from '../guests/form-dialog';
import { CheckInput, SelectInput, TextInput } from '../vms/form-fields';
import {
  mountOptionNames,
  mountSpec,
  resizeSize,
  validateMount,
  validateResize,
  type MountSource,
  type MountValues,
  type ResizeMode,
} from './ct-mount-form';
import { useCtStorageChoices } from './use-ct-storage-choices';

const grid = { display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', columnGap: 2, rowGap: 0.5 } as const;

/** `adding`: a new mpN (storage and size, or a host path); otherwise the volume stays and its options change. */
export function CtMountDialog(p: {
  nodeKey: string;
  mountKey: string;
  initial: MountValues;
  adding: boolean;
  onSave: (spec: string) => void;
  onClose: () => void;
}) {
  const t = useT();
  const choices = useCtStorageChoices(p.nodeKey);
  const [edits, setEdits] = useState(p.initial);
  // The first storage until one is picked.
  const v = { ...edits, storage: edits.storage === '' ? (choices.diskStores[0]?.id ?? '') : edits.storage };
  const set = (patch: Partial<MountValues>) => setEdits({ ...v, ...patch });
  const errors = validateMount(v, p.mountKey);
  const rootfs = p.mountKey === 'rootfs';
  const bind = v.source === 'bind';
  return (
    <FormDialog
      title={t(p.adding ? 'ct.mount.addTitle' : 'vm.hw.editTitle', { key: p.mountKey })}
      testId="ct-mount-dialog"
      maxWidth="sm"
      submitLabel={t('vm.ok')}
      submitTestId="ct-mount-save"
      submitDisabled={Object.keys(errors).length > 0}
      onSubmit={() => p.onSave(mountSpec(v, p.mountKey))}
      onClose={p.onClose}
    >
      <Box sx={{ ...grid, pt: 1 }}>
        {p.adding ? (
          <SelectInput<MountSource>
            label={t('ct.mount.source')}
            value={v.source}
            options={[
              { value: 'volume', label: t('ct.mount.sourceVolume') },
              { value: 'bind', label: t('ct.mount.sourceBind') },
            ]}
            onChange={(source) => set({ source })}
            testId="ct-mount-source"
          />
        ) : (
          <TextInput
            label={t('ct.mount.volume')}
            value={v.volume}
            onChange={() => undefined}
            testId="ct-mount-volume"
            disabled
          />
        )}
        {rootfs ? (
          <Box />
        ) : (
          <TextInput
            label={t('ct.res.mpPath')}
            value={v.path}
            onChange={(path) => set({ path })}
            testId="ct-mount-path"
            error={errors.path}
            placeholder="/mnt/data"
          />
        )}
        {p.adding && !bind && (
          <>
            <SelectInput
              label={t('vmForm.storage')}
              value={v.storage}
              options={choices.diskStores.map((s) => ({ value: s.id, label: `${s.id} (${s.type})` }))}
              onChange={(storage) => set({ storage })}
              testId="ct-mount-storage"
              error={errors.storage}
            />
            <TextInput
              label={t('vmForm.sizeGiB')}
              value={v.sizeGiB}
              onChange={(sizeGiB) => set({ sizeGiB })}
              testId="ct-mount-size"
              error={errors.sizeGiB}
            />
          </>
        )}
        {p.adding && bind && (
          <TextInput
            label={t('ct.mount.hostPath')}
            value={v.hostPath}
            onChange={(hostPath) => set({ hostPath })}
            testId="ct-mount-host-path"
            error={errors.hostPath}
            placeholder="/srv/share"
          />
        )}
        <SelectInput<MountValues['acl']>
          label={t('ct.mount.acl')}
          value={v.acl}
          options={[
            { value: '', label: t('vm.hw.default') },
            { value: '1', label: t('storage.yes') },
            { value: '0', label: t('storage.no') },
          ]}
          onChange={(acl) => set({ acl })}
          testId="ct-mount-acl"
        />
      </Box>
      <Box sx={{ display: 'flex', flexWrap: 'wrap' }}>
        <CheckInput label={t('ct.mount.ro')} checked={v.ro} onChange={(ro) => set({ ro })} testId="ct-mount-ro" />
        {!rootfs && !bind && (
          <CheckInput
            label={t('ct.mount.backup')}
            checked={v.backup}
            onChange={(backup) => set({ backup })}
            testId="ct-mount-backup"
          />
        )}
        <CheckInput
          label={t('ct.mount.quota')}
          checked={v.quota}
          onChange={(quota) => set({ quota })}
          testId="ct-mount-quota"
        />
        <CheckInput
          label={t('ct.mount.replicate')}
          checked={v.replicate}
          onChange={(replicate) => set({ replicate })}
          testId="ct-mount-replicate"
        />
        <CheckInput
          label={t('ct.mount.shared')}
          checked={v.shared}
          onChange={(shared) => set({ shared })}
          testId="ct-mount-shared"
        />
      </Box>
      <Typography variant="caption" color="text.secondary">
        {t('ct.mount.options')}
      </Typography>
      <Box sx={{ display: 'flex', flexWrap: 'wrap' }}>
        {mountOptionNames.map((name) => (
          <CheckInput
            key={name}
            label={name}
            checked={v.mountoptions.includes(name)}
            onChange={(checked) =>
              set({ mountoptions: checked ? [...v.mountoptions, name] : v.mountoptions.filter((m) => m !== name) })
            }
            testId={`ct-mount-opt-${name}`}
          />
        ))}
      </Box>
    </FormDialog>
  );
}

/** Grow rootfs or mpN: by some GiB, or to a new size larger than now. */
export function CtResizeDialog(p: {
  mountKey: string;
  currentGiB: number | undefined;
  onSave: (size: string) => void;
  onClose: () => void;
}) {
  const t = useT();
  const language = useLanguage();
  const [mode, setMode] = useState<ResizeMode>('grow');
  const [sizeGiB, setSizeGiB] = useState('1');
  const error = validateResize({ mode, sizeGiB }, p.currentGiB);
  return (
    <FormDialog
      title={t('vm.hw.resizeTitle', { key: p.mountKey })}
      testId="ct-resize-dialog"
      submitLabel={t('vm.hw.resize')}
      submitTestId="ct-resize-save"
      submitDisabled={error !== undefined}
      onSubmit={() => p.onSave(resizeSize({ mode, sizeGiB }))}
      onClose={p.onClose}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', pt: 1 }}>
        <Typography variant="body2" sx={{ mb: 1.5 }} data-testid="ct-resize-current">
          {t('ct.resize.current', {
            size: p.currentGiB === undefined ? '—' : formatBytes(p.currentGiB * 1024 ** 3, language),
          })}
        </Typography>
        <SelectInput<ResizeMode>
          label={t('ct.resize.mode')}
          value={mode}
          options={[
            { value: 'grow', label: t('ct.resize.grow') },
            { value: 'set', label: t('ct.resize.set') },
          ]}
          onChange={setMode}
          testId="ct-resize-mode"
        />
        <TextInput
          label={t('vmForm.sizeGiB')}
          value={sizeGiB}
          onChange={setSizeGiB}
          testId="ct-resize-size"
          error={error}
          helper={t('ct.resize.neverSmaller')}
          autoFocus
        />
      </Box>
    </FormDialog>
  );
}
