// The fields of each create-VM wizard step; the values, validation and resulting config live in vm-form.ts.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Typography from '@mui/material/Typography';
import AddRounded from '@mui/icons-material/AddRounded';
import DeleteOutlineRounded from '@mui/icons-material/DeleteOutlineRounded';
import type { StorageEntry } from '../../../../node-agent/src/api';
import { NodeVmidFields, wizardGrid } from '../guests/wizard-id-fields';
import { useT } from '../../i18n/use-t';
import { CheckInput, SelectInput, TextInput } from './form-fields';
import {
  configLines,
  cpuTypes,
  diskBuses,
  diskCaches,
  newDisk,
  nicModels,
  osTypes,
  scsiControllers,
  toCreateParams,
  type DiskValues,
  type WizardErrors,
  type WizardStep,
  type WizardValues,
} from './vm-form';

export interface WizardSources {
  nodes: readonly { key: string; name: string }[];
  storages: readonly StorageEntry[];
  isos: readonly string[];
}

interface Props {
  step: WizardStep;
  values: WizardValues;
  errors: WizardErrors;
  sources: WizardSources;
  onChange: (next: WizardValues) => void;
}

const grid = wizardGrid;
const plain = <V extends string>(list: readonly V[]) => list.map((value) => ({ value, label: value }));

