// The Hardware tab's dialogs: add a disk, NIC or CD/DVD drive; edit a row's keys; resize or move a disk.
// Each ends in one agent call (vm.set with the digest read, vm.resize or vm.move) made by the tab.
import { useState } from 'react';
import Box from '@mui/material/Box';
import type { StorageEntry } from '../../../../node-agent/src/api';
import { useT } from '../../i18n/use-t';
import { FormDialog } from '../guests/form-dialog';
import { useLoaded } from '../guests/use-loaded';
import { CheckInput, SelectInput, TextInput } from './form-fields';
import { loadStorageChoices } from './actions';
import { busSlots, diskBuses, diskSpec, newDisk, nicModels, type DiskBus, type WizardValues } from './vm-form';
import { freeKey, type HardwareRow } from './hardware-rows';

export type HardwareDialogState =
  | { kind: 'add-disk' }
  | { kind: 'add-net' }
  | { kind: 'add-cdrom' }
  | { kind: 'edit'; row: HardwareRow }
  | { kind: 'resize'; row: HardwareRow }
  | { kind: 'move'; row: HardwareRow };

export type HardwareSubmit =
  | { kind: 'set'; config: Record<string, string | number>; delete: string[] }
  | { kind: 'resize'; disk: string; size: string }
  | { kind: 'move'; disk: string; storage: string; format?: 'raw' | 'qcow2' | 'vmdk'; delete: boolean };

interface Props {
  nodeKey: string;
  state: HardwareDialogState;
  /** Every key of the config, pending ones included: a new device takes the first free number. */
  taken: readonly string[];
  scsihw: WizardValues['scsihw'];
  onSubmit: (change: HardwareSubmit) => void;
  onClose: () => void;
}

const NO_STORAGE_CHOICES: { storages: readonly StorageEntry[]; isos: readonly string[] } = { storages: [], isos: [] };

