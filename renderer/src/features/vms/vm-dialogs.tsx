// The VM feature's dialogs, opened by commands through vm-ui-store: create wizard, confirmations for destructive
// actions, take snapshot, clone, and the node's bulk start/shutdown/stop.
import { useEffect, useState } from 'react';
import Box from '@mui/material/Box';
import { useShallow } from 'zustand/react/shallow';
import type { GuestEntry } from '../../../../main/core/inventory-schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useT } from '../../i18n/use-t';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { FormDialog } from '../guests/form-dialog';
import { cloneVm, convertToTemplate, destroyVm, nextVmid, runBulkAction, runPowerAction, takeSnapshot } from './actions';
import { CreateVmWizard } from './create-vm-wizard';
import { CheckInput, TextInput } from './form-fields';
import { useVmUi, vmUiStore, type VmDialog } from './vm-ui-store';

export function VmDialogs() {
  const dialog = useVmUi((s) => s.dialog);
  const close = () => vmUiStore.getState().close();
  if (dialog === null) return null;
  switch (dialog.kind) {
    case 'create':
      return <CreateVmWizard nodeKey={dialog.nodeKey} onClose={close} />;
    case 'confirm':
      return <ConfirmAction dialog={dialog} onClose={close} />;
    case 'snapshot':
      return <SnapshotDialog guestKey={dialog.guestKey} onClose={close} />;
    case 'clone':
      return <CloneDialog guestKey={dialog.guestKey} onClose={close} />;
    case 'bulk':
      return <BulkDialog nodeKey={dialog.nodeKey} action={dialog.action} onClose={close} />;
  }
}

function ConfirmAction({ dialog, onClose }: { dialog: Extract<VmDialog, { kind: 'confirm' }>; onClose: () => void }) {
  const t = useT();
  const guest = useGuest(dialog.guestKey);
  if (guest === undefined) return null;
  const { action } = dialog;
  const run = () => {
    if (action === 'template') void convertToTemplate(guest.nodeKey, guest.vmid);
    else if (action === 'destroy') void destroyVm(guest.nodeKey, guest.vmid);
    else void runPowerAction(guest.nodeKey, guest.vmid, action);
  };
  return (
    <ConfirmDialog
      open
      title={t(`vm.confirm.${action}.title`, { vmid: guest.vmid, name: guest.name })}
      body={t(`vm.confirm.${action}.body`, { vmid: guest.vmid, name: guest.name })}
      confirm={t(`cmd.vm.${action}`)}
      testId={`vm-confirm-${action}`}
      onConfirm={run}
      onClose={onClose}
    />
  );
}

const SNAPNAME = /^[a-zA-Z][a-zA-Z0-9_-]{1,39}$/;

function SnapshotDialog({ guestKey, onClose }: { guestKey: string; onClose: () => void }) {
  const t = useT();
  const guest = useGuest(guestKey);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [vmstate, setVmstate] = useState(false);
  if (guest === undefined) return null;
  const valid = SNAPNAME.test(name);
  return (
    <FormDialog
      title={t('vm.snap.takeTitle', { vmid: guest.vmid })}
      testId="vm-snap-dialog"
      submitLabel={t('vm.snap.take')}
      submitTestId="vm-snap-submit"
      submitDisabled={!valid}
      onSubmit={() => {
        void takeSnapshot(guest.nodeKey, {
          vmid: guest.vmid,
          snapname: name,
          vmstate: vmstate && guest.status === 'running',
          ...(description.trim() === '' ? {} : { description: description.trim() }),
        });
      }}
      onClose={onClose}
    >
        <Box sx={{ display: 'flex', flexDirection: 'column', pt: 1 }}>
          <TextInput label={t('vm.snap.name')} value={name} onChange={setName} testId="vm-snap-name" error={name !== '' && !valid ? 'vm.snap.invalidName' : undefined} autoFocus />
          <TextInput label={t('vm.snap.description')} value={description} onChange={setDescription} multiline testId="vm-snap-description" />
          <CheckInput label={t('vm.snap.includeRam')} checked={vmstate} onChange={setVmstate} testId="vm-snap-vmstate" disabled={guest.status !== 'running'} />
        </Box>
    </FormDialog>
  );
}