export function WizardStepFields({ step, values: v, errors, sources, onChange }: Props) {
  const t = useT();
  const set = (patch: Partial<WizardValues>) => onChange({ ...v, ...patch });
  const imageStores = sources.storages.filter((s) => s.content.includes('images'));
  const storeOptions = imageStores.map((s) => ({ value: s.id, label: `${s.id} (${s.type})` }));
  switch (step) {
    case 'general':
      return (
        <Box sx={grid}>
          <NodeVmidFields prefix="vm" nodes={sources.nodes} node={v.node} vmid={v.vmid} vmidLabel="vmForm.vmid" errors={errors} onChange={set} />
          <TextInput label={t('vmForm.name')} value={v.name} onChange={(name) => set({ name })} testId="vm-wizard-name" error={errors.name} autoFocus />
        </Box>
      );
    case 'os':
      return (
        <Box sx={grid}>
          <SelectInput
            label={t('vmForm.iso')}
            value={v.iso}
            options={[{ value: '', label: t('vmForm.noMedia') }, ...sources.isos.map((iso) => ({ value: iso, label: iso }))]}
            onChange={(iso) => set({ iso })}
            testId="vm-wizard-iso"
          />
          <SelectInput
            label={t('vmForm.ostype')}
            value={v.ostype}
            options={osTypes.map((value) => ({ value, label: t(`vmForm.ostype.${value}`) }))}
            onChange={(ostype) => set({ ostype })}
            testId="vm-wizard-ostype"
          />
        </Box>
      );
    case 'system':
      return (
        <Box sx={grid}>
          <SelectInput
            label={t('vmForm.bios')}
            value={v.bios}
            options={[
              { value: 'seabios', label: t('vmForm.bios.seabios') },
              { value: 'ovmf', label: t('vmForm.bios.ovmf') },
            ]}
            onChange={(bios) => set({ bios })}
            testId="vm-wizard-bios"
            error={errors.bios}
          />
          <SelectInput
            label={t('vmForm.machine')}
            value={v.machine}
            options={[
              { value: 'pc', label: 'i440fx (pc)' },
              { value: 'q35', label: 'q35' },
            ]}
            onChange={(machine) => set({ machine })}
            testId="vm-wizard-machine"
          />
          <SelectInput label={t('vmForm.scsihw')} value={v.scsihw} options={plain(scsiControllers)} onChange={(scsihw) => set({ scsihw })} testId="vm-wizard-scsihw" />
          <CheckInput label={t('vmForm.agent')} checked={v.agent} onChange={(agent) => set({ agent })} testId="vm-wizard-agent" />
        </Box>
      );
    case 'disks': {
      const setDisk = (i: number, patch: Partial<DiskValues>) =>
        set({ disks: v.disks.map((d, j) => (j === i ? { ...d, ...patch } : d)) });
      return (
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
          {errors.disks !== undefined && <Typography color="error" variant="body2">{t(errors.disks)}</Typography>}
          {v.disks.length === 0 && <Typography color="text.secondary">{t('vmForm.noDisks')}</Typography>}
          {v.disks.map((disk, i) => {
            const formats = sources.storages.find((s) => s.id === disk.storage)?.capabilities.formats.filter(
              (f): f is 'raw' | 'qcow2' | 'vmdk' => f === 'raw' || f === 'qcow2' || f === 'vmdk',
            ) ?? [];
            return (
              <Box key={i} sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1.5 }} data-testid={`vm-wizard-disk-${i}`}>
                <Box sx={{ display: 'flex', alignItems: 'center', mb: 1 }}>
                  <Typography variant="subtitle2" sx={{ flex: 1 }}>{t('vmForm.diskN', { n: i + 1 })}</Typography>
                  <IconButton size="small" aria-label={t('vmForm.removeDisk')} onClick={() => set({ disks: v.disks.filter((_, j) => j !== i) })} data-testid={`vm-wizard-disk-${i}-remove`}>
                    <DeleteOutlineRounded fontSize="small" />
                  </IconButton>
                </Box>
                <Box sx={{ ...grid, gridTemplateColumns: 'repeat(3, minmax(0, 1fr))' }}>
                  <SelectInput label={t('vmForm.bus')} value={disk.bus} options={plain(diskBuses)} onChange={(bus) => setDisk(i, { bus })} testId={`vm-wizard-disk-${i}-bus`} />
                  <SelectInput
                    label={t('vmForm.storage')}
                    value={disk.storage}
                    options={[{ value: '', label: '—' }, ...storeOptions]}
                    onChange={(storage) => setDisk(i, { storage, format: '' })}
                    testId={`vm-wizard-disk-${i}-storage`}
                    error={errors[`disks.${i}.storage`]}
                  />
                  <TextInput label={t('vmForm.sizeGiB')} value={disk.sizeGiB} onChange={(sizeGiB) => setDisk(i, { sizeGiB })} testId={`vm-wizard-disk-${i}-size`} error={errors[`disks.${i}.sizeGiB`]} />
                  <SelectInput
                    label={t('vmForm.format')}
                    value={disk.format}
                    options={[{ value: '' as const, label: t('vmForm.defaultFormat') }, ...plain(formats)]}
                    onChange={(format) => setDisk(i, { format })}
                    testId={`vm-wizard-disk-${i}-format`}
                    disabled={formats.length < 2}
                  />
                  <SelectInput
                    label={t('vmForm.cache')}
                    value={disk.cache}
                    options={diskCaches.map((value) => ({ value, label: value === '' ? t('vmForm.defaultCache') : value }))}
                    onChange={(cache) => setDisk(i, { cache })}
                    testId={`vm-wizard-disk-${i}-cache`}
                  />
                </Box>
                <Box sx={{ display: 'flex', flexWrap: 'wrap' }}>
                  <CheckInput label={t('vmForm.discard')} checked={disk.discard} onChange={(discard) => setDisk(i, { discard })} testId={`vm-wizard-disk-${i}-discard`} />
                  <CheckInput label={t('vmForm.iothread')} checked={disk.iothread} onChange={(iothread) => setDisk(i, { iothread })} testId={`vm-wizard-disk-${i}-iothread`} disabled={disk.bus !== 'scsi' && disk.bus !== 'virtio'} />
                  <CheckInput label={t('vmForm.ssd')} checked={disk.ssd} onChange={(ssd) => setDisk(i, { ssd })} testId={`vm-wizard-disk-${i}-ssd`} disabled={disk.bus === 'virtio'} />
                </Box>
              </Box>
            );
          })}
          <Button startIcon={<AddRounded />} sx={{ alignSelf: 'flex-start' }} onClick={() => set({ disks: [...v.disks, newDisk(imageStores[0]?.id ?? '')] })} data-testid="vm-wizard-disk-add">
            {t('vmForm.addDisk')}
          </Button>
        </Box>
      );
    }
    case 'cpu':
      return (
        <Box sx={grid}>
          <TextInput label={t('vmForm.sockets')} value={v.sockets} onChange={(sockets) => set({ sockets })} testId="vm-wizard-sockets" error={errors.sockets} />
          <TextInput label={t('vmForm.cores')} value={v.cores} onChange={(cores) => set({ cores })} testId="vm-wizard-cores" error={errors.cores} />
          <SelectInput label={t('vmForm.cpuType')} value={v.cpuType} options={plain(cpuTypes)} onChange={(cpuType) => set({ cpuType })} testId="vm-wizard-cpu-type" />
        </Box>
      );
    case 'memory':
      return (
        <Box sx={grid}>
          <TextInput label={t('vmForm.memory')} value={v.memory} onChange={(memory) => set({ memory })} testId="vm-wizard-memory" error={errors.memory} />
          <TextInput label={t('vmForm.balloon')} value={v.balloon} onChange={(balloon) => set({ balloon })} testId="vm-wizard-balloon" error={errors.balloon} helper={t('vmForm.balloonHelp')} />
        </Box>
      );
    case 'network': {
      const n = v.network;
      const setNet = (patch: Partial<WizardValues['network']>) => set({ network: { ...n, ...patch } });
      return (
        <Box>
          <CheckInput label={t('vmForm.noNetwork')} checked={!n.enabled} onChange={(off) => setNet({ enabled: !off })} testId="vm-wizard-net-none" />
          <Box sx={grid}>
            <TextInput label={t('vmForm.bridge')} value={n.bridge} onChange={(bridge) => setNet({ bridge })} testId="vm-wizard-net-bridge" error={errors['network.bridge']} disabled={!n.enabled} />
            <SelectInput label={t('vmForm.model')} value={n.model} options={plain(nicModels)} onChange={(model) => setNet({ model })} testId="vm-wizard-net-model" disabled={!n.enabled} />
            <TextInput label={t('vmForm.vlan')} value={n.vlan} onChange={(vlan) => setNet({ vlan })} testId="vm-wizard-net-vlan" error={errors['network.vlan']} disabled={!n.enabled} placeholder={t('vmForm.noVlan')} />
            <TextInput label={t('vmForm.mac')} value={n.mac} onChange={(mac) => setNet({ mac })} testId="vm-wizard-net-mac" error={errors['network.mac']} disabled={!n.enabled} placeholder={t('vmForm.autoMac')} />
            <CheckInput label={t('vmForm.firewall')} checked={n.firewall} onChange={(firewall) => setNet({ firewall })} testId="vm-wizard-net-firewall" disabled={!n.enabled} />
          </Box>
        </Box>
      );
    }
    case 'cloudinit': {
      const ci = v.cloudinit;
      const setCi = (patch: Partial<WizardValues['cloudinit']>) => set({ cloudinit: { ...ci, ...patch } });
      const off = !ci.enabled;
      return (
        <Box>
          <CheckInput label={t('vmForm.cloudinit')} checked={ci.enabled} onChange={(enabled) => setCi({ enabled })} testId="vm-wizard-ci-enabled" />
          <Box sx={grid}>
            <SelectInput label={t('vmForm.storage')} value={ci.storage} options={[{ value: '', label: '—' }, ...storeOptions]} onChange={(storage) => setCi({ storage })} testId="vm-wizard-ci-storage" error={errors['cloudinit.storage']} disabled={off} />
            <TextInput label={t('vmForm.ciuser')} value={ci.user} onChange={(user) => setCi({ user })} testId="vm-wizard-ci-user" error={errors['cloudinit.user']} disabled={off} />
            <TextInput label={t('vmForm.cipassword')} type="password" value={ci.password} onChange={(password) => setCi({ password })} testId="vm-wizard-ci-password" disabled={off} />
            <SelectInput
              label={t('vmForm.ipconfig')}
              value={ci.ipMode}
              options={[
                { value: 'dhcp', label: t('vmForm.dhcp') },
                { value: 'static', label: t('vmForm.static') },
              ]}
              onChange={(ipMode) => setCi({ ipMode })}
              testId="vm-wizard-ci-ipmode"
              disabled={off}
            />
            <TextInput label={t('vmForm.ip')} value={ci.ip} onChange={(ip) => setCi({ ip })} testId="vm-wizard-ci-ip" error={errors['cloudinit.ip']} disabled={off || ci.ipMode === 'dhcp'} placeholder="192.0.2.10/24" />
            <TextInput label={t('vmForm.gw')} value={ci.gw} onChange={(gw) => setCi({ gw })} testId="vm-wizard-ci-gw" error={errors['cloudinit.gw']} disabled={off || ci.ipMode === 'dhcp'} />
            <TextInput label={t('vmForm.nameserver')} value={ci.nameserver} onChange={(nameserver) => setCi({ nameserver })} testId="vm-wizard-ci-nameserver" error={errors['cloudinit.nameserver']} disabled={off} />
          </Box>
          <TextInput label={t('vmForm.sshkeys')} multiline value={ci.sshkeys} onChange={(sshkeys) => setCi({ sshkeys })} testId="vm-wizard-ci-sshkeys" error={errors['cloudinit.sshkeys']} disabled={off} />
        </Box>
      );
    }
    case 'confirm': {
      const params = toCreateParams(v);
      return (
        <Box>
          <Box component="dl" data-testid="vm-wizard-summary" sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.25, m: 0, fontFamily: 'monospace', fontSize: 13 }}>
            {[{ key: 'vmid', value: String(params.vmid) }, ...configLines(params.config)].map((line) => (
              <Box key={line.key} sx={{ display: 'contents' }}>
                <Box component="dt" sx={{ color: 'text.secondary' }}>{line.key}</Box>
                <Box component="dd" sx={{ m: 0, wordBreak: 'break-all' }} data-testid={`vm-wizard-summary-${line.key}`}>{line.value}</Box>
              </Box>
            ))}
          </Box>
          <CheckInput label={t('vmForm.startAfter')} checked={v.start} onChange={(start) => set({ start })} testId="vm-wizard-start" />
        </Box>
      );
    }
  }
}
