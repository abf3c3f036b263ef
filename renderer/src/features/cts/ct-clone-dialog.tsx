// The Clone dialog (PVE's Clone CT): the next free id suggested, hostname, full or linked (linked only from a
// template), and the storage a full clone's volumes go to. The fields' rules live in ct-clone-form.ts.
import { useState } from 'react';
import Box from '@mui/material/Box';
import { useT } from '../../i18n/use-t';
import { useGuest } from '../../store/selectors';
import { FormDialog } from '../guests/form-dialog';
import { useLoaded } from '../guests/use-loaded';
import { nextVmid } from '../vms/actions';
import { CheckInput, SelectInput, TextInput } from '../vms/form-fields';
import { cloneCt } from './actions';
import { emptyCtClone, toCtCloneParams, validateCtClone, type CtCloneValues } from './ct-clone-form';
import { useCtStorageChoices } from './use-ct-storage-choices';

export function CtCloneDialog({ guestKey, onClose }: { guestKey: string; onClose: () => void }) {
  const t = useT();
  const guest = useGuest(guestKey);
  const template = guest?.template === true;
  const suggested = useLoaded<number | undefined>(guest?.nodeKey, nextVmid, undefined);
  const choices = useCtStorageChoices(guest?.nodeKey ?? '');
  const [edits, setEdits] = useState<CtCloneValues>(() => emptyCtClone(template));
  if (guest === undefined) return null;
  // The suggestion fills the id until something is typed there.
  const values = { ...edits, newid: edits.newid === '' && suggested !== undefined ? String(suggested) : edits.newid };
  const set = (patch: Partial<CtCloneValues>) => setEdits({ ...values, ...patch });
  const errors = validateCtClone(values, { vmid: guest.vmid, template });
  return (
    <FormDialog
      title={t('ct.clone.title', { vmid: guest.vmid })}
      testId="ct-clone-dialog"
      submitLabel={t('cmd.ct.clone')}
      submitTestId="ct-clone-submit"
      submitDisabled={Object.keys(errors).length > 0}
      onSubmit={() => {
        void cloneCt(guest.nodeKey, toCtCloneParams(guest.vmid, values));
      }}
      onClose={onClose}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', pt: 1 }}>
        <TextInput
          label={t('ctForm.vmid')}
          value={values.newid}
          onChange={(newid) => set({ newid })}
          testId="ct-clone-newid"
          error={errors.newid}
        />
        <TextInput
          label={t('ctForm.hostname')}
          value={values.hostname}
          onChange={(hostname) => set({ hostname })}
          testId="ct-clone-hostname"
          error={errors.hostname}
          placeholder={guest.name}
        />
        <CheckInput
          label={t('ct.clone.full')}
          checked={values.full}
          onChange={(full) => set({ full })}
          testId="ct-clone-full"
          disabled={!template}
        />
        <SelectInput
          label={t('ct.clone.storage')}
          value={values.storage}
          options={[
            { value: '', label: t('ct.clone.sameStorage') },
            ...choices.diskStores.map((s) => ({ value: s.id, label: `${s.id} (${s.type})` })),
          ]}
          onChange={(storage) => set({ storage })}
          testId="ct-clone-storage"
          disabled={!values.full}
        />
      </Box>
    </FormDialog>
  );
}
