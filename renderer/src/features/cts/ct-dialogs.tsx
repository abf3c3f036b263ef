// The container feature's dialogs, opened by commands through ct-ui-store: create wizard, confirmations for
// shutdown, reboot, stop, convert to template and destroy, take snapshot, and clone.
import { useState } from 'react';
import Box from '@mui/material/Box';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useT } from '../../i18n/use-t';
import { useGuest } from '../../store/selectors';
import { FormDialog } from '../guests/form-dialog';
import { TextInput } from '../vms/form-fields';
import { convertCtToTemplate, destroyCt, runCtPowerAction, takeCtSnapshot } from './actions';
import { CreateCtWizard } from './create-ct-wizard';
import { CtCloneDialog } from './ct-clone-dialog';
import { useCtUi, ctUiStore, type CtDialog } from './ct-ui-store';

export function CtDialogs() {
  const dialog = useCtUi((s) => s.dialog);
  const close = () => ctUiStore.getState().close();
  if (dialog === null) return null;
  switch (dialog.kind) {
    case 'create':
      return <CreateCtWizard nodeKey={dialog.nodeKey} onClose={close} />;
    case 'confirm':
      return <ConfirmCtAction dialog={dialog} onClose={close} />;
    case 'snapshot':
      return <CtSnapshotDialog guestKey={dialog.guestKey} onClose={close} />;
    case 'clone':
      return <CtCloneDialog guestKey={dialog.guestKey} onClose={close} />;
  }
}

function ConfirmCtAction({ dialog, onClose }: { dialog: Extract<CtDialog, { kind: 'confirm' }>; onClose: () => void }) {
  const t = useT();
  const guest = useGuest(dialog.guestKey);
  if (guest === undefined) return null;
  const { action } = dialog;
  const run = () => {
    if (action === 'destroy') void destroyCt(guest.nodeKey, guest.vmid);
    else if (action === 'template') void convertCtToTemplate(guest.nodeKey, guest.vmid);
    else void runCtPowerAction(guest.nodeKey, guest.vmid, action);
  };
  return (
    <ConfirmDialog
      open
      title={t(`ct.confirm.${action}.title`, { vmid: guest.vmid, name: guest.name })}
      body={t(`ct.confirm.${action}.body`, { vmid: guest.vmid, name: guest.name })}
      confirm={t(`cmd.ct.${action}`)}
      testId={`ct-confirm-${action}`}
      onConfirm={run}
      onClose={onClose}
    />
  );
}

const SNAPNAME = /^[a-zA-Z][a-zA-Z0-9_-]{1,39}$/;

function CtSnapshotDialog({ guestKey, onClose }: { guestKey: string; onClose: () => void }) {
  const t = useT();
  const guest = useGuest(guestKey);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  if (guest === undefined) return null;
  const valid = SNAPNAME.test(name);
  return (
    <FormDialog
      title={t('ct.snap.takeTitle', { vmid: guest.vmid })}
      testId="ct-snap-dialog"
      submitLabel={t('vm.snap.take')}
      submitTestId="ct-snap-submit"
      submitDisabled={!valid}
      onSubmit={() => {
        void takeCtSnapshot(guest.nodeKey, {
          vmid: guest.vmid,
          snapname: name,
          ...(description.trim() === '' ? {} : { description: description.trim() }),
        });
      }}
      onClose={onClose}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', pt: 1 }}>
        <TextInput
          label={t('vm.snap.name')}
          value={name}
          onChange={setName}
          testId="ct-snap-name"
          error={name !== '' && !valid ? 'vm.snap.invalidName' : undefined}
          autoFocus
        />
        <TextInput
          label={t('vm.snap.description')}
          value={description}
          onChange={setDescription}
          multiline
          testId="ct-snap-description"
        />
      </Box>
    </FormDialog>
  );
}