function CloneDialog({ guestKey, onClose }: { guestKey: string; onClose: () => void }) {
  const t = useT();
  const guest = useGuest(guestKey);
  const [newid, setNewid] = useState('');
  const [name, setName] = useState('');
  const [full, setFull] = useState(guest?.template !== true);
  const nodeKey = guest?.nodeKey;
  useEffect(() => {
    if (nodeKey === undefined) return;
    let cancelled = false;
    nextVmid(nodeKey)
      .then((id) => !cancelled && setNewid((v) => (v === '' ? String(id) : v)))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [nodeKey]);
  if (guest === undefined) return null;
  const valid = /^\d+$/.test(newid) && Number(newid) >= 100 && (name === '' || /^[a-zA-Z0-9][a-zA-Z0-9.-]*$/.test(name));
  return (
    <FormDialog
      title={t('vm.clone.title', { vmid: guest.vmid })}
      testId="vm-clone-dialog"
      submitLabel={t('cmd.vm.clone')}
      submitTestId="vm-clone-submit"
      submitDisabled={!valid}
      onSubmit={() => {
        void cloneVm(guest.nodeKey, { vmid: guest.vmid, newid: Number(newid), full, ...(name === '' ? {} : { name }) });
      }}
      onClose={onClose}
    >
        <Box sx={{ display: 'flex', flexDirection: 'column', pt: 1 }}>
          <TextInput label={t('vmForm.vmid')} value={newid} onChange={setNewid} testId="vm-clone-newid" />
          <TextInput label={t('vmForm.name')} value={name} onChange={setName} testId="vm-clone-name" />
          <CheckInput label={t('vm.clone.full')} checked={full} onChange={setFull} testId="vm-clone-full" disabled={guest.template !== true} />
        </Box>
    </FormDialog>
  );
}

/** Which of a node's VMs a bulk action applies to, as PVE's bulk dialogs list them. */
export function bulkCandidates(guests: readonly GuestEntry[], action: 'start' | 'shutdown' | 'stop'): GuestEntry[] {
  return guests.filter(
    (g) =>
      g.type === 'qemu' &&
      g.template !== true &&
      g.lock === undefined &&
      (action === 'start' ? g.status === 'stopped' : g.status === 'running' || (action === 'stop' && g.status === 'paused')),
  );
}

function BulkDialog({ nodeKey, action, onClose }: { nodeKey: string; action: 'start' | 'shutdown' | 'stop'; onClose: () => void }) {
  const t = useT();
  const candidates = useAppStore(
    useShallow((s) => bulkCandidates((s.guestOrder[nodeKey] ?? []).flatMap((k) => s.guests.get(k) ?? []), action).map((g) => `${g.vmid}`)),
  );
  const names = useAppStore(useShallow((s) => candidates.map((vmid) => s.guests.get(`${nodeKey}/${vmid}`)?.name ?? '')));
  const [unchecked, setUnchecked] = useState<ReadonlySet<string>>(new Set());
  const chosen = candidates.filter((v) => !unchecked.has(v)).map(Number);
  return (
    <FormDialog
      title={t(`cmd.vm.bulk.${action}`)}
      testId="vm-bulk-dialog"
      submitLabel={t(`cmd.vm.bulk.${action}`)}
      submitTestId="vm-bulk-submit"
      submitDisabled={chosen.length === 0}
      onSubmit={() => {
        void runBulkAction(nodeKey, chosen, action);
      }}
      onClose={onClose}
    >
        {candidates.length === 0 && t('vm.bulk.none')}
        <Box sx={{ display: 'flex', flexDirection: 'column' }}>
          {candidates.map((vmid, i) => (
            <CheckInput
              key={vmid}
              label={`${vmid} (${names[i] ?? ''})`}
              checked={!unchecked.has(vmid)}
              onChange={(on) =>
                setUnchecked((s) => {
                  const next = new Set(s);
                  if (on) next.delete(vmid);
                  else next.add(vmid);
                  return next;
                })
              }
              testId={`vm-bulk-${vmid}`}
            />
          ))}
        </Box>
    </FormDialog>
  );
}