export function HardwareDialog({ nodeKey, state, taken, scsihw, onSubmit, onClose }: Props) {
  const t = useT();
  const choices = useLoaded(nodeKey, loadStorageChoices, NO_STORAGE_CHOICES);
  const images = choices.storages.filter((s) => s.content.includes('images'));
  const [disk, setDisk] = useState(() => newDisk(''));
  const [net, setNet] = useState({ model: 'virtio' as (typeof nicModels)[number], bridge: 'vmbr0', vlan: '', firewall: true });
  const [cdrom, setCdrom] = useState({ bus: 'ide' as 'ide' | 'sata', iso: '' });
  const [edits, setEdits] = useState<Record<string, string>>(() =>
    state.kind === 'edit' ? Object.fromEntries(state.row.keys.map((k) => [k, String(state.row.pending?.[k] ?? state.row.current[k] ?? '')])) : {},
  );
  const [grow, setGrow] = useState('8');
  const [move, setMove] = useState({ storage: '', format: '' as '' | 'raw' | 'qcow2' | 'vmdk', delete: false });
  const storage = disk.storage === '' ? (images[0]?.id ?? '') : disk.storage;
  const moveTo = move.storage === '' ? (images[0]?.id ?? '') : move.storage;

  let title = '';
  let body = null;
  let submit: HardwareSubmit | undefined;
  switch (state.kind) {
    case 'add-disk': {
      const key = freeKey(disk.bus, taken, busSlots[disk.bus], disk.bus === 'ide' ? ['ide2'] : []);
      title = t('vm.hw.addDisk');
      const ok = key !== undefined && storage !== '' && /^\d+$/.test(disk.sizeGiB) && Number(disk.sizeGiB) > 0;
      if (ok) submit = { kind: 'set', config: { [key]: diskSpec({ ...disk, storage }, scsihw) }, delete: [] };
      body = (
        <>
          <SelectInput label={t('vmForm.bus')} value={disk.bus} options={diskBuses.map((v) => ({ value: v, label: v }))} onChange={(bus: DiskBus) => setDisk({ ...disk, bus })} testId="vm-hw-disk-bus" />
          <SelectInput label={t('vmForm.storage')} value={storage} options={images.map((s) => ({ value: s.id, label: s.id }))} onChange={(s) => setDisk({ ...disk, storage: s })} testId="vm-hw-disk-storage" />
          <TextInput label={t('vmForm.sizeGiB')} value={disk.sizeGiB} onChange={(sizeGiB) => setDisk({ ...disk, sizeGiB })} testId="vm-hw-disk-size" />
          <CheckInput label={t('vmForm.discard')} checked={disk.discard} onChange={(discard) => setDisk({ ...disk, discard })} testId="vm-hw-disk-discard" />
        </>
      );
      break;
    }
    case 'add-net': {
      const key = freeKey('net', taken, 32);
      title = t('vm.hw.addNet');
      const parts = [net.model, `bridge=${net.bridge}`, ...(net.firewall ? ['firewall=1'] : []), ...(net.vlan === '' ? [] : [`tag=${net.vlan}`])];
      if (key !== undefined && net.bridge !== '' && (net.vlan === '' || /^\d+$/.test(net.vlan)))
        submit = { kind: 'set', config: { [key]: parts.join(',') }, delete: [] };
      body = (
        <>
          <TextInput label={t('vmForm.bridge')} value={net.bridge} onChange={(bridge) => setNet({ ...net, bridge })} testId="vm-hw-net-bridge" />
          <SelectInput label={t('vmForm.model')} value={net.model} options={nicModels.map((v) => ({ value: v, label: v }))} onChange={(model) => setNet({ ...net, model })} testId="vm-hw-net-model" />
          <TextInput label={t('vmForm.vlan')} value={net.vlan} onChange={(vlan) => setNet({ ...net, vlan })} testId="vm-hw-net-vlan" />
          <CheckInput label={t('vmForm.firewall')} checked={net.firewall} onChange={(firewall) => setNet({ ...net, firewall })} testId="vm-hw-net-firewall" />
        </>
      );
      break;
    }
    case 'add-cdrom': {
      const key = freeKey(cdrom.bus, taken, busSlots[cdrom.bus]);
      title = t('vm.hw.addCdrom');
      if (key !== undefined) submit = { kind: 'set', config: { [key]: `${cdrom.iso === '' ? 'none' : cdrom.iso},media=cdrom` }, delete: [] };
      body = (
        <>
          <SelectInput label={t('vmForm.bus')} value={cdrom.bus} options={[{ value: 'ide', label: 'ide' }, { value: 'sata', label: 'sata' }]} onChange={(bus) => setCdrom({ ...cdrom, bus })} testId="vm-hw-cdrom-bus" />
          <SelectInput label={t('vmForm.iso')} value={cdrom.iso} options={[{ value: '', label: t('vmForm.noMedia') }, ...choices.isos.map((v) => ({ value: v, label: v }))]} onChange={(iso) => setCdrom({ ...cdrom, iso })} testId="vm-hw-cdrom-iso" />
        </>
      );
      break;
    }
    case 'edit': {
      const row = state.row;
      title = t('vm.hw.editTitle', { key: row.id });
      const config: Record<string, string | number> = {};
      const deletes: string[] = [];
      for (const key of row.keys) {
        const before = String(row.pending?.[key] ?? row.current[key] ?? '');
        const after = (edits[key] ?? '').trim();
        if (after === before) continue;
        if (after === '') deletes.push(key);
        else config[key] = /^\d+$/.test(after) ? Number(after) : after;
      }
      if (Object.keys(config).length + deletes.length > 0) submit = { kind: 'set', config, delete: deletes };
      body = row.keys.map((key) => (
        <TextInput key={key} label={key} value={edits[key] ?? ''} onChange={(value) => setEdits((e) => ({ ...e, [key]: value }))} testId={`vm-hw-edit-${key}`} />
      ));
      break;
    }
    case 'resize':
      title = t('vm.hw.resizeTitle', { key: state.row.id });
      if (/^\d+$/.test(grow) && Number(grow) > 0) submit = { kind: 'resize', disk: state.row.id, size: `+${Number(grow)}G` };
      body = <TextInput label={t('vm.hw.growGiB')} value={grow} onChange={setGrow} testId="vm-hw-resize-size" />;
      break;
    case 'move': {
      title = t('vm.hw.moveTitle', { key: state.row.id });
      const formats = images.find((s) => s.id === moveTo)?.capabilities.formats.filter((f) => f === 'raw' || f === 'qcow2' || f === 'vmdk') ?? [];
      if (moveTo !== '')
        submit = { kind: 'move', disk: state.row.id, storage: moveTo, ...(move.format === '' ? {} : { format: move.format }), delete: move.delete };
      body = (
        <>
          <SelectInput label={t('vmForm.storage')} value={moveTo} options={images.map((s) => ({ value: s.id, label: s.id }))} onChange={(s) => setMove({ ...move, storage: s, format: '' })} testId="vm-hw-move-storage" />
          <SelectInput label={t('vmForm.format')} value={move.format} options={[{ value: '' as const, label: t('vmForm.defaultFormat') }, ...formats.map((f) => ({ value: f, label: f }))]} onChange={(format) => setMove({ ...move, format })} testId="vm-hw-move-format" />
          <CheckInput label={t('vm.hw.deleteSource')} checked={move.delete} onChange={(d) => setMove({ ...move, delete: d })} testId="vm-hw-move-delete" />
        </>
      );
      break;
    }
  }
  return (
    <FormDialog
      title={title}
      testId="vm-hw-dialog"
      submitLabel={t('vm.ok')}
      submitTestId="vm-hw-submit"
      submitDisabled={submit === undefined}
      onSubmit={() => {
        if (submit !== undefined) onSubmit(submit);
      }}
      onClose={onClose}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 0.5, pt: 1 }}>{body}</Box>
    </FormDialog>
  );
}
